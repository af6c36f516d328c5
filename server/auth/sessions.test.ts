import type { JWT } from "next-auth/jwt";
import { describe, expect, it } from "vitest";
import { sessionIdentity } from "@/server/auth/identity";
import { authOptions, SESSION_MAX_AGE_SECONDS, type SessionClaims } from "@/server/auth/options";
import { signOutEverywhere } from "@/server/auth/sessions";
import { db } from "@/server/db";
import { createUser } from "@/server/services/users";
import { createCaller } from "@/server/trpc/root";

const unique = () => Math.random().toString(36).slice(2, 8);

/** What next-auth does at sign-in and on every later request: jwt callback, then session callback. */
async function sessionOf(user: { id: string; generation: number }): Promise<SessionClaims> {
  const token = (await authOptions.callbacks!.jwt!({ token: { sub: user.id } as JWT, user: { ...user, email: "x" }, account: null, trigger: "signIn" })) as JWT;
  const session = await authOptions.callbacks!.session!({ session: { user: {}, expires: "" }, token, user: undefined as never, newSession: undefined, trigger: "update" });
  return session.user as SessionClaims;
}

describe("dashboard sessions", () => {
  it("last 7 days from their last use, not 30", () => {
    expect(authOptions.session?.maxAge).toBe(SESSION_MAX_AGE_SECONDS);
    expect(SESSION_MAX_AGE_SECONDS).toBe(7 * 24 * 3600);
  });

  it("sign out everywhere ends every session signed in before it, and none signed in after", async () => {
    const user = await createUser({ email: `sess-${unique()}@example.com`, password: "password 1" });
    const before = await sessionOf({ id: user.id, generation: 0 });
    expect(await sessionIdentity(before)).toEqual({ userId: user.id, via: "session" });

    await createCaller({ identity: { userId: user.id, via: "session" }, ip: null }).account.signOutEverywhere();
    expect(await sessionIdentity(before)).toBeNull();
    // A session from before generations existed (no claim) counts as generation 0: ended too.
    expect(await sessionIdentity({ id: user.id })).toBeNull();

    const { sessionGeneration } = await db.user.findUniqueOrThrow({ where: { id: user.id } });
    const after = await sessionOf({ id: user.id, generation: sessionGeneration });
    expect(await sessionIdentity(after)).toEqual({ userId: user.id, via: "session" });
    expect(await db.activityEvent.count({ where: { userId: user.id, kind: "auth.sessions_revoked" } })).toBe(1);

    await signOutEverywhere(user.id);
    expect(await sessionIdentity(after)).toBeNull();
  });

  it("a session outliving its user is no identity", async () => {
    const user = await createUser({ email: `gone-${unique()}@example.com`, password: "password 1" });
    const claims = await sessionOf({ id: user.id, generation: 0 });
    await db.user.delete({ where: { id: user.id } });
    expect(await sessionIdentity(claims)).toBeNull();
  });
});
