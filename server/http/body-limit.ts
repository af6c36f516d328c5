import "server-only";
// Request bodies are read with a bound: a JSON API has no reason to accept more than a
// megabyte, and reading an unbounded body into memory lets one client exhaust the control
// plane's heap. Uploads (source tarballs, git pushes) have their own limits and paths.
import { AppError } from "@/server/errors";

/** JSON bodies of the Platform API and tRPC. */
export const MAX_JSON_BODY_BYTES = 1024 * 1024;

const tooLargeMessage = (max: number) => `The request body is larger than ${Math.round(max / 1024)} KB.`;

function declaredTooLarge(req: Request, max: number) {
  const declared = Number(req.headers.get("content-length"));
  return Number.isFinite(declared) && declared > max;
}

/** The body as a stream that errors (and stops reading) once it passes `max` bytes. */
function boundedStream(body: ReadableStream<Uint8Array>, max: number, tooLarge: () => Error): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let size = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { value, done } = await reader.read();
      if (done) return controller.close();
      size += value.byteLength;
      if (size > max) {
        controller.error(tooLarge());
        await reader.cancel().catch(() => undefined);
        return;
      }
      controller.enqueue(value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
}

/** Reads the body as text, refusing (413 PAYLOAD_TOO_LARGE) past `max` bytes. */
export async function readBodyText(req: Request, max = MAX_JSON_BODY_BYTES): Promise<string> {
  const tooLarge = () => new AppError("PAYLOAD_TOO_LARGE", tooLargeMessage(max));
  if (declaredTooLarge(req, max)) throw tooLarge();
  if (!req.body) return "";
  return new Response(boundedStream(req.body, max, tooLarge)).text();
}

/**
 * The same request with a bounded body, for handlers that read the body themselves (tRPC's
 * fetch adapter). `tooLarge` makes the error the body stream fails with: tRPC answers its
 * own PAYLOAD_TOO_LARGE TRPCError with a 413 in its error shape.
 */
export function withBodyLimit(req: Request, tooLarge: (message: string) => Error, max = MAX_JSON_BODY_BYTES): Request {
  if (!req.body) return req;
  const error = () => tooLarge(tooLargeMessage(max));
  const body = declaredTooLarge(req, max)
    ? new ReadableStream<Uint8Array>({ start: (c) => c.error(error()) })
    : boundedStream(req.body, max, error);
  return new Request(req, { body, duplex: "half" } as RequestInit);
}
