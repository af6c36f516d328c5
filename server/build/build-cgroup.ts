import "server-only";
// A pids limit for Dockerfile builds. The Engine's build API (20.10, API 1.41) takes
// memory, memswap, cpu*, shmsize, ulimits, networkmode and cgroupparent, but no pids
// limit, capabilities or security options. So each build gets its own parent cgroup whose
// pids.max bounds every container of the build (`cgroupparent`). A ulimit nproc would not
// do: it is not enforced for root, and Dockerfile steps may run as root.
// Done where it can be (server/runtime/cgroups.ts); elsewhere the build says it runs
// without a pids limit.
import crypto from "node:crypto";
import { cgroupMode, makeCgroup, removeCgroupEverywhere } from "@/server/runtime/cgroups";

export type BuildCgroup = { parent: string | null; release: () => void };

/** Creates the build's parent cgroup with its pids limit; `parent` is null when that cannot be done here. */
export async function buildCgroup(pidsMax: number): Promise<BuildCgroup> {
  if ((await cgroupMode()) !== "v1") return { parent: null, release: () => {} };
  const name = `slipway-build-${crypto.randomBytes(6).toString("hex")}`;
  makeCgroup("pids", name, { "pids.max": String(pidsMax) });
  return {
    parent: `/${name}`,
    release: () =>
      void removeCgroupEverywhere(name).then((gone) => {
        if (!gone) console.error("slipway: could not remove the build cgroups", name);
      }),
  };
}
