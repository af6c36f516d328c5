// The arithmetic of metrics, free of the database and the Engine: what one stats reading
// means (memory and CPU as `docker stats` computes them), how the router's cumulative
// counters become per-bucket deltas, and how buckets merge (sampler ticks into a minute,
// minutes into a 10-minute rollup).
import type { AppCounters } from "@/server/router/protocol";

export const MINUTE_MS = 60_000;
/** Bucket lengths in minutes: 1-minute rows (kept 24 h) and their 10-minute rollups (kept 7 days). */
export const FINE = 1;
export const COARSE = 10;

export function bucketStart(t: number, minutes: number): number {
  const ms = minutes * MINUTE_MS;
  return Math.floor(t / ms) * ms;
}

// ---- dyno stats -----------------------------------------------------------------------

export type MemoryStatsLike = { usage?: number; stats?: Record<string, number | undefined> };

/**
 * Memory in use as the docker CLI shows it: usage minus the inactive page cache, which the
 * kernel gives back under pressure (cgroup v1 reports it as total_inactive_file, v2 as
 * inactive_file). null when the Engine has no reading (the container just stopped).
 */
export function memoryUsed(mem: MemoryStatsLike | undefined): number | null {
  const usage = mem?.usage;
  if (typeof usage !== "number") return null;
  const stats = mem?.stats ?? {};
  const v1 = stats.total_inactive_file;
  if (v1 !== undefined && v1 < usage) return usage - v1;
  const v2 = stats.inactive_file;
  if (v2 !== undefined && v2 < usage) return usage - v2;
  return usage;
}

/** The cumulative CPU counters of one stats reading (nanoseconds). */
export type CpuReading = { total: number; system: number; onlineCpus: number };

export function cpuReading(cpu: { cpu_usage?: { total_usage?: number; percpu_usage?: number[] }; system_cpu_usage?: number; online_cpus?: number } | undefined): CpuReading | null {
  const total = cpu?.cpu_usage?.total_usage;
  const system = cpu?.system_cpu_usage;
  if (typeof total !== "number" || typeof system !== "number" || system === 0) return null;
  const onlineCpus = cpu?.online_cpus || cpu?.cpu_usage?.percpu_usage?.length || 1;
  return { total, system, onlineCpus };
}

/**
 * Cores used between two readings of one container: docker's formula (container CPU time
 * over host CPU time, times the host's CPUs), over the sampler's interval rather than
 * docker's one second. null when the counters did not move forward.
 */
export function cpuCores(prev: CpuReading, cur: CpuReading): number | null {
  const used = cur.total - prev.total;
  const elapsed = cur.system - prev.system;
  if (elapsed <= 0 || used < 0) return null;
  return (used / elapsed) * cur.onlineCpus;
}

// ---- dyno buckets ---------------------------------------------------------------------

export type DynoBucket = {
  samples: number;
  memSum: number;
  memMax: number;
  memQuota: number;
  cpuSamples: number;
  cpuSum: number;
  cpuMax: number;
  cpuQuota: number;
  dynos: number;
};

export const emptyDynoBucket = (): DynoBucket => ({
  samples: 0, memSum: 0, memMax: 0, memQuota: 0, cpuSamples: 0, cpuSum: 0, cpuMax: 0, cpuQuota: 0, dynos: 0,
});

/** Sums add up, maxima and quotas take the larger, `dynos` the most seen at once. */
export function mergeDyno(a: DynoBucket, b: DynoBucket): DynoBucket {
  return {
    samples: a.samples + b.samples,
    memSum: a.memSum + b.memSum,
    memMax: Math.max(a.memMax, b.memMax),
    memQuota: Math.max(a.memQuota, b.memQuota),
    cpuSamples: a.cpuSamples + b.cpuSamples,
    cpuSum: a.cpuSum + b.cpuSum,
    cpuMax: Math.max(a.cpuMax, b.cpuMax),
    cpuQuota: Math.max(a.cpuQuota, b.cpuQuota),
    dynos: Math.max(a.dynos, b.dynos),
  };
}

// ---- router buckets -------------------------------------------------------------------

export type RouterBucket = {
  requests: number;
  statuses: Record<string, number>;
  errors: Record<string, number>;
  latency: number[];
};

export const emptyRouterBucket = (): RouterBucket => ({ requests: 0, statuses: {}, errors: {}, latency: [] });

function addCounts(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = (out[k] ?? 0) + v;
  return out;
}

function addArrays(a: number[], b: number[]): number[] {
  return Array.from({ length: Math.max(a.length, b.length) }, (_, i) => (a[i] ?? 0) + (b[i] ?? 0));
}

export function mergeRouter(a: RouterBucket, b: RouterBucket): RouterBucket {
  return {
    requests: a.requests + b.requests,
    statuses: addCounts(a.statuses, b.statuses),
    errors: addCounts(a.errors, b.errors),
    latency: addArrays(a.latency, b.latency),
  };
}

const total = (counts: Record<string, number>) => Object.values(counts).reduce((s, n) => s + n, 0);

/**
 * What one app's router counters gained since `prev`. Counters only go up while the router
 * runs: any that went down means the router started again from zero, and then all of
 * `cur` is new. null when nothing happened.
 */
export function counterDelta(prev: AppCounters | undefined, cur: AppCounters): RouterBucket | null {
  const wentDown =
    prev !== undefined &&
    (Object.entries(prev.status).some(([k, v]) => (cur.status[k] ?? 0) < v) ||
      Object.entries(prev.codes).some(([k, v]) => (cur.codes[k] ?? 0) < v) ||
      prev.latency.some((v, i) => (cur.latency[i] ?? 0) < v));
  const base = prev && !wentDown ? prev : { status: {}, codes: {}, latency: [] as number[] };
  const statuses = Object.fromEntries(
    Object.entries(cur.status)
      .map(([k, v]) => [k, v - (base.status[k] ?? 0)] as const)
      .filter(([, v]) => v > 0),
  );
  const requests = total(statuses);
  if (requests === 0) return null;
  const errors = Object.fromEntries(
    Object.entries(cur.codes)
      .map(([k, v]) => [k, v - (base.codes[k] ?? 0)] as const)
      .filter(([, v]) => v > 0),
  );
  const latency = cur.latency.map((v, i) => Math.max(0, v - (base.latency[i] ?? 0)));
  return { requests, statuses, errors, latency };
}

/**
 * The q-quantile (0..1) of a response-time histogram, interpolated linearly inside the
 * bucket it falls in (`bounds` are the buckets' upper bounds in ms; the last bucket counts
 * anything slower and reports the largest bound). null for an empty histogram.
 */
export function percentile(histogram: number[], bounds: readonly number[], q: number): number | null {
  const count = histogram.reduce((s, n) => s + n, 0);
  if (count === 0 || bounds.length === 0) return null;
  const rank = q * count;
  let below = 0;
  for (let i = 0; i < histogram.length; i++) {
    const n = histogram[i] ?? 0;
    if (n > 0 && below + n >= rank) {
      if (i >= bounds.length) return bounds[bounds.length - 1]!;
      const lower = i === 0 ? 0 : bounds[i - 1]!;
      const upper = bounds[i]!;
      return Math.round((lower + ((upper - lower) * (rank - below)) / n) * 10) / 10;
    }
    below += n;
  }
  return bounds[bounds.length - 1]!;
}
