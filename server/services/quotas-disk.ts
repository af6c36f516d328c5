import "server-only";
// Ephemeral disk per dyno: capped only where the runtime can (the engine driver asks the
// Engine once whether its storage driver takes a container size). The answer is logged at
// start; the runtime driver applies the cap to each dyno it creates when it works.
import { runtimeDriver, type DiskLimitSupport } from "@/server/runtime/driver";

/** Whether dynos get a disk cap here, and why not; asked of the runtime once. */
export function diskLimitSupport(): Promise<DiskLimitSupport> {
  return runtimeDriver().diskLimit();
}

/** Logged once at start: say clearly when disk is not capped. */
export async function reportDiskLimit() {
  const support = await diskLimitSupport();
  if (support.supported) console.log(`slipway: dyno disk is capped at ${support.sizeMb} MB (the Engine's StorageOpt size)`);
  else console.warn(`slipway: ${support.reason}`);
}
