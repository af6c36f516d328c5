// The router's counters file as the router itself writes it (server/router/counters.ts),
// read into per-minute rows: deltas between reads, a router that started again from zero,
// a control plane that restarted (the previous read is kept on disk), stale reads.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { db } from "@/server/db";
import { Counters } from "@/server/router/counters";
import type { RouterLine } from "@/server/router/logs";
import { RouterReader } from "@/server/metrics/sampler";
import { createApp } from "@/server/services/apps";
import { createUser } from "@/server/services/users";

const line = (appId: string, status: number, serviceMs: number, code: string | null = null): RouterLine => ({ appId, status, serviceMs, code, line: "" });

function setup() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-router-reader-"));
  return { statsFile: path.join(dir, "stats.json"), baselineFile: path.join(dir, "metrics", "router-baseline.json") };
}

async function newApp() {
  const user = await createUser({ email: `rr-${Math.random().toString(36).slice(2, 8)}@example.com`, password: "password1" });
  return createApp({ userId: user.id });
}

async function totals(appId: string) {
  const rows = await db.routerMetric.findMany({ where: { appId, resolution: 1 } });
  const sum = (pick: (r: (typeof rows)[number]) => number) => rows.reduce((s, r) => s + pick(r), 0);
  return {
    requests: sum((r) => r.requests),
    ok: sum((r) => (r.statuses as Record<string, number>)["2xx"] ?? 0),
    h13: sum((r) => (r.errors as Record<string, number>).H13 ?? 0),
  };
}

describe("router counters reader", () => {
  it("stores what the counters gained between reads, and starts over when the router restarts", async () => {
    const { statsFile, baselineFile } = setup();
    const app = await newApp();
    const reader = new RouterReader(statsFile, baselineFile);
    expect(await reader.read()).toBe(0); // no router has written yet

    const router = new Counters();
    for (let i = 0; i < 5; i++) router.add(line(app.id, 200, 12));
    router.add(line(app.id, 503, 3, "H13"));
    router.write(statsFile);
    // The router started moments ago: everything it counted is new.
    expect(await reader.read()).toBe(1);
    expect(await totals(app.id)).toEqual({ requests: 6, ok: 5, h13: 1 });

    // Nothing written since: nothing stored twice.
    expect(await reader.read()).toBe(0);
    await new Promise((r) => setTimeout(r, 5)); // a later `at`
    for (let i = 0; i < 3; i++) router.add(line(app.id, 200, 40));
    router.write(statsFile);
    expect(await reader.read()).toBe(1);
    expect(await totals(app.id)).toEqual({ requests: 9, ok: 8, h13: 1 });

    // The router restarts: its counters are lower than before, and all new.
    await new Promise((r) => setTimeout(r, 5));
    const restarted = new Counters();
    restarted.add(line(app.id, 200, 7));
    restarted.write(statsFile);
    expect(await reader.read()).toBe(1);
    expect(await totals(app.id)).toEqual({ requests: 10, ok: 9, h13: 1 });

    // The control plane restarts: a new reader continues from the read kept on disk.
    await new Promise((r) => setTimeout(r, 5));
    restarted.add(line(app.id, 200, 7));
    restarted.add(line(app.id, 503, 1, "H13"));
    restarted.write(statsFile);
    expect(await new RouterReader(statsFile, baselineFile).read()).toBe(1);
    expect(await totals(app.id)).toEqual({ requests: 12, ok: 10, h13: 2 });
  });

  it("does not pile up a router's long history into one minute", async () => {
    const { statsFile, baselineFile } = setup();
    const app = await newApp();
    // A router that has been counting for an hour before this reader ever looked.
    const stats = {
      at: new Date().toISOString(),
      startedAt: new Date(Date.now() - 60 * 60_000).toISOString(),
      buckets: [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000],
      apps: { [app.id]: { status: { "2xx": 5000 }, codes: {}, latency: [5000, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] } },
    };
    fs.writeFileSync(statsFile, JSON.stringify(stats));
    expect(await new RouterReader(statsFile, baselineFile).read()).toBe(0);
    expect(await totals(app.id)).toEqual({ requests: 0, ok: 0, h13: 0 });
    // From then on, only what is new.
    stats.at = new Date(Date.now() + 60_000).toISOString();
    stats.apps[app.id]!.status["2xx"] = 5004;
    stats.apps[app.id]!.latency[0] = 5004;
    fs.writeFileSync(statsFile, JSON.stringify(stats));
    expect(await new RouterReader(statsFile, baselineFile).read()).toBe(1);
    expect(await totals(app.id)).toEqual({ requests: 4, ok: 4, h13: 0 });
  });

  it("says clearly when the counters file cannot be read", async () => {
    const { statsFile, baselineFile } = setup();
    fs.writeFileSync(statsFile, "{ not json");
    await expect(new RouterReader(statsFile, baselineFile).read()).rejects.toThrow(/stats\.json could not be read/);
  });
});
