import "server-only";
// A release's output as the CLI reads it (`heroku releases:output`, `releases:retry`):
// `output_stream_url` is fetched without credentials, so the URL carries a signed token
// naming the app, the release and the caller. The token is not a grant: the stream route
// checks the caller's access (and the API key the URL was made for) when it is used.
import { signToken, verifyToken } from "@/server/crypto";
import { publicUrl } from "@/server/env";
import { AppError } from "@/server/errors";
import { followBuild, followRelease } from "@/server/build/output";

type Claims = { kind: "release-output"; appId: string; releaseId: string; userId: string; keyId: string | null };

const TTL_SECONDS = 60 * 60;

export type OutputViewer = { userId: string; keyId: string | null };

/** The release's output_stream_url, or null when it has no output (a config change, a rollback). */
export function releaseOutputUrl(
  app: { id: string; name: string },
  release: { id: string; version: number; outputSource: string | null },
  viewer: OutputViewer | null,
): string | null {
  if (!viewer || !release.outputSource) return null;
  const claims: Claims = { kind: "release-output", appId: app.id, releaseId: release.id, userId: viewer.userId, keyId: viewer.keyId };
  return `${publicUrl()}/api/apps/${encodeURIComponent(app.name)}/releases/v${release.version}/output?token=${signToken(claims, TTL_SECONDS)}`;
}

export function readReleaseOutputToken(token: string): Claims {
  const claims = verifyToken<Claims>(token);
  if (!claims || claims.kind !== "release-output") throw new AppError("FORBIDDEN", "This output link has expired; ask for the release again.");
  return claims;
}

/** The output as plain text: what there is now, then live until the build or release phase ends. */
export function outputText(release: { id: string; buildId: string | null; outputSource: string | null }, signal: AbortSignal): ReadableStream<Uint8Array> {
  const source =
    release.outputSource === "build" && release.buildId
      ? followBuild(release.buildId, 0, signal)
      : release.outputSource === "release"
        ? followRelease(release.id, 0, signal)
        : null;
  if (!source) throw new AppError("NOT_FOUND", "This release has no output.", { resource: "release" });
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await source.next();
      if (next.done || next.value.type === "end") {
        await source.return(undefined);
        controller.close();
        return;
      }
      controller.enqueue(encoder.encode(next.value.text));
    },
    async cancel() {
      await source.return(undefined);
    },
  });
}
