// A release's output as plain text (`heroku releases:output`, `releases:retry`): the output
// of the build that made it, or of its own release phase, live until it ends. Two ways in:
// the signed link the Platform API hands out as output_stream_url (the CLI fetches it
// without credentials), or a session / API key. Needs builds:output on the app either way.
import { AppError } from "@/server/errors";
import { withApp } from "@/server/http/with-app";
import { outputText, readReleaseOutputToken } from "@/server/build/output-stream";
import { apiKeyIsLive } from "@/server/security/access-watch";
import { getRelease, releaseOutputSource } from "@/server/services/releases";

export const dynamic = "force-dynamic";

function claimsOf(req: Request) {
  const token = new URL(req.url).searchParams.get("token");
  return token ? readReleaseOutputToken(token) : null;
}

export const GET = withApp<{ app: string; release: string }>(
  "builds:output",
  async ({ req, app, params }) => {
    const release = await getRelease({ appId: app.id, release: params.release });
    const claims = claimsOf(req);
    if (claims && (claims.appId !== app.id || claims.releaseId !== release.id)) throw new AppError("FORBIDDEN", "This output link is for another release.");
    const body = outputText(await releaseOutputSource(release.id), req.signal);
    return new Response(body, { headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store", "X-Accel-Buffering": "no" } });
  },
  {
    // The link names the caller (and the API key it was made for), whose access is checked
    // now, like anyone's, and not trusted for the link's lifetime.
    credential: async (req) => {
      const claims = claimsOf(req);
      if (!claims) return null;
      if (claims.keyId && !(await apiKeyIsLive(claims.keyId, claims.userId))) {
        throw new AppError("UNAUTHORIZED", "The API key this output link was made with has been revoked.");
      }
      return { userId: claims.userId, via: "api_key", keyId: claims.keyId ?? undefined };
    },
  },
);
