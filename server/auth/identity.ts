import "server-only";
import { getServerSession } from "next-auth";
import { authOptions } from "@/server/auth/options";
import { db } from "@/server/db";
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
  const userId = (session?.user as { id?: string } | undefined)?.id;
  if (!userId) return null;
  // A session can outlive its user (deleted account, reset database).
  const exists = await db.user.findUnique({ where: { id: userId }, select: { id: true } });
  return exists ? { userId, via: "session" } : null;
}
