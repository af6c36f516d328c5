import "server-only";
import { getServerSession } from "next-auth";
import { authOptions, type SessionClaims } from "@/server/auth/options";
import { isSessionCurrent } from "@/server/auth/sessions";
import { authenticateApiKey } from "@/server/services/api-keys";

export type Identity = { userId: string; via: "session" | "api_key" };

/** Who is calling: a Bearer API key (CLI, scripts) or the dashboard's session cookie. */
export async function identify(headers: Headers): Promise<Identity | null> {
  const auth = headers.get("authorization");
  const bearer = auth?.match(/^Bearer\s+(.+)$/i)?.[1]?.trim();
  if (bearer) {
    const key = await authenticateApiKey(bearer);
    return key ? { userId: key.userId, via: "api_key" } : null;
  }
  const session = await getServerSession(authOptions);
  return sessionIdentity(session?.user as SessionClaims | undefined);
}

/**
 * A session's user, if the session still holds: the user exists (a session can outlive its
 * user: deleted account, reset database) and has not signed out everywhere since.
 */
export async function sessionIdentity(claims: SessionClaims | undefined): Promise<Identity | null> {
  if (!claims?.id) return null;
  return (await isSessionCurrent(claims.id, claims.generation)) ? { userId: claims.id, via: "session" } : null;
}
