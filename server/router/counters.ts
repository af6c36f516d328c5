// Per-app request counters the router keeps for the metrics work: requests by status
// class, H-code counts and a response-time histogram, written out every few seconds.
import fs from "node:fs";
import type { RouterLine } from "@/server/router/logs";

const BUCKETS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000];

type AppCounters = { status: Record<string, number>; codes: Record<string, number>; latency: number[] };

export class Counters {
  private apps = new Map<string, AppCounters>();
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
    fs.writeFileSync(tmp, JSON.stringify({ at: new Date().toISOString(), buckets: BUCKETS, apps: Object.fromEntries(this.apps) }));
    fs.renameSync(tmp, file);
  }
}
