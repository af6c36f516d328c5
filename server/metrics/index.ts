import "server-only";
// The metrics service: started once per server process (server/boot.ts) beside the dyno
// manager. Three loops on their own timers — dyno samples, router counters, rollup and
// retention — each waiting for its previous run, none able to throw out of its timer.
import path from "node:path";
import { routerFile } from "@/server/router/protocol";
import { recordCrashes } from "@/server/metrics/markers";
import { DynoSampler, RouterReader } from "@/server/metrics/sampler";
import { firstWindowToRollUp, prune, rollUp } from "@/server/metrics/store";

export type MetricsOptions = {
  installation: string;
  dataDir: string;
  /** Dyno stats are read this often (default 10 s). */
  sampleIntervalMs: number;
  /** router/stats.json is read this often (default 60 s). */
  routerIntervalMs: number;
  /** Rollup to 10-minute points and retention run this often (default 5 min). */
  rollupIntervalMs: number;
};

/** One failing loop logs once, then again only when its error changes or every 10 minutes. */
const REPEAT_LOG_MS = 10 * 60_000;

export class MetricsService {
  private timers = new Set<NodeJS.Timeout>();
  private closed = false;
  private rolledUntil: number | undefined;
  private readonly sampler: DynoSampler;
  private readonly router: RouterReader;
  private stopCrashes: (() => void) | undefined;
  private lastError = new Map<string, { message: string; at: number }>();
  /** Finished runs per loop, failed ones included. */
  readonly runs: Record<string, number> = {};

  constructor(readonly opts: MetricsOptions) {
    this.sampler = new DynoSampler(opts.installation);
    this.router = new RouterReader(routerFile(opts.dataDir, "stats"), path.join(opts.dataDir, "metrics", "router-baseline.json"));
  }

  start() {
    this.stopCrashes = recordCrashes();
    this.loop("dyno sampler", this.opts.sampleIntervalMs, () => this.sampler.sample());
    this.loop("router counters", this.opts.routerIntervalMs, () => this.router.read());
    this.loop("rollup", this.opts.rollupIntervalMs, () => this.rollUpAndPrune());
  }

  close() {
    this.closed = true;
    this.sampler.close();
    this.stopCrashes?.();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  async rollUpAndPrune(now = Date.now()) {
    this.rolledUntil = await rollUp(this.rolledUntil ?? (await firstWindowToRollUp(now)), now);
    await prune(now);
  }

  /** Runs `work` now and then every `intervalMs` after the previous run ended. */
  private loop(name: string, intervalMs: number, work: () => Promise<unknown>) {
    const run = async () => {
      if (this.closed) return;
      try {
        await work();
        this.lastError.delete(name);
      } catch (err) {
        this.report(name, err);
      }
      this.runs[name] = (this.runs[name] ?? 0) + 1;
      if (this.closed) return;
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        void run();
      }, intervalMs);
      timer.unref();
      this.timers.add(timer);
    };
    void run();
  }

  private report(name: string, err: unknown) {
    const message = err instanceof Error ? err.message : String(err);
    const last = this.lastError.get(name);
    if (last && last.message === message && Date.now() - last.at < REPEAT_LOG_MS) return;
    this.lastError.set(name, { message, at: Date.now() });
    console.error(`slipway: metrics ${name} failed:`, err);
  }
}

const holder = globalThis as unknown as { slipwayMetrics?: MetricsService };

export function startMetrics(opts: MetricsOptions): MetricsService {
  if (!holder.slipwayMetrics) {
    holder.slipwayMetrics = new MetricsService(opts);
    holder.slipwayMetrics.start();
  }
  return holder.slipwayMetrics;
}
