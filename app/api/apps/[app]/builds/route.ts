// POST the raw bytes of a .tar.gz (or .tar) of an app's source: a build is queued and
// `{ id, status }` comes back at once; its output streams through tRPC builds.output.
// Session or API key; needs deploy access. Refused archives leave no build behind.
import crypto from "node:crypto";
import { Readable, Transform } from "node:stream";
import { env } from "@/server/env";
import { AppError } from "@/server/errors";
import { size } from "@/server/build/source";
import { withApp } from "@/server/http/with-app";
import { createBuild } from "@/server/services/builds";

export const dynamic = "force-dynamic";

export const POST = withApp("code:deploy", async ({ req, app, userId }) => {
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
  const { build } = await createBuild({ appId: app.id, userId, sourceKind: "tarball", sourceVersion: digest, source });
  return Response.json({ id: build.id, status: build.status }, { status: 201 });
});
