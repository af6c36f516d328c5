import "server-only";
import { AsyncLocalStorage } from "node:async_hooks";

// Where a change came from, for the audit trail: each door (tRPC, the Platform API, git,
// the app/api route handlers) runs its handler inside withOrigin(...), and services that
// record activity read currentOrigin(). Services keep their plain arguments; this is the
// one thing they learn from the request, and only for the record.

export type Via = "dashboard" | "cli" | "git" | "api" | "system";
export type Origin = { userId: string | null; via: Via; ip: string | null };

const storage = new AsyncLocalStorage<Origin>();
const SYSTEM: Origin = { userId: null, via: "system", ip: null };

export function withOrigin<T>(origin: Origin, fn: () => T): T {
  return storage.run(origin, fn);
}

export function currentOrigin(): Origin {
  return storage.getStore() ?? SYSTEM;
}

/** The caller's address as Next.js's server reports it (first X-Forwarded-For hop). */
export function clientIp(headers: Headers): string | null {
  const forwarded = headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  return forwarded || headers.get("x-real-ip") || null;
}
