// POST the raw bytes of a .tar.gz (or .tar) of an app's source: a build is queued and
// `{ id, status }` comes back at once; its output streams through tRPC builds.output.
// Session or API key; needs deploy access. Refused archives leave no build behind.
import crypto from "node:crypto";
import { Readable, Transform } from "node:stream";
import { identify } from "@/server/auth/identity";
import { env } from "@/server/env";
import { AppError, errorResponse } from "@/server/errors";
import { size } from "@/server/build/source";
import { findAppForUser } from "@/server/services/access";
import { createBuild } from "@/server/services/builds";

export const dynamic = "force-dynamic";

export async function POST(req: Request, { params }: { params: Promise<{ app: string }> }) {
  const identity = await identify(req.headers);
  if (!identity) return errorResponse(new AppError("UNAUTHORIZED", "Sign in first."));
  try {
    const app = await findAppForUser({ userId: identity.userId, app: (await params).app, operation: "code:deploy" });
    const max = env().SLIPWAY_MAX_SOURCE_MB * 1024 * 1024;
    const declared = Number(req.headers.get("content-length") ?? 0);
    if (declared > max) throw new AppError("PAYLOAD_TOO_LARGE", `The upload is larger than the ${size(max)} limit (SLIPWAY_MAX_SOURCE_MB).`);
    if (!req.body) throw new AppError("BAD_REQUEST", "Send the .tar.gz as the request body.");
    const hash = crypto.createHash("sha256");
    let seen = 0;
    const counted = new Transform({
      transform(chunk: Buffer, _enc, done) {
        seen += chunk.length;
        if (seen > max) return done(new AppError("PAYLOAD_TOO_LARGE", `The upload is larger than the ${size(max)} limit (SLIPWAY_MAX_SOURCE_MB).`));
        hash.update(chunk);
        done(null, chunk);
      },
    });
    const source = Readable.fromWeb(req.body as import("node:stream/web").ReadableStream).pipe(counted);
    const digest = new Promise<string>((resolve) => counted.once("end", () => resolve(hash.digest("hex"))));
    if (declared === 0 && req.headers.get("content-length") === "0") throw new AppError("BAD_REQUEST", "The upload is empty.");
    const { build } = await createBuild({ appId: app.id, userId: identity.userId, sourceKind: "tarball", sourceVersion: digest, source });
    return Response.json({ id: build.id, status: build.status }, { status: 201 });
  } catch (err) {
    return errorResponse(err);
  }
}
