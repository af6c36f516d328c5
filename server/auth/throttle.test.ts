import { describe, expect, it } from "vitest";
import { assertNotLocked, clearFailures, LIMITS, recordFailure, throttleKeys } from "@/server/auth/throttle";
import { db } from "@/server/db";

const unique = () => Math.random().toString(36).slice(2, 8);
const at = (base: Date, ms: number) => new Date(base.getTime() + ms);
const MINUTE = 60_000;

async function refusal(keys: string[], now: Date) {
  return assertNotLocked(keys, now).then(
    () => null,
    (err: unknown) => err,
  );
}

describe("AuthThrottle counters (clock given to every call)", () => {
  it("the 10th failure in 5 minutes locks the key for 15 minutes; then it starts over", async () => {
    const keys = throttleKeys({ email: `T-${unique()}@Example.com`, ip: null });
    expect(keys).toEqual([expect.stringMatching(/^email:t-[a-z0-9]+@example\.com$/)]);
    const t0 = new Date("2026-12-06T04:00:00Z");
    for (let i = 0; i < LIMITS.failures; i++) {
      expect(await refusal(keys, at(t0, i * 1000))).toBeNull();
      await recordFailure(keys, at(t0, i * 1000));
    }
    const lockedAt = at(t0, 9000);
    const err = await refusal(keys, at(lockedAt, 1000));
    expect(err).toMatchObject({ code: "RATE_LIMITED", details: { retryAfterSeconds: 15 * 60 - 1 } });
    expect((err as Error).message).toBe("Too many failed attempts for this account or from this address. Try again in 15 minutes.");
    expect(await refusal(keys, at(lockedAt, LIMITS.lockoutMs - 1000))).toMatchObject({ details: { retryAfterSeconds: 1 } });
    // Expired: allowed again, and the next failure counts from one, not from ten.
    expect(await refusal(keys, at(lockedAt, LIMITS.lockoutMs))).toBeNull();
    await recordFailure(keys, at(lockedAt, LIMITS.lockoutMs));
    expect(await db.authThrottle.findUnique({ where: { key: keys[0] } })).toMatchObject({ failures: 1, lockedUntil: null });
  });

  it("failures further apart than the window never lock", async () => {
    const keys = throttleKeys({ email: null, ip: `192.0.2.${Math.floor(Math.random() * 250)}` });
    await db.authThrottle.deleteMany({ where: { key: { in: keys } } });
    const t0 = new Date("2026-12-06T04:00:00Z");
    for (let i = 0; i < 3 * LIMITS.failures; i++) await recordFailure(keys, at(t0, i * (LIMITS.windowMs / 5)));
    expect(await refusal(keys, at(t0, 3 * LIMITS.failures * (LIMITS.windowMs / 5)))).toBeNull();
  });

  it("per address, whatever the accounts: ten different emails from one address lock the address, not the emails", async () => {
    const ip = `198.51.100.${Math.floor(Math.random() * 250)}`;
    const t0 = new Date("2026-12-06T05:00:00Z");
    const emails = Array.from({ length: LIMITS.failures }, () => `spray-${unique()}@example.com`);
    for (const [i, email] of emails.entries()) await recordFailure(throttleKeys({ email, ip }), at(t0, i));
    expect(await refusal(throttleKeys({ email: `fresh-${unique()}@example.com`, ip }), at(t0, MINUTE))).toMatchObject({ code: "RATE_LIMITED" });
    // The same accounts from elsewhere are fine: each failed only once.
    expect(await refusal(throttleKeys({ email: emails[0], ip: "203.0.113.9" }), at(t0, MINUTE))).toBeNull();
  });

  it("parallel failures are all counted (one atomic increment each)", async () => {
    const keys = throttleKeys({ email: `par-${unique()}@example.com`, ip: null });
    const now = new Date();
    await Promise.all(Array.from({ length: LIMITS.failures }, () => recordFailure(keys, now)));
    expect(await db.authThrottle.findUnique({ where: { key: keys[0] } })).toMatchObject({ failures: LIMITS.failures, lockedUntil: expect.any(Date) });
    expect(await refusal(keys, now)).toMatchObject({ code: "RATE_LIMITED" });
    await clearFailures(keys[0]!);
    expect(await refusal(keys, now)).toBeNull();
  });

  it("forgets old counters", async () => {
    const keys = throttleKeys({ email: `old-${unique()}@example.com`, ip: null });
    const long = new Date("2026-01-01T00:00:00Z");
    await recordFailure(keys, long);
    await recordFailure(throttleKeys({ email: `new-${unique()}@example.com`, ip: null }), at(long, LIMITS.windowMs + LIMITS.lockoutMs + MINUTE));
    expect(await db.authThrottle.findUnique({ where: { key: keys[0] } })).toBeNull();
  });
});
