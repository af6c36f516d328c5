import { afterEach, describe, expect, it, vi } from "vitest";
import { withOrigin } from "@/server/audit/origin";
import { costOf, dummyPasswordHash, verifyPassword } from "@/server/auth/password";
import { signInWithPassword } from "@/server/auth/sign-in";
import { LIMITS } from "@/server/auth/throttle";
import { db } from "@/server/db";
import { createUser } from "@/server/services/users";

// Counting bcrypt compares, not timing them: an unknown email must cost a compare against a
// hash of the same cost as a real one.
vi.mock("@/server/auth/password", async (importOriginal) => {
  const original = await importOriginal<typeof import("@/server/auth/password")>();
  return { ...original, verifyPassword: vi.fn(original.verifyPassword) };
});

const unique = () => Math.random().toString(36).slice(2, 8);
const compares = vi.mocked(verifyPassword);

afterEach(() => compares.mockClear());

describe("signInWithPassword", () => {
  it("unknown and malformed emails run one bcrypt compare at the real hashes' cost, like a wrong password", async () => {
    const user = await createUser({ email: `known-${unique()}@example.com`, password: "right password" });
    const { passwordHash } = await db.user.findUniqueOrThrow({ where: { id: user.id } });

    expect(await signInWithPassword({ email: user.email, password: "wrong password", ip: null })).toBeNull();
    expect(compares.mock.calls).toEqual([["wrong password", passwordHash]]);
    compares.mockClear();

    for (const email of [`nobody-${unique()}@example.com`, "not an email"]) {
      expect(await signInWithPassword({ email, password: "wrong password", ip: null })).toBeNull();
    }
    expect(compares.mock.calls).toEqual([
      ["wrong password", dummyPasswordHash()],
      ["wrong password", dummyPasswordHash()],
    ]);
    expect(costOf(dummyPasswordHash())).toBe(costOf(passwordHash));
  });

  it("records failures in the audit trail with the email tried and never the password", async () => {
    const user = await createUser({ email: `audited-${unique()}@example.com`, password: "right password" });
    const stranger = `stranger-${unique()}@example.com`;
    await withOrigin({ userId: null, via: "cli", ip: "192.0.2.44" }, async () => {
      await signInWithPassword({ email: user.email, password: "hunter2-secret", ip: "192.0.2.44" });
      await signInWithPassword({ email: stranger, password: "hunter3-secret", ip: "192.0.2.44" });
    });
    const events = await db.activityEvent.findMany({
      where: { kind: "auth.sign_in_failed", actorEmail: { in: [user.email, stranger] } },
      orderBy: { createdAt: "asc" },
    });
    expect(events).toMatchObject([
      { userId: user.id, actorEmail: user.email, via: "cli", ip: "192.0.2.44", message: `Failed sign-in as ${user.email}` },
      { userId: null, actorEmail: stranger, via: "cli", ip: "192.0.2.44", message: `Failed sign-in as ${stranger}` },
    ]);
    expect(JSON.stringify(events)).not.toMatch(/hunter/);
    // A success is not an event here, and resets the account's count.
    expect(await signInWithPassword({ email: user.email, password: "right password", ip: null })).toMatchObject({ id: user.id });
    expect(await db.authThrottle.findUnique({ where: { key: `email:${user.email}` } })).toBeNull();
  });

  // bcryptjs at cost 12 takes a second or more per compare on a busy 2-core machine.
  it("a locked account is refused before its password is looked at, even the right one, until the lockout ends", { timeout: 180_000 }, async () => {
    const user = await createUser({ email: `locked-${unique()}@example.com`, password: "right password" });
    const t0 = new Date();
    for (let i = 0; i < LIMITS.failures; i++) await signInWithPassword({ email: user.email, password: "nope", ip: null, now: t0 });
    compares.mockClear();
    await expect(signInWithPassword({ email: user.email, password: "right password", ip: null, now: t0 })).rejects.toMatchObject({ code: "RATE_LIMITED" });
    expect(compares).not.toHaveBeenCalled();
    const later = new Date(t0.getTime() + LIMITS.lockoutMs + 1000);
    expect(await signInWithPassword({ email: user.email, password: "right password", ip: null, now: later })).toMatchObject({ id: user.id });
  });
});
