// An app's log as Server-Sent Events. Two ways in: the dashboard (session or API key, the
// filters in the query, `format=json`) and the CLI's log session (a signed `token`, made by
// POST /apps/:app/log-sessions, that carries the filters). Last-Event-ID resumes. A tail
// ends when the caller's access to the app does (server/security/access-watch.ts).
import { AppError } from "@/server/errors";
import { withApp } from "@/server/http/with-app";
import { logSessionInput, readLogSession } from "@/server/logs/session";
import { logEventStream } from "@/server/logs/stream";
import { accessBoundSignal, apiKeyIsLive } from "@/server/security/access-watch";

export const dynamic = "force-dynamic";

type Filter = { dyno: string | null; source: string | null; lines: number; tail: boolean };

function sessionOf(req: Request) {
  const token = new URL(req.url).searchParams.get("token");
  return token ? readLogSession(token) : null;
}

function filterFromQuery(url: URL): Filter {
  const q = logSessionInput.safeParse({
    dyno: url.searchParams.get("dyno"),
    source: url.searchParams.get("source"),
    lines: url.searchParams.get("lines") ?? undefined,
    tail: url.searchParams.get("tail") === "1" || url.searchParams.get("tail") === "true",
  });
  if (!q.success) throw new AppError("BAD_REQUEST", q.error.issues.map((i) => i.message).join(" "));
  return { dyno: q.data.dyno ?? null, source: q.data.source ?? null, lines: q.data.lines ?? 100, tail: q.data.tail ?? false };
}

export const GET = withApp(
  "logs:read",
  ({ req, app, userId, identity }) => {
    const url = new URL(req.url);
    const claims = sessionOf(req);
    if (claims && claims.appId !== app.id) throw new AppError("FORBIDDEN", "This log session is for another app.");
    const filter: Filter = claims ?? filterFromQuery(url);
    const resume = Number(req.headers.get("last-event-id") ?? url.searchParams.get("lastEventId") ?? NaN);
    const guard = filter.tail ? accessBoundSignal({ userId, appId: app.id, operation: "logs:read", keyId: identity.keyId }, req.signal) : null;
    const body = logEventStream({
      appId: app.id,
      lines: filter.lines,
      tail: filter.tail,
      filter: { dyno: filter.dyno, source: filter.source },
      after: Number.isInteger(resume) && resume >= 0 ? resume : null,
      format: url.searchParams.get("format") === "json" ? "json" : "text",
      signal: guard?.signal ?? req.signal,
      onClose: () => guard?.stop(),
    });
    return new Response(body, {
      headers: {
        "Content-Type": "text/event-stream; charset=utf-8",
        "Cache-Control": "no-cache, no-transform",
        "X-Accel-Buffering": "no",
        // Without tail the CLI reads until the server closes (its EventSource would reconnect otherwise).
        ...(filter.tail ? {} : { Connection: "close" }),
      },
    });
  },
  {
    // The CLI's log session: the token names the caller (and the API key it used), whose
    // access is checked now, like anyone's, and not trusted for the token's lifetime.
    credential: async (req) => {
      const claims = sessionOf(req);
      if (!claims) return null;
      if (claims.keyId && !(await apiKeyIsLive(claims.keyId, claims.userId))) {
        throw new AppError("UNAUTHORIZED", "The API key this log session was made with has been revoked; start a new one.");
      }
      return { userId: claims.userId, via: "api_key", keyId: claims.keyId ?? undefined };
    },
  },
);
