import "server-only";
import { allows, type Operation } from "@/server/auth/permissions";
import { db } from "@/server/db";
import { bus, type AccessChange } from "@/server/runtime/events";
import { appPermissions } from "@/server/services/access";

// Open streams (log tails, build output, dyno and add-on watches, one-off dynos) were let
// in once; access can end while they run (a member removed, a grant revoked, an app
// locked or transferred, an API key revoked). Each stream holds a watch: on every
// accessChanged event that may concern it — and every 30 s in case an event was missed —
// it asks the permission table again and ends the stream when the answer is no.

/** Who holds a stream open, on which app, for which operation, with which API key (if any). */
export type StreamHolder = { userId: string; appId: string; operation: Operation; keyId?: string | null };

export const ACCESS_RECHECK_MS = 30_000;

/** Is this user's API key still valid (not revoked, not expired)? */
export async function apiKeyIsLive(keyId: string, userId: string): Promise<boolean> {
  const key = await db.apiKey.findUnique({ where: { id: keyId }, select: { userId: true, revokedAt: true, expiresAt: true } });
  return !!key && key.userId === userId && !key.revokedAt && !(key.expiresAt && key.expiresAt < new Date());
}

/** May the holder still do this? False as well when their API key was revoked or expired. */
export async function stillAllowed(h: StreamHolder): Promise<boolean> {
  if (h.keyId && !(await apiKeyIsLive(h.keyId, h.userId))) return false;
  const app = await appPermissions({ userId: h.userId, app: h.appId });
  return !!app && allows(app.permissions, h.operation);
}

function concerns(change: AccessChange, h: StreamHolder): boolean {
  return (!change.userId || change.userId === h.userId) && (!change.appId || change.appId === h.appId);
}

/** Calls `onLost` once, when the holder's access is gone. Returns the stop function. */
export function watchAccess(h: StreamHolder & { onLost: () => void; intervalMs?: number }): () => void {
  let stopped = false;
  let running: Promise<void> | null = null;
  let again = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    bus.off("access", onChange);
    clearInterval(timer);
  };
  const check = () => {
    if (stopped) return;
    if (running) return void (again = true);
    running = (async () => {
      do {
        again = false;
        // A failed check closes the stream: the client reconnects and is checked afresh.
        const ok = await stillAllowed(h).catch((err: unknown) => {
          console.error("[access-watch] re-check failed, closing the stream:", err);
          return false;
        });
        if (stopped) return;
        if (!ok) {
          stop();
          h.onLost();
          return;
        }
      } while (again);
    })().finally(() => (running = null));
  };
  const onChange = (change: AccessChange) => concerns(change, h) && check();
  bus.on("access", onChange);
  const timer = setInterval(check, h.intervalMs ?? ACCESS_RECHECK_MS);
  timer.unref?.();
  return stop;
}

/** A signal that aborts when `signal` does or the holder's access ends; `stop` when done with it. */
export function accessBoundSignal(h: StreamHolder, signal?: AbortSignal) {
  const controller = new AbortController();
  let lost = false;
  const stopWatch = watchAccess({ ...h, onLost: () => ((lost = true), controller.abort()) });
  const onAbort = () => controller.abort();
  if (signal?.aborted) controller.abort();
  signal?.addEventListener("abort", onAbort);
  controller.signal.addEventListener("abort", stopWatch);
  return {
    signal: controller.signal,
    /** True when it was the access that ended, not the client. */
    isLost: () => lost,
    stop: () => {
      stopWatch();
      signal?.removeEventListener("abort", onAbort);
    },
  };
}

/**
 * A subscription's source, ended (not failed) when the client leaves or the holder's
 * access ends: for tRPC subscriptions (`yield* whileAllowed(...)`).
 */
export async function* whileAllowed<T>(h: StreamHolder & { signal?: AbortSignal }, source: (signal: AbortSignal) => AsyncIterable<T>): AsyncGenerator<T> {
  const guard = accessBoundSignal(h, h.signal);
  try {
    for await (const item of source(guard.signal)) {
      if (guard.signal.aborted) return;
      yield item;
    }
  } catch (err) {
    if (!guard.signal.aborted) throw err; // an abort is how the stream ends, not an error
  } finally {
    guard.stop();
  }
}
