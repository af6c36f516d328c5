// Per-app request counters the router keeps for the metrics sampler (server/metrics/):
// requests by status class, H-code counts and a response-time histogram, cumulative since
// the router started and written out every few seconds.
import type { RouterLine } from "@/server/router/logs";
import { writeJsonAtomically, type AppCounters, type RouterStats } from "@/server/router/protocol";

/** Upper bounds (ms) of the response-time histogram; one more bucket counts the slower ones. */
export const BUCKETS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000];

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
    const stats: RouterStats = { at: new Date().toISOString(), startedAt: this.startedAt, buckets: BUCKETS, apps: Object.fromEntries(this.apps) };
    writeJsonAtomically(file, stats);
  }
}
