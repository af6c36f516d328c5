import "server-only";
import { AsyncLocalStorage } from "node:async_hooks";
import { clientAddressHeader } from "@/server/audit/client-address";

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

/**
 * The caller's address, as the platform's HTTP server saw it (server/audit/client-address.ts).
 * Never X-Forwarded-For or X-Real-IP as sent: `next start` passes a client's own header
 * through, so any client could have named any address (sign-in limits, the audit trail).
 */
export function clientIp(headers: Headers | Record<string, string | string[] | undefined>): string | null {
  const name = clientAddressHeader();
  const value = headers instanceof Headers ? headers.get(name) : headers[name];
  return (Array.isArray(value) ? value[0] : value) || null;
}
