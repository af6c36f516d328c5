import "server-only";
// Parent cgroups the platform makes for the Engine's containers (`CgroupParent`), where it
// can: an Engine on this machine with the cgroupfs driver on cgroup v1, the hierarchies
// writable by us (root). Elsewhere callers go without, and say so.
import fs from "node:fs";
import path from "node:path";
import { engineCgroupInfo } from "@/server/runtime/docker";

export const CGROUP_ROOT = "/sys/fs/cgroup";

const holder = globalThis as unknown as { slipwayCgroupMode?: Promise<"v1" | null> };

/** "v1" when parent cgroups can be made and tuned here. */
export function cgroupMode(): Promise<"v1" | null> {
  holder.slipwayCgroupMode ??= (async () => {
    const host = process.env.DOCKER_HOST;
    if (host && !host.startsWith("unix://")) return null; // the Engine is elsewhere
    const info = await engineCgroupInfo();
    if (info?.driver !== "cgroupfs" || info.version !== "1") return null;
    try {
      fs.accessSync(path.join(CGROUP_ROOT, "pids"), fs.constants.W_OK);
      fs.accessSync(path.join(CGROUP_ROOT, "cpu"), fs.constants.W_OK);
      return "v1";
    } catch {
      return null;
    }
  })();
  return holder.slipwayCgroupMode;
}

/** Makes `rel` (e.g. "slipway-x/app") in one controller's hierarchy and writes settings into it. */
export function makeCgroup(controller: string, rel: string, settings: Record<string, string>) {
  const dir = path.join(CGROUP_ROOT, controller, rel);
  fs.mkdirSync(dir, { recursive: true });
  for (const [file, value] of Object.entries(settings)) fs.writeFileSync(path.join(dir, file), value);
}

/**
 * Removes `rel` from every hierarchy once the Engine's containers have left it (the Engine
 * makes a parent in each). Retries for up to `waitMs`; a cgroup still in use stays.
 */
export async function removeCgroupEverywhere(rel: string, waitMs = 10_000): Promise<boolean> {
  const dirs = fs
    .readdirSync(CGROUP_ROOT, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => path.join(CGROUP_ROOT, e.name, rel))
    .filter((d) => fs.existsSync(d));
  const deadline = Date.now() + waitMs;
  while (dirs.length) {
    for (let i = dirs.length - 1; i >= 0; i--) {
      try {
        fs.rmdirSync(dirs[i]);
        dirs.splice(i, 1);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") dirs.splice(i, 1);
      }
    }
    if (!dirs.length || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  return dirs.length === 0;
}
