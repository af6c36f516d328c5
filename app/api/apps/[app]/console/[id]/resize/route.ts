// POST {cols, rows}: the browser terminal's size (it follows the panel's).
import { z } from "zod";
import { withApp } from "@/server/http/with-app";
import { consoleFor } from "@/server/services/console-sessions";

export const dynamic = "force-dynamic";

const sizeBody = z.object({ cols: z.number().int().min(1).max(1000), rows: z.number().int().min(1).max(1000) });

export const POST = withApp<{ app: string; id: string }, typeof sizeBody>(
  "dynos:run",
  async ({ app, userId, params, body }) => {
    await consoleFor(params.id, { userId, appId: app.id }).session.resize(body);
    return new Response(null, { status: 204 });
  },
  { body: sizeBody },
);
