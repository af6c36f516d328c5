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

/** Desired state changed for this app: converge now rather than at the next sweep. */
export function pokeApp(appId: string): Promise<void> {
  return getRuntime()?.reconcile(appId) ?? Promise.resolve();
}
