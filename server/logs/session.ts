import "server-only";
// Log sessions: what the CLI asks for (POST /apps/:app/log-sessions) and then opens without
// credentials — the URL carries a signed token naming the app, the caller and the filters.
// The token is not a grant: the stream route checks the caller's access (and the API key
// the session was made with) when the token is used, and again while the tail runs.
import crypto from "node:crypto";
import { z } from "zod";
import { signToken, verifyToken } from "@/server/crypto";
import { publicUrl } from "@/server/env";
import { AppError } from "@/server/errors";
import { BUFFER_LINES } from "@/server/logs/store";

export const logSessionInput = z.object({
  dyno: z.string().max(64).regex(/^[\w.-]*$/, "A dyno is a name like web.1 or a process type like web.").nullish(),
  source: z.string().max(32).regex(/^\w*$/, "A source is app or heroku.").nullish(),
  lines: z.coerce.number().int().min(0).max(BUFFER_LINES).nullish(),
  tail: z.boolean().nullish(),
});
export type LogSessionInput = z.infer<typeof logSessionInput>;

export type LogSessionClaims = { kind: "log-session"; appId: string; userId: string; keyId?: string | null; dyno: string | null; source: string | null; lines: number; tail: boolean };

// A tail reconnects (EventSource does, with Last-Event-ID) with the same URL, so the
// token has to outlive a dropped connection, not just the first request.
const TTL_SECONDS = 60 * 60;

/** `origin`: where the caller reached the platform (requestOrigin), publicUrl() by default. */
export function createLogSession(input: LogSessionInput & { appId: string; appName: string; userId: string; keyId?: string | null; origin?: string }) {
  const claims: LogSessionClaims = {
    kind: "log-session",
    appId: input.appId,
    userId: input.userId,
    keyId: input.keyId ?? null,
    dyno: input.dyno || null,
    source: input.source || null,
    lines: input.lines ?? 100,
    tail: input.tail ?? false,
  };
  const now = new Date();
  return {
    id: crypto.randomUUID(),
    logplex_url: `${input.origin ?? publicUrl()}/api/apps/${encodeURIComponent(input.appName)}/logs?token=${signToken(claims, TTL_SECONDS)}`,
    created_at: now.toISOString(),
    updated_at: now.toISOString(),
  };
}

export function readLogSession(token: string): LogSessionClaims {
  const claims = verifyToken<LogSessionClaims>(token);
  if (!claims || claims.kind !== "log-session") throw new AppError("FORBIDDEN", "This log session has expired; start a new one.");
  return claims;
}
