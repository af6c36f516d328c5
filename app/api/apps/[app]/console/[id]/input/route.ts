// POST {data}: keystrokes (or pasted text) for the caller's console.
import { z } from "zod";
import { withApp } from "@/server/http/with-app";
import { consoleFor } from "@/server/services/console-sessions";

export const dynamic = "force-dynamic";

const inputBody = z.object({ data: z.string().min(1).max(64 * 1024) });

export const POST = withApp<{ app: string; id: string }, typeof inputBody>(
  "dynos:run",
  ({ app, userId, params, body }) => {
    consoleFor(params.id, { userId, appId: app.id }).session.input(body.data);
    return new Response(null, { status: 204 });
  },
  { body: inputBody },
);
