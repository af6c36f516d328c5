// GET: the console's output as Server-Sent Events. Opening it starts the dyno; closing it
// (the tab went away) kills the dyno. Events: `output` (data: a JSON string, so a \r or \n
// the program prints never reaches the SSE framing raw) and `exit` (data: {exitCode, reason}).
import { toAppError } from "@/server/errors";
import { withApp } from "@/server/http/with-app";
import { attachConsole, consoleFor } from "@/server/services/console-sessions";

export const dynamic = "force-dynamic";

const KEEPALIVE_MS = 20_000;

export const GET = withApp<{ app: string; id: string }>("dynos:run", ({ req, app, userId, params }) => {
  const c = consoleFor(params.id, { userId, appId: app.id });
  if (c.streaming) return Response.json({ error: { code: "CONFLICT", message: "This console is already open in another tab." } }, { status: 409 });
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      let open = true;
      const send = (chunk: string) => {
        if (open && !req.signal.aborted) controller.enqueue(encoder.encode(chunk));
      };
      const close = () => {
        if (!open) return;
        open = false;
        clearInterval(keepalive);
        try {
          controller.close();
        } catch {
          // already closed by the client going away
        }
      };
      const keepalive = setInterval(() => send(": keepalive\n\n"), KEEPALIVE_MS);
      req.signal.addEventListener("abort", () => {
        c.session.detach();
        close();
      });
      send(`event: ready\ndata: ${JSON.stringify({ dyno: c.dyno })}\n\n`);
      attachConsole(c, (text) => send(`event: output\ndata: ${JSON.stringify(text)}\n\n`))
        .then((end) => send(`event: exit\ndata: ${JSON.stringify(end)}\n\n`))
        .catch((err: unknown) => send(`event: failure\ndata: ${JSON.stringify({ message: toAppError(err).message })}\n\n`))
        .finally(close);
    },
    cancel() {
      c.session.detach();
    },
  });
  return new Response(stream, { headers: { "Content-Type": "text/event-stream", "Cache-Control": "no-store", "X-Accel-Buffering": "no" } });
});
