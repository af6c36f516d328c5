import "server-only";
// CPU fairness between tenants. The Engine puts every container in one flat group, each
// weighing the same, so an app with four busy dynos (or one that forks) takes four shares
// of the CPU from an app with one. Here each app gets a parent cgroup of its own under
// the installation's, all with the same cpu.shares: under contention the CPU is split
// between apps, not between containers, and an app that was idle is scheduled first when
// its request arrives (its group's runtime is behind). Each dyno's own CPU cap (its size's
// NanoCpus) still applies inside. Where parent cgroups cannot be made (cgroups.ts),
// dynos stay in the Engine's flat group; the boot log says so once.
import fs from "node:fs";
import path from "node:path";
import { CGROUP_ROOT, cgroupMode, makeCgroup, removeCgroupEverywhere } from "@/server/runtime/cgroups";

/** The installation's group: "slipway-<installation>". */
export const installationCgroup = (installation: string) => `slipway-${installation}`;

const holder = globalThis as unknown as { slipwayDynoCgroupNoted?: boolean };

/** The CgroupParent for a dyno of this app, or undefined where there is none here. */
export async function dynoCgroupParent(installation: string, appId: string): Promise<string | undefined> {
  if ((await cgroupMode()) !== "v1") {
    if (!holder.slipwayDynoCgroupNoted) console.log("slipway: dynos share the Engine's flat cgroup here (CPU is split per container, not per app)");
    holder.slipwayDynoCgroupNoted = true;
    return undefined;
  }
  const rel = `${installationCgroup(installation)}/${appId}`;
  makeCgroup("cpu", rel, { "cpu.shares": "1024" });
  return `/${rel}`;
}

/** Drops the app's group once its last container has gone (the Engine made it in every hierarchy). */
export async function removeDynoCgroup(installation: string, appId: string) {
  if ((await cgroupMode()) !== "v1") return;
  await removeCgroupEverywhere(`${installationCgroup(installation)}/${appId}`, 2_000);
}

/** Drops the installation's groups (tests and benches, after their dynos have gone). */
export async function removeInstallationCgroups(installation: string) {
  if ((await cgroupMode()) !== "v1") return;
  const top = installationCgroup(installation);
  const apps = new Set<string>();
  for (const hierarchy of fs.readdirSync(CGROUP_ROOT)) {
    const dir = path.join(CGROUP_ROOT, hierarchy, top);
    if (!fs.existsSync(dir)) continue;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) apps.add(e.name);
  }
  for (const app of apps) await removeCgroupEverywhere(`${top}/${app}`, 2_000);
  await removeCgroupEverywhere(top, 2_000);
}
