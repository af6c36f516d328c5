import "server-only";
import { lockoutMessage } from "@/server/auth/lockout-message";
import { db } from "@/server/db";
import { AppError } from "@/server/errors";

// Failed sign-ins (dashboard, `heroku login -i`) and refused sign-ups, counted per account
// ("email:<address>") and per client address ("ip:<address>") in the AuthThrottle table, so
// the counts survive restarts and hold on PGlite and PostgreSQL alike. After LIMITS.failures
// failures within LIMITS.windowMs, the key is locked for LIMITS.lockoutMs: every attempt on
// it is refused before any password is checked (so a lockout is no oracle). Successes are
// never counted, and one resets its account's count (not its address's: a guesser with an
// account of their own could otherwise reset their address between guesses). Every function
// takes `now`, so tests move the clock instead of waiting.

export const LIMITS = { failures: 10, windowMs: 5 * 60_000, lockoutMs: 15 * 60_000 } as const;

const MAX_KEY_PART = 254; // the longest email address; longer input is cut, not stored whole

/** The counters an attempt touches: the account's and the address's (when known). */
export function throttleKeys(attempt: { email?: string | null; ip?: string | null }): string[] {
  const keys: string[] = [];
  const email = attempt.email?.trim().toLowerCase().slice(0, MAX_KEY_PART);
  if (email) keys.push(`email:${email}`);
  if (attempt.ip) keys.push(`ip:${attempt.ip.slice(0, MAX_KEY_PART)}`);
  return keys;
}

/** Refuses with RATE_LIMITED (429 + Retry-After) while any of `keys` is locked. */
export async function assertNotLocked(keys: string[], now: Date = new Date()): Promise<void> {
  if (!keys.length) return;
  const locked = await db.authThrottle.findMany({
    where: { key: { in: keys }, lockedUntil: { gt: now } },
    select: { lockedUntil: true },
  });
  if (!locked.length) return;
  const until = Math.max(...locked.map((row) => row.lockedUntil!.getTime()));
  const retryAfterSeconds = Math.max(1, Math.ceil((until - now.getTime()) / 1000));
  throw new AppError("RATE_LIMITED", lockoutMessage(retryAfterSeconds), { retryAfterSeconds });
}

/** Counts one failure on each key; the LIMITS.failures-th in a window locks the key. */
export async function recordFailure(keys: string[], now: Date = new Date()): Promise<void> {
  for (const key of keys) await countFailure(key, now);
  // Counters nobody failed on for a window and a lockout are forgotten (failures are rare,
  // so this runs rarely, and the table stays the size of the recent attacks).
  await db.authThrottle.deleteMany({
    where: {
      windowStart: { lt: new Date(now.getTime() - LIMITS.windowMs - LIMITS.lockoutMs) },
      OR: [{ lockedUntil: null }, { lockedUntil: { lt: now } }],
    },
  });
}

async function countFailure(key: string, now: Date) {
  // The increment is one atomic upsert, so parallel guesses cannot slip under the limit.
  for (let attempt = 0; attempt < 3; attempt++) {
    const row = await db.authThrottle.upsert({
      where: { key },
      create: { key, failures: 1, windowStart: now },
      update: { failures: { increment: 1 } },
    });
    const windowOver = row.windowStart.getTime() <= now.getTime() - LIMITS.windowMs;
    const lockOver = row.lockedUntil !== null && row.lockedUntil.getTime() <= now.getTime();
    if (windowOver || lockOver) {
      // A stale window (or a served lockout) starts over with this failure; only one of
      // several racing requests wins the reset, the others count again in the new window.
      const reset = await db.authThrottle.updateMany({
        where: { key, windowStart: row.windowStart },
        data: { failures: 1, windowStart: now, lockedUntil: null },
      });
      if (reset.count === 1) return;
      continue;
    }
    if (row.failures >= LIMITS.failures && row.lockedUntil === null) {
      await db.authThrottle.update({ where: { key }, data: { lockedUntil: new Date(now.getTime() + LIMITS.lockoutMs) } });
    }
    return;
  }
}

/** A success: the account starts again from zero. */
export async function clearFailures(key: string): Promise<void> {
  await db.authThrottle.deleteMany({ where: { key } });
}
