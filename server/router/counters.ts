// Per-app request counters the router keeps for the metrics sampler (server/metrics/):
// requests by status class, H-code counts and a response-time histogram, cumulative since
// the router started and written out every few seconds.
import fs from "node:fs";
import type { RouterLine } from "@/server/router/logs";

/** Upper bounds (ms) of the response-time histogram; one more bucket counts the slower ones. */
export const BUCKETS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000];

export type AppCounters = { status: Record<string, number>; codes: Record<string, number>; latency: number[] };

/** router/stats.json. `startedAt` tells readers the counters began again from zero. */
export type RouterStats = { at: string; startedAt: string; buckets: number[]; apps: Record<string, AppCounters> };

export class Counters {
  private apps = new Map<string, AppCounters>();
  private readonly startedAt = new Date().toISOString();
  add(l: RouterLine) {
    let c = this.apps.get(l.appId);
    if (!c) this.apps.set(l.appId, (c = { status: {}, codes: {}, latency: BUCKETS.map(() => 0).concat(0) }));
    const cls = `${Math.floor(l.status / 100)}xx`;
    c.status[cls] = (c.status[cls] ?? 0) + 1;
    if (l.code) c.codes[l.code] = (c.codes[l.code] ?? 0) + 1;
    const i = BUCKETS.findIndex((b) => l.serviceMs <= b);
    c.latency[i === -1 ? BUCKETS.length : i]++;
  }
  write(file: string) {
    const tmp = `${file}.tmp`;
    const stats: RouterStats = { at: new Date().toISOString(), startedAt: this.startedAt, buckets: BUCKETS, apps: Object.fromEntries(this.apps) };
    fs.writeFileSync(tmp, JSON.stringify(stats));
    fs.renameSync(tmp, file);
  }
}
