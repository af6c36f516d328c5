import "server-only";
// A dyno's memory and CPU read from the kernel's cgroup v1 counters, where the platform put
// the dyno in its app's parent cgroup (dyno-cgroup.ts). The Engine's stats API answers the
// same figures from the same files, but each call costs the Engine (and the control plane)
// a request, a JSON body and ~1 s of its time on a busy host: with 200 dynos a sampling
// round took ~30 s and ~195 calls an idle minute (bench/control-plane). Three small reads
// here instead. The files' meaning is the Engine's own: usage minus inactive page cache
// (as `docker stats` shows on v1), cpuacct.usage in ns against /proc/stat's total.
import fs from "node:fs";
import path from "node:path";
import { memoryUsed } from "@/server/metrics/aggregate";
import { CGROUP_ROOT } from "@/server/runtime/cgroups";
import { installationCgroup } from "@/server/runtime/dyno-cgroup";
import type { DynoStats } from "@/server/runtime/driver";

/** USER_HZ: /proc/stat counts in 1/100 s on Linux (the Engine assumes the same). */
const CLOCK_TICKS = 100;

let hostCpuRead: { at: number; value: { system: number; onlineCpus: number } } | undefined;

/**
 * The host's CPU time in ns and its online CPUs (the Engine's system_cpu_usage /
 * online_cpus). Read once for a sampling round's dynos (within 100 ms), not once per dyno:
 * /proc/stat is a few KB the kernel renders at each read.
 */
export function hostCpu(now = Date.now()): { system: number; onlineCpus: number } {
  if (hostCpuRead && now - hostCpuRead.at < 100) return hostCpuRead.value;
  const stat = fs.readFileSync("/proc/stat", "utf8");
  let system = 0;
  let onlineCpus = 0;
  for (const line of stat.split("\n")) {
    if (line.startsWith("cpu ")) {
      // user nice system idle iowait irq softirq: the seven the Engine adds up (not steal)
      const fields = line.trim().split(/\s+/).slice(1, 8).map(Number);
      system = (fields.reduce((a, b) => a + b, 0) * 1e9) / CLOCK_TICKS;
    } else if (/^cpu\d/.test(line)) onlineCpus++;
  }
  const value = { system, onlineCpus: onlineCpus || 1 };
  hostCpuRead = { at: now, value };
  return value;
}

/** memory.stat's page cache the kernel can drop at once (what `docker stats` leaves out on v1). */
const INACTIVE_FILE = /^total_inactive_file (\d+)$/m;

/**
 * One reading of the container `id` in the app's cgroup, or undefined when it is not there
 * (not in a platform cgroup, another host, gone): the caller then asks the Engine.
 */
export function cgroupDynoStats(where: { installation: string; appId: string }, id: string): DynoStats | undefined {
  const rel = path.join(installationCgroup(where.installation), where.appId, id);
  try {
    // Synchronous: cgroup files are rendered by the kernel on read and never block; a
    // promise read is four thread-pool round trips (open, stat, read, close) per file, and a
    // round reads 600 files for 200 dynos.
    const usage = fs.readFileSync(path.join(CGROUP_ROOT, "memory", rel, "memory.usage_in_bytes"), "utf8");
    const memStat = fs.readFileSync(path.join(CGROUP_ROOT, "memory", rel, "memory.stat"), "utf8");
    const cpuUsage = fs.readFileSync(path.join(CGROUP_ROOT, "cpuacct", rel, "cpuacct.usage"), "utf8");
    const host = hostCpu();
    const used = Number(usage);
    const inactive = INACTIVE_FILE.exec(memStat)?.[1];
    const total = Number(cpuUsage);
    if (!Number.isFinite(used) || !Number.isFinite(total)) return undefined;
    return {
      // The same arithmetic as for the Engine's answer (its memory_stats carry these files).
      memoryBytes: memoryUsed({ usage: used, stats: inactive === undefined ? {} : { total_inactive_file: Number(inactive) } }),
      cpu: host.system > 0 ? { total, system: host.system, onlineCpus: host.onlineCpus } : null,
    };
  } catch {
    // Gone (ENOENT), or its cgroup being torn down as the container exits (ENODEV): the
    // Engine knows what became of it.
    return undefined;
  }
}
