import "server-only";
// Ephemeral disk per dyno: the Engine can cap a container's writable layer (`StorageOpt
// size`) only with some storage drivers (overlay2 on xfs mounted with pquota, btrfs, zfs,
// devicemapper). Whether this host can is found out once, by asking the Engine to create a
// capped container; the answer is logged at start and the cap is applied when it works.
import { env } from "@/server/env";
import { docker, STACK_IMAGE } from "@/server/runtime/docker";

export type DiskLimitSupport = { supported: true; sizeMb: number } | { supported: false; reason: string };

let probe: Promise<DiskLimitSupport> | undefined;

async function detect(): Promise<DiskLimitSupport> {
  const d = docker();
  const info = (await d.info()) as { Driver?: string; DriverStatus?: [string, string][] };
  const driver = info.Driver ?? "unknown";
  const backing = info.DriverStatus?.find(([k]) => k === "Backing Filesystem")?.[1];
  const where = `the Engine's ${driver} storage driver${backing ? ` on ${backing}` : ""}`;
  try {
    const c = await d.createContainer({ Image: STACK_IMAGE, Cmd: ["true"], Labels: { "slipway.probe": "storage-opt" }, HostConfig: { StorageOpt: { size: "64M" } } });
    await c.remove({ force: true }).catch(() => undefined);
    return { supported: true, sizeMb: env().SLIPWAY_QUOTA_DYNO_DISK_MB };
  } catch (err) {
    const detail = String((err as { json?: { message?: string } }).json?.message ?? (err as Error).message).trim();
    return {
      supported: false,
      reason: `Dyno disk is not limited: ${where} cannot cap a container's writable layer (${detail}). A dyno can fill the host's disk; use overlay2 on xfs mounted with pquota (or btrfs/zfs) to enforce SLIPWAY_QUOTA_DYNO_DISK_MB.`,
    };
  }
}

/** Whether dynos get a disk cap here, and why not; asked of the Engine once. */
export function diskLimitSupport(): Promise<DiskLimitSupport> {
  return (probe ??= detect().catch((err: unknown) => ({ supported: false as const, reason: `Dyno disk is not limited: the Engine could not be asked (${(err as Error).message}).` })));
}

/** The HostConfig.StorageOpt for a dyno container: the cap where this host supports one. */
export async function dynoStorageOpt(): Promise<{ size: string } | undefined> {
  const support = await diskLimitSupport();
  return support.supported ? { size: `${support.sizeMb}M` } : undefined;
}

/** Logged once at start: say clearly when disk is not capped. */
export async function reportDiskLimit() {
  const support = await diskLimitSupport();
  if (support.supported) console.log(`slipway: dyno disk is capped at ${support.sizeMb} MB (the Engine's StorageOpt size)`);
  else console.warn(`slipway: ${support.reason}`);
}
