// POST {command?, cols?, rows?} → {id, dyno}: starts the dashboard's browser console, an
// interactive one-off dyno (as `heroku run bash`: same permission, limits, quotas and audit).
// Its output is GET ./{id}/stream (SSE); keystrokes POST ./{id}/input; DELETE ./{id} ends it.
import { z } from "zod";
import { withApp } from "@/server/http/with-app";
import { startConsole } from "@/server/services/console-sessions";

export const dynamic = "force-dynamic";

const startBody = z.object({
  command: z.string().trim().min(1).max(10_000).default("bash"),
  cols: z.number().int().min(1).max(1000).optional(),
  rows: z.number().int().min(1).max(1000).optional(),
});

export const POST = withApp(
  "dynos:run",
  async ({ app, userId, body }) => {
    const started = await startConsole({ appId: app.id, userId, command: body.command, cols: body.cols, rows: body.rows });
    return Response.json(started, { status: 201, headers: { "Cache-Control": "no-store" } });
  },
  { body: startBody },
);
