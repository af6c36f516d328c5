import "server-only";
// The two readers behind the charts. DynoSampler asks the runtime driver about every
// running formation dyno of this installation and adds memory and CPU per app and process
// type into the current minute. RouterReader turns the router's cumulative counters
// (router/stats.json) into what happened since its previous read.
import fs from "node:fs";
import path from "node:path";
import { BUCKETS } from "@/server/router/counters";
import type { RouterStats } from "@/server/router/protocol";
import { runtimeDriver, type Dyno, type RuntimeDriver } from "@/server/runtime/driver";
import { bus, runtimeEventsFlowing } from "@/server/runtime/events";
import { dynoSize } from "@/server/runtime/sizes";
import {
  FINE,
  bucketStart,
  counterDelta,
  cpuCores,
  emptyDynoBucket,
  mergeDyno,
  type CpuReading,
  type DynoBucket,
  type RouterBucket,
} from "@/server/metrics/aggregate";
import { addDynoSamples, addRouterDeltas } from "@/server/metrics/store";

const STATS_CONCURRENCY = 4;

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<PromiseSettledResult<R>[]> {
  const results: PromiseSettledResult<R>[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) {
      try {
        results[i] = { status: "fulfilled", value: await fn(items[i]!) };
      } catch (reason) {
        results[i] = { status: "rejected", reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export type DynoSample = { appId: string; type: string; dyno: string; memoryBytes: number | null; cpuCores: number | null };

/** A kept dyno list is asked for again after this long, events or not. */
const LIST_MAX_AGE_MS = 60_000;
/**
 * An exit reaches the event stream before the Engine's list says so: a list this soon after
 * a container event is used once, not kept.
 */
const EVENT_SETTLE_MS = 2_000;

export class DynoSampler {
  /** The previous CPU reading of each container: CPU use is the difference between two. */
  private previous = new Map<string, CpuReading>();
  /**
   * The running dynos as last listed, kept while the runtime's events flow and none came
   * since (a start, an exit, a standby promoted): an idle installation's rounds read the
   * kernel's counters without asking the Engine for its container list each time.
   */
  private listed: { dynos: Dyno[]; at: number; generation: number } | null = null;
  private generation = 0;
  private lastEventAt = 0;
  private readonly onContainer = () => {
    this.generation++;
    this.lastEventAt = Date.now();
  };

  constructor(
    private readonly installation: string,
    private readonly driver: RuntimeDriver = runtimeDriver(),
  ) {
    bus.on("container", this.onContainer);
  }

  close() {
    bus.off("container", this.onContainer);
  }

  private async running(): Promise<Dyno[]> {
    const kept = this.listed;
    if (kept && kept.generation === this.generation && Date.now() - kept.at < LIST_MAX_AGE_MS && runtimeEventsFlowing()) return kept.dynos;
    const generation = this.generation;
    const at = Date.now();
    const dynos = (await this.driver.listDynos(this.installation)).filter((c) => c.status === "running" && !c.oneOff);
    this.listed = at - this.lastEventAt >= EVENT_SETTLE_MS ? { dynos, at, generation } : null;
    return dynos;
  }

  /** One tick: reads every running dyno and adds the readings to the current minute. */
  async sample(now = Date.now()): Promise<DynoSample[]> {
    const dynos = await this.running();
    const settled = await mapLimit(dynos, STATS_CONCURRENCY, async (c) => ({ c, stats: await this.driver.dynoStats(c.id, { installation: this.installation, appId: c.appId }) }));
    const seen = new Set<string>();
    const samples: DynoSample[] = [];
    const groups = new Map<string, { appId: string; type: string; bucket: DynoBucket }>();
    let failure: unknown;
    for (const r of settled) {
      if (r.status === "rejected") {
        failure ??= r.reason;
        continue;
      }
      const { c, stats } = r.value;
      if (!stats) {
        this.listed = null; // gone since it was listed: list again next round
        continue;
      }
      seen.add(c.id);
      const { memoryBytes, cpu: reading } = stats;
      const prev = this.previous.get(c.id);
      const cores = prev && reading ? cpuCores(prev, reading) : null;
      if (reading) this.previous.set(c.id, reading);
      samples.push({ appId: c.appId, type: c.type, dyno: c.dyno, memoryBytes, cpuCores: cores });
      const key = `${c.appId}\t${c.type}`;
      const group = groups.get(key) ?? { appId: c.appId, type: c.type, bucket: emptyDynoBucket() };
      group.bucket = mergeDyno(group.bucket, {
        ...this.quota(c),
        samples: memoryBytes === null ? 0 : 1,
        memSum: memoryBytes ?? 0,
        memMax: memoryBytes ?? 0,
        cpuSamples: cores === null ? 0 : 1,
        cpuSum: cores ?? 0,
        cpuMax: cores ?? 0,
        dynos: 0,
      });
      group.bucket.dynos += 1; // dynos of this type running in this tick
      groups.set(key, group);
    }
    for (const id of this.previous.keys()) if (!seen.has(id)) this.previous.delete(id);
    await addDynoSamples(new Date(bucketStart(now, FINE)), groups);
    if (failure) throw failure; // after storing what was read: one bad container costs only its own sample
    return samples;
  }

  private quota(c: Dyno): { memQuota: number; cpuQuota: number } {
    const size = dynoSize(c.size);
    return size ? { memQuota: size.memoryMb * 1024 * 1024, cpuQuota: Math.min(size.cpus, this.driver.cpuCap()) } : { memQuota: 0, cpuQuota: 0 };
  }
}


// ---- router counters ------------------------------------------------------------------

/** A previous read older than this is not spread over one minute: the reader starts over from it. */
const STALE_MS = 10 * 60_000;

type Baseline = Pick<RouterStats, "at" | "startedAt" | "apps">;

function readJson<T>(file: string): T | null {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as T;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new Error(`${path.basename(file)} could not be read: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * Reads router/stats.json and stores what each app's counters gained since the previous
 * read, in the minute that read interval's middle falls in. The previous read is kept in
 * `baselineFile` too, so a restart of the control plane loses nothing. The router writes
 * `startedAt`: a new value means its counters began again from zero.
 */
export class RouterReader {
  private baseline: Baseline | null | undefined;

  constructor(
    private readonly statsFile: string,
    private readonly baselineFile: string,
  ) {}

  /** Returns the number of apps whose requests were stored. */
  async read(): Promise<number> {
    const cur = readJson<RouterStats>(this.statsFile);
    if (!cur) return 0; // no router has written counters yet
    if (JSON.stringify(cur.buckets) !== JSON.stringify(BUCKETS)) {
      throw new Error(`router/stats.json uses response-time buckets ${JSON.stringify(cur.buckets)}, this control plane ${JSON.stringify(BUCKETS)}: restart the router`);
    }
    if (this.baseline === undefined) this.baseline = readJson<Baseline>(this.baselineFile);
    const restarted = !this.baseline || this.baseline.startedAt !== cur.startedAt;
    // After a router (re)start everything it counted is new: measure from its start.
    const prev: Baseline = restarted ? { at: cur.startedAt, startedAt: cur.startedAt, apps: {} } : this.baseline!;
    const from = Date.parse(prev.at);
    const to = Date.parse(cur.at);
    if (to === from && !restarted) return 0; // the router has not written since
    let stored = 0;
    if (to - from <= STALE_MS && to >= from) {
      const deltas = new Map<string, RouterBucket>();
      for (const [appId, counters] of Object.entries(cur.apps)) {
        const delta = counterDelta(prev.apps[appId], counters);
        if (delta) deltas.set(appId, delta);
      }
      stored = await addRouterDeltas(new Date(bucketStart(from + (to - from) / 2, FINE)), deltas);
    }
    // Only once stored: a failed write is retried with the next read's larger delta.
    this.baseline = { at: cur.at, startedAt: cur.startedAt, apps: cur.apps };
    fs.mkdirSync(path.dirname(this.baselineFile), { recursive: true });
    const tmp = `${this.baselineFile}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(this.baseline));
    fs.renameSync(tmp, this.baselineFile);
    return stored;
  }
}
