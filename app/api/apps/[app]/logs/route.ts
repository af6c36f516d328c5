// An app's log as Server-Sent Events. Two ways in: the dashboard (session or API key, the
// filters in the query, `format=json`) and the CLI's log session (a signed `token`, made by
// POST /apps/:app/log-sessions, that carries the filters). Last-Event-ID resumes.
import { identify } from "@/server/auth/identity";
import { AppError, errorResponse } from "@/server/errors";
import { logSessionInput, readLogSession } from "@/server/logs/session";
import { logEventStream } from "@/server/logs/stream";
import { findAppForUser } from "@/server/services/access";

export const dynamic = "force-dynamic";

export async function GET(req: Request, { params }: { params: Promise<{ app: string }> }) {
  try {
    const url = new URL(req.url);
    const token = url.searchParams.get("token");
    const claims = token ? readLogSession(token) : null;
    let userId: string;
    let filter: { dyno: string | null; source: string | null; lines: number; tail: boolean };
    if (claims) {
      userId = claims.userId;
      filter = claims;
    } else {
      const identity = await identify(req.headers);
      if (!identity) throw new AppError("UNAUTHORIZED", "Sign in first.");
      userId = identity.userId;
      const q = logSessionInput.safeParse({
        dyno: url.searchParams.get("dyno"),
        source: url.searchParams.get("source"),
        lines: url.searchParams.get("lines") ?? undefined,
        tail: url.searchParams.get("tail") === "1" || url.searchParams.get("tail") === "true",
      });
      if (!q.success) throw new AppError("BAD_REQUEST", q.error.issues.map((i) => i.message).join(" "));
      filter = { dyno: q.data.dyno ?? null, source: q.data.source ?? null, lines: q.data.lines ?? 100, tail: q.data.tail ?? false };
    }
    const app = await findAppForUser({ userId, app: (await params).app, operation: "logs:read" });
    if (claims && claims.appId !== app.id) throw new AppError("FORBIDDEN", "This log session is for another app.");
    const resume = Number(req.headers.get("last-event-id") ?? url.searchParams.get("lastEventId") ?? NaN);
    const body = logEventStream({
      appId: app.id,
      lines: filter.lines,
      tail: filter.tail,
      filter: { dyno: filter.dyno, source: filter.source },
      after: Number.isInteger(resume) && resume >= 0 ? resume : null,
      format: url.searchParams.get("format") === "json" ? "json" : "text",
      signal: req.signal,
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
  } catch (err) {
    return errorResponse(err);
  }
}
