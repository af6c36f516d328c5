import "server-only";
// A pids limit for Dockerfile builds. The Engine's build API (20.10, API 1.41) takes
// memory, memswap, cpu*, shmsize, ulimits, networkmode and cgroupparent, but no pids
// limit, capabilities or security options. So each build gets its own parent cgroup whose
// pids.max bounds every container of the build (`cgroupparent`). A ulimit nproc would not
// do: it is not enforced for root, and Dockerfile steps may run as root.
// Done where it can be: the Engine on this machine with the cgroupfs driver on cgroup v1
// (this machine's setup); elsewhere the build says it runs without a pids limit.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { engineCgroup } from "@/server/build/images";

const ROOT = "/sys/fs/cgroup";

const holder = globalThis as unknown as { slipwayCgroupMode?: Promise<"v1" | null> };

async function mode(): Promise<"v1" | null> {
  holder.slipwayCgroupMode ??= (async () => {
    const host = process.env.DOCKER_HOST;
    if (host && !host.startsWith("unix://")) return null; // the Engine is elsewhere
    const cgroup = await engineCgroup();
    if (cgroup?.driver !== "cgroupfs" || cgroup.version !== "1") return null;
    try {
      fs.accessSync(path.join(ROOT, "pids"), fs.constants.W_OK);
      return "v1";
    } catch {
      return null;
    }
  })();
  return holder.slipwayCgroupMode;
}

export type BuildCgroup = { parent: string | null; release: () => void };

/** Creates the build's parent cgroup with its pids limit; `parent` is null when that cannot be done here. */
export async function buildCgroup(pidsMax: number): Promise<BuildCgroup> {
  if ((await mode()) !== "v1") return { parent: null, release: () => {} };
  const name = `slipway-build-${crypto.randomBytes(6).toString("hex")}`;
  const dir = path.join(ROOT, "pids", name);
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, "pids.max"), String(pidsMax));
  return { parent: `/${name}`, release: () => void removeEverywhere(name) };
}

/** The Engine made the parent in every hierarchy; they go once its containers have. */
async function removeEverywhere(name: string) {
  const dirs = fs
    .readdirSync(ROOT, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => path.join(ROOT, e.name, name))
    .filter((d) => fs.existsSync(d));
  for (let attempt = 0; dirs.length && attempt < 20; attempt++) {
    for (let i = dirs.length - 1; i >= 0; i--) {
      try {
        fs.rmdirSync(dirs[i]);
        dirs.splice(i, 1);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") dirs.splice(i, 1);
      }
    }
    if (dirs.length) await new Promise((r) => setTimeout(r, 500));
  }
  if (dirs.length) console.error("slipway: could not remove the build cgroups", dirs);
}
