// Per-app request counters the router keeps for the metrics sampler (server/metrics/):
// requests by status class, H-code counts and a response-time histogram, cumulative since
// the router started and written out every few seconds.
import type { RouterLine } from "@/server/router/logs";
import { writeJsonAtomically, type AppCounters, type RouterStats } from "@/server/router/protocol";

/** Upper bounds (ms) of the response-time histogram; one more bucket counts the slower ones. */
export const BUCKETS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000];

const CLASSES = ["0xx", "1xx", "2xx", "3xx", "4xx", "5xx"];

export class Counters {
  private apps = new Map<string, AppCounters>();
  private readonly startedAt = new Date().toISOString();
  add(l: RouterLine) {
    let c = this.apps.get(l.appId);
    if (!c) this.apps.set(l.appId, (c = { status: {}, codes: {}, latency: BUCKETS.map(() => 0).concat(0) }));
    // No string made and no closure called per request: the router counts every one.
    const cls = CLASSES[Math.floor(l.status / 100)] ?? `${Math.floor(l.status / 100)}xx`;
    c.status[cls] = (c.status[cls] ?? 0) + 1;
    if (l.code) c.codes[l.code] = (c.codes[l.code] ?? 0) + 1;
    let i = 0;
    while (i < BUCKETS.length && l.serviceMs > BUCKETS[i]!) i++;
    c.latency[i]++;
  }
  /** The counters so far, by app id. */
  byApp(): RouterStats["apps"] {
    return Object.fromEntries(this.apps);
  }
  write(file: string) {
    const stats: RouterStats = { at: new Date().toISOString(), startedAt: this.startedAt, buckets: BUCKETS, apps: this.byApp() };
    writeJsonAtomically(file, stats);
  }
}
