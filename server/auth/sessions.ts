import "server-only";
import { db } from "@/server/db";
import { recordActivity } from "@/server/services/activity";

// Dashboard sessions are JWTs (next-auth's credentials sign-in requires them), which nothing
// on the server remembers. To end them anyway, each carries the user's session generation
// from when it was signed in; "Sign out everywhere" bumps it, and identify() refuses a
// session whose generation is not the current one.

/** Ends every dashboard session of `userId`, this one included. */
export async function signOutEverywhere(userId: string): Promise<void> {
  await db.user.update({ where: { id: userId }, data: { sessionGeneration: { increment: 1 } } });
  await recordActivity({ kind: "auth.sessions_revoked", userId, message: "Signed out of every dashboard session" });
}

/** Is a session of `userId` signed in under `generation` still good? (The user exists and has not signed out everywhere since.) */
export async function isSessionCurrent(userId: string, generation: number | undefined): Promise<boolean> {
  const user = await db.user.findUnique({ where: { id: userId }, select: { sessionGeneration: true } });
  return !!user && user.sessionGeneration === (generation ?? 0);
}
