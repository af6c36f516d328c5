import "server-only";
import { getToken } from "next-auth/jwt";
import { bearerToken } from "@/server/auth/basic";
import { authOptions, type SessionClaims } from "@/server/auth/options";
import { isSessionCurrent } from "@/server/auth/sessions";
import { authenticateApiKey } from "@/server/services/api-keys";

/** `keyId`: the API key used, so a stream opened with it can end when the key is revoked. */
export type Identity = { userId: string; via: "session" | "api_key"; keyId?: string };

/** The dashboard's session cookie as next-auth names it (secure when NEXTAUTH_URL is https). */
export function hasSessionCookie(headers: Headers): boolean {
  return /(?:^|;\s*)(?:__Secure-)?next-auth\.session-token(?:\.\d+)?=/.test(headers.get("cookie") ?? "");
}

function cookiesOf(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (headers.get("cookie") ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0) out[part.slice(0, eq).trim()] = decodeURIComponent(part.slice(eq + 1).trim());
  }
  return out;
}

/**
 * Who is calling: a Bearer API key (CLI, scripts) or the dashboard's session cookie, read
 * from these headers (so route handlers and plain-HTTP tests need no Next.js request scope).
 */
export async function identify(headers: Headers): Promise<Identity | null> {
  const bearer = bearerToken(headers.get("authorization"));
  if (bearer) {
    const key = await authenticateApiKey(bearer);
    return key ? { userId: key.userId, via: "api_key", keyId: key.keyId } : null;
  }
  if (!hasSessionCookie(headers)) return null;
  const token = await getToken({ req: { headers: Object.fromEntries(headers), cookies: cookiesOf(headers) } as never, secret: authOptions.secret });
  if (typeof token?.sub !== "string") return null;
  return sessionIdentity({ id: token.sub, generation: typeof token.generation === "number" ? token.generation : 0 });
}

/**
 * A session's user, if the session still holds: the user exists (a session can outlive its
 * user: deleted account, reset database) and has not signed out everywhere since.
 */
export async function sessionIdentity(claims: SessionClaims | undefined): Promise<Identity | null> {
  if (!claims?.id) return null;
  return (await isSessionCurrent(claims.id, claims.generation)) ? { userId: claims.id, via: "session" } : null;
}
