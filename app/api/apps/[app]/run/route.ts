// POST {command, size?} → a stream of NDJSON events: {type:"start",dyno}, {type:"output",
// stream,text}, {type:"exit",code} or {type:"error",message}. The dyno is killed if the
// client goes away, or if the caller's access to the app ends while it runs.
import { z } from "zod";
import { toAppError } from "@/server/errors";
import { withApp } from "@/server/http/with-app";
import { accessBoundSignal } from "@/server/security/access-watch";
import { runCommand } from "@/server/services/formation";

export const dynamic = "force-dynamic";

const runBody = z.object({
  command: z.string().trim().min(1, "Enter a command to run.").max(10_000),
  size: z.string().max(32).optional(),
});

export const POST = withApp(
  "dynos:run",
  ({ req, app, userId, identity, body }) => {
    const encoder = new TextEncoder();
    const guard = accessBoundSignal({ userId, appId: app.id, operation: "dynos:run", keyId: identity.keyId }, req.signal);
    const stream = new ReadableStream<Uint8Array>({
      async start(controller) {
        let open = true;
        const send = (event: object) => {
          // After the client went away the stream is closed; the dyno is killed via the signal.
          if (open && !req.signal.aborted) controller.enqueue(encoder.encode(JSON.stringify(event) + "\n"));
        };
        try {
          const { exitCode } = await runCommand({
            appId: app.id,
            command: body.command,
            size: body.size,
            signal: guard.signal,
            onStart: (dyno) => send({ type: "start", dyno }),
            onOutput: (stream, text) => send({ type: "output", stream, text }),
          });
          if (guard.isLost()) send({ type: "error", message: `Your access to ${app.name} ended; the dyno was stopped.` });
          else send({ type: "exit", code: exitCode });
        } catch (err) {
          send({ type: "error", message: guard.isLost() ? `Your access to ${app.name} ended; the dyno was stopped.` : toAppError(err).message });
        } finally {
          open = false;
          guard.stop();
          if (!req.signal.aborted) controller.close();
        }
      },
    });
    return new Response(stream, { headers: { "Content-Type": "application/x-ndjson", "Cache-Control": "no-store" } });
  },
  { body: runBody },
);
