// POST the raw bytes of a .tar.gz (or .tar) holding an app and its app.json: the archive is
// kept for the caller (an hour at most) and `{ id }` comes back; `appSetups.create` (tRPC)
// then makes the app from it. Any signed-in user (session or API key): nothing app-scoped
// exists yet, and the setup's app is made through createApp (team membership, quotas).
// A body that is not a tar/tar.gz, or is over SLIPWAY_MAX_SOURCE_MB, is refused and leaves nothing.
import { Readable } from "node:stream";
import { clientIp, withOrigin } from "@/server/audit/origin";
import { identify } from "@/server/auth/identity";
import { AppError } from "@/server/errors";
import { size } from "@/server/build/source";
import { errorAnswer } from "@/server/http/respond";
import { assertSameOrigin } from "@/server/http/same-origin";
import { maxSourceBytes, stageUpload } from "@/server/services/app-setups/source";

export const dynamic = "force-dynamic";

export async function POST(req: Request): Promise<Response> {
  try {
    const identity = await identify(req.headers);
    if (!identity) throw new AppError("UNAUTHORIZED", "Sign in first, or send an API key (Authorization: Bearer).");
    if (identity.via === "session") assertSameOrigin(req);
    const max = maxSourceBytes();
    if (Number(req.headers.get("content-length") ?? 0) > max) throw new AppError("PAYLOAD_TOO_LARGE", `The upload is larger than the ${size(max)} limit (SLIPWAY_MAX_SOURCE_MB).`);
    if (!req.body) throw new AppError("BAD_REQUEST", "Send the .tar.gz as the request body.");
    const body = Readable.fromWeb(req.body as import("node:stream/web").ReadableStream);
    const staged = await withOrigin({ userId: identity.userId, via: identity.via === "session" ? "dashboard" : "api", ip: clientIp(req.headers) }, () =>
      stageUpload({ userId: identity.userId, body }),
    );
    return Response.json({ id: staged.id, bytes: staged.bytes, checksum: `SHA256:${staged.checksum}` }, { status: 201 });
  } catch (err) {
    return errorAnswer(err);
  }
}
