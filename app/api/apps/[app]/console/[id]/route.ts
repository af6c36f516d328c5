// DELETE: ends the caller's console; its dyno is killed.
import { withApp } from "@/server/http/with-app";
import { consoleFor, endConsole } from "@/server/services/console-sessions";

export const dynamic = "force-dynamic";

export const DELETE = withApp<{ app: string; id: string }>("dynos:run", async ({ app, userId, params }) => {
  await endConsole(consoleFor(params.id, { userId, appId: app.id }));
  return new Response(null, { status: 204 });
});
