import { identify } from "@/server/auth/identity";
import { toAppError, ERROR_TABLE } from "@/server/errors";
import { findAppForUser } from "@/server/services/access";
import { runCommand } from "@/server/services/formation";

export const dynamic = "force-dynamic";

// POST {command} → a stream of NDJSON events: {type:"start",dyno}, {type:"output",stream,text},
// {type:"exit",code} or {type:"error",message}. The dyno is killed if the client goes away.
export async function POST(req: Request, { params }: { params: Promise<{ app: string }> }) {
  const identity = await identify(req.headers);
  if (!identity) return Response.json({ error: "Sign in first." }, { status: 401 });
  const body = (await req.json().catch(() => null)) as { command?: unknown; size?: unknown } | null;
  const command = typeof body?.command === "string" ? body.command : "";
  let app;
  try {
    app = await findAppForUser({ userId: identity.userId, app: (await params).app, operation: "dynos:run" });
  } catch (err) {
    const e = toAppError(err);
    return Response.json({ error: e.message }, { status: ERROR_TABLE[e.code].http });
  }
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      let open = true;
      const send = (event: object) => {
        // After the client went away the stream is closed; the dyno is killed via req.signal.
        if (open && !req.signal.aborted) controller.enqueue(encoder.encode(JSON.stringify(event) + "\n"));
      };
      try {
        const { exitCode } = await runCommand({
          appId: app.id,
          command,
          size: typeof body?.size === "string" ? body.size : undefined,
          signal: req.signal,
          onStart: (dyno) => send({ type: "start", dyno }),
          onOutput: (stream, text) => send({ type: "output", stream, text }),
        });
        send({ type: "exit", code: exitCode });
      } catch (err) {
        send({ type: "error", message: toAppError(err).message });
      } finally {
        open = false;
        if (!req.signal.aborted) controller.close();
      }
    },
  });
  return new Response(stream, { headers: { "Content-Type": "application/x-ndjson", "Cache-Control": "no-store" } });
}
