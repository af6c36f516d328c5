import "server-only";
// The one runtime per server process: created at boot, reached by services through
// getRuntime(). Unit tests without an Engine simply have none (pokes are no-ops).
import { Reconciler, type RuntimeOptions } from "@/server/runtime/reconciler";

const holder = globalThis as unknown as { slipwayRuntime?: Reconciler };

export function getRuntime(): Reconciler | undefined {
  return holder.slipwayRuntime;
}

export async function startRuntime(opts: RuntimeOptions): Promise<Reconciler> {
  if (holder.slipwayRuntime) return holder.slipwayRuntime;
  const runtime = new Reconciler(opts);
  holder.slipwayRuntime = runtime;
  await runtime.start();
  return runtime;
}

/**
 * Closes the process's runtime and forgets it, so the next startRuntime makes a new one
 * (a closed one left behind would be handed out again, converging nothing).
 */
export async function stopRuntime(): Promise<void> {
  const runtime = holder.slipwayRuntime;
  holder.slipwayRuntime = undefined;
  await runtime?.close();
}

/** Desired state changed for this app: converge now rather than at the next sweep. */
export function pokeApp(appId: string): Promise<void> {
  return getRuntime()?.reconcile(appId) ?? Promise.resolve();
}
