// Metric rows on the test database: minute buckets merged tick by tick, 10-minute rollups,
// retention, and the Metrics page's query (bounded, aligned series and markers).
import { describe, expect, it } from "vitest";
import { db } from "@/server/db";
import { BUCKETS } from "@/server/router/counters";
import { COARSE, FINE, MINUTE_MS, emptyDynoBucket, type DynoBucket, type RouterBucket } from "@/server/metrics/aggregate";
import { recordRestartEvent } from "@/server/metrics/markers";
import { getMetrics } from "@/server/metrics/queries";
import { addDynoSamples, addRouterDeltas, firstWindowToRollUp, prune, rollUp } from "@/server/metrics/store";
import { createApp } from "@/server/services/apps";
import { releaseImage } from "@/server/services/deploys";
import { createUser } from "@/server/services/users";

const MB = 1024 * 1024;
// A fixed clock on a 10-minute boundary keeps bucket arithmetic readable.
const T0 = Date.UTC(2026, 10, 28, 12, 0, 0);
const minute = (n: number) => new Date(T0 + n * MINUTE_MS);

async function newApp() {
  const user = await createUser({ email: `m-${Math.random().toString(36).slice(2, 8)}@example.com`, password: "password1" });
  return createApp({ userId: user.id });
}

function dyno(memMb: number, cores: number | null, extra: Partial<DynoBucket> = {}): DynoBucket {
  return {
    ...emptyDynoBucket(),
    samples: 1,
    memSum: memMb * MB,
    memMax: memMb * MB,
    memQuota: 512 * MB,
    cpuSamples: cores === null ? 0 : 1,
    cpuSum: cores ?? 0,
    cpuMax: cores ?? 0,
    cpuQuota: 1,
    dynos: 1,
    ...extra,
  };
}

/** `fast` requests at 10 ms or less and `slow` ones between 250 and 500 ms. */
function requests(ok: number, errors: Record<string, number> = {}, slow = 0): RouterBucket {
  const failed = Object.values(errors).reduce((a, b) => a + b, 0);
  const latency = BUCKETS.map(() => 0).concat(0);
  latency[1] = ok + failed - slow;
  latency[6] = slow;
  return { requests: ok + failed, statuses: { "2xx": ok, ...(failed ? { "5xx": failed } : {}) }, errors, latency };
}

const tick = (appId: string, type: string, b: DynoBucket) => new Map([[`${appId}\t${type}`, { appId, type, bucket: b }]]);

describe("metric rows", () => {
  it("merges sampler ticks into one row per minute: per-dyno mean, largest sample, most dynos", async () => {
    const app = await newApp();
    await addDynoSamples(minute(0), tick(app.id, "web", dyno(100, null)));
    await addDynoSamples(minute(0), tick(app.id, "web", { ...dyno(300, 0.5), samples: 2, memSum: 400 * MB, memMax: 300 * MB, cpuSamples: 2, cpuSum: 0.75, dynos: 2 }));
    const [row] = await db.dynoMetric.findMany({ where: { appId: app.id } });
    expect(row).toMatchObject({ type: "web", resolution: FINE, at: minute(0), samples: 3, memSum: 500 * MB, memMax: 300 * MB, cpuSamples: 2, cpuSum: 0.75, cpuMax: 0.5, dynos: 2 });
  });

  it("adds router deltas into the minute and keeps percentiles of the merged histogram", async () => {
    const app = await newApp();
    await addRouterDeltas(minute(0), new Map([[app.id, requests(8)]]));
    await addRouterDeltas(minute(0), new Map([[app.id, requests(0, { H13: 2 }, 2)]]));
    const row = await db.routerMetric.findUniqueOrThrow({ where: { appId_resolution_at: { appId: app.id, resolution: FINE, at: minute(0) } } });
    expect(row).toMatchObject({ requests: 10, statuses: { "2xx": 8, "5xx": 2 }, errors: { H13: 2 } });
    expect(row.p50).toBeGreaterThan(5);
    expect(row.p50).toBeLessThanOrEqual(10);
    expect(row.p95).toBeGreaterThan(250); // the two slow ones are the top 20 %
    expect(row.p99).toBeLessThanOrEqual(500);
  });

  it("drops samples of an app that no longer exists instead of failing the tick", async () => {
    const app = await newApp();
    const samples = tick(app.id, "web", dyno(50, 0.1));
    samples.set("gone\tweb", { appId: "00000000-0000-0000-0000-000000000000", type: "web", bucket: dyno(50, 0.1) });
    expect(await addDynoSamples(minute(0), samples)).toBe(1);
    expect(await addRouterDeltas(minute(0), new Map([["00000000-0000-0000-0000-000000000000", requests(1)]]))).toBe(0);
  });
});

describe("rollup and retention", () => {
  it("rolls complete 10-minute windows up exactly, only once they are past the grace period", async () => {
    await db.dynoMetric.deleteMany({});
    await db.routerMetric.deleteMany({});
    const app = await newApp();
    for (let m = 0; m < 10; m++) {
      await addDynoSamples(minute(m), tick(app.id, "web", dyno(100 + m * 10, 0.2 + m * 0.01)));
      await addRouterDeltas(minute(m), new Map([[app.id, requests(6, m === 3 ? { H12: 1 } : {})]]));
    }
    await addDynoSamples(minute(10), tick(app.id, "web", dyno(999, 0.9))); // the next window, not complete

    expect(await firstWindowToRollUp(T0 + 11 * MINUTE_MS)).toBe(T0);
    // 11 minutes in, the first window ended 1 minute ago: inside the grace period.
    expect(await rollUp(T0, T0 + 11 * MINUTE_MS)).toBe(T0);
    expect(await db.dynoMetric.count({ where: { resolution: COARSE } })).toBe(0);

    const next = await rollUp(T0, T0 + 12 * MINUTE_MS);
    expect(next).toBe(T0 + 10 * MINUTE_MS);
    const coarse = await db.dynoMetric.findMany({ where: { appId: app.id, resolution: COARSE } });
    expect(coarse).toHaveLength(1);
    expect(coarse[0]).toMatchObject({ at: minute(0), samples: 10, memMax: 190 * MB, dynos: 1, cpuSamples: 10 });
    expect(coarse[0]!.memSum / coarse[0]!.samples / MB).toBeCloseTo(145);
    expect(coarse[0]!.cpuSum / coarse[0]!.cpuSamples).toBeCloseTo(0.245);
    const router = await db.routerMetric.findFirstOrThrow({ where: { appId: app.id, resolution: COARSE } });
    expect(router).toMatchObject({ at: minute(0), requests: 61, statuses: { "2xx": 60, "5xx": 1 }, errors: { H12: 1 } });

    // Again: the same rows, not doubled; and the next start is after the newest rollup.
    await rollUp(T0, T0 + 12 * MINUTE_MS);
    expect(await db.dynoMetric.findFirstOrThrow({ where: { appId: app.id, resolution: COARSE } })).toMatchObject({ samples: 10 });
    expect(await firstWindowToRollUp(T0 + 12 * MINUTE_MS)).toBe(T0 + 10 * MINUTE_MS);
  });

  it("keeps 1-minute rows 24 hours and 10-minute rows and markers 7 days", async () => {
    const app = await newApp();
    const now = T0 + 8 * 24 * 60 * MINUTE_MS;
    const at = (minutesAgo: number) => new Date(now - minutesAgo * MINUTE_MS);
    for (const [resolution, ago] of [[FINE, 23 * 60], [FINE, 25 * 60], [COARSE, 6 * 24 * 60], [COARSE, 7 * 24 * 60 + 10]] as const) {
      await db.dynoMetric.create({ data: { appId: app.id, type: "web", resolution, at: at(ago), samples: 1 } });
      await db.routerMetric.create({ data: { appId: app.id, resolution, at: at(ago), statuses: {}, errors: {}, latency: [] } });
    }
    await recordRestartEvent({ appId: app.id, kind: "restart", message: "old", at: at(7 * 24 * 60 + 1) });
    await recordRestartEvent({ appId: app.id, kind: "crash", message: "recent", at: at(60) });
    await prune(now);
    const kept = await db.dynoMetric.findMany({ where: { appId: app.id }, orderBy: { at: "asc" } });
    expect(kept.map((r) => [r.resolution, (now - r.at.getTime()) / MINUTE_MS])).toEqual([[COARSE, 6 * 24 * 60], [FINE, 23 * 60]]);
    expect(await db.routerMetric.count({ where: { appId: app.id } })).toBe(2);
    expect((await db.restartEvent.findMany({ where: { appId: app.id } })).map((e) => e.message)).toEqual(["recent"]);
  });
});

describe("the Metrics page's query", () => {
  it("answers 1 h as 60 aligned 1-minute points with gaps as null, and markers in range", async () => {
    const user = await createUser({ email: `q-${Math.random().toString(36).slice(2, 8)}@example.com`, password: "password1" });
    const app = await createApp({ userId: user.id });
    const now = Date.now();
    const thisMinute = now - (now % MINUTE_MS);
    await addDynoSamples(new Date(thisMinute - 5 * MINUTE_MS), tick(app.id, "worker", dyno(64, 0.25)));
    await addDynoSamples(new Date(thisMinute), tick(app.id, "web", dyno(128, 0.5)));
    await addRouterDeltas(new Date(thisMinute), new Map([[app.id, requests(30, { H12: 2 })]]));
    await releaseImage({ appId: app.id, userId: user.id, imageTag: "slipway/stack:bookworm", processTypes: { web: "sleep 1" }, description: "Deploy 1a2b3c" });
    await recordRestartEvent({ appId: app.id, kind: "restart", message: "Restarted all dynos" });
    await recordRestartEvent({ appId: app.id, kind: "crash", message: "web.1 crashed", at: new Date(now - 2 * 60 * MINUTE_MS) }); // outside 1 h

    const m = await getMetrics({ appId: app.id, range: "1h", now });
    expect(m.stepMinutes).toBe(1);
    expect(m.times).toHaveLength(60);
    expect(m.times[59]).toBe(thisMinute);
    expect(m.to - m.from).toBe(60 * MINUTE_MS);
    expect(m.processTypes.map((p) => p.type)).toEqual(["web", "worker"]);
    const web = m.processTypes[0]!;
    expect(web).toMatchObject({ size: "standard-1x", memoryQuotaMb: 512, cpuQuota: 1 });
    expect(web.memoryAvgMb).toHaveLength(60);
    expect(web.memoryAvgMb[59]).toBe(128);
    expect(web.cpuAvg[59]).toBe(0.5);
    expect(web.memoryAvgMb.slice(0, 59).every((v) => v === null)).toBe(true);
    expect(m.processTypes[1]!.memoryAvgMb[54]).toBe(64);
    expect(m.router.totalRequests).toBe(32);
    expect(m.router.throughput).toEqual([
      { status: "2xx", perMinute: [...new Array(59).fill(0), 30] },
      { status: "5xx", perMinute: [...new Array(59).fill(0), 2] },
    ]);
    expect(m.router.errors.map((e) => [e.code, e.counts[59]])).toEqual([["H12", 2]]);
    expect(m.router.p50[59]).toBeGreaterThan(0);
    expect(m.router.p50[58]).toBeNull();
    expect(m.markers.map((k) => [k.kind, k.label])).toEqual([
      ["deploy", "v2 · Deploy 1a2b3c"], // v1, the initial release, ran no code
      ["restart", "Restarted all dynos"],
    ]);
  });

  it("answers 7 d as 1008 10-minute points: stored rollups plus the minutes not rolled up yet", async () => {
    const app = await newApp();
    const now = T0 + 25 * MINUTE_MS; // windows 12:00 and 12:10 complete, 12:20 in progress
    for (let m = 0; m < 25; m++) await addDynoSamples(minute(m), tick(app.id, "web", dyno(100 + m, 0.1)));
    await addRouterDeltas(minute(24), new Map([[app.id, requests(50)]]));
    // Only the first window is rolled up: the query must merge 12:10 and 12:20 from minutes.
    await db.dynoMetric.deleteMany({ where: { resolution: COARSE } });
    await db.routerMetric.deleteMany({ where: { resolution: COARSE } });
    await rollUp(T0, T0 + 12 * MINUTE_MS, 1);
    expect(await db.dynoMetric.count({ where: { appId: app.id, resolution: COARSE } })).toBe(1);

    const m = await getMetrics({ appId: app.id, range: "7d", now });
    expect(m.stepMinutes).toBe(10);
    expect(m.times).toHaveLength(1008);
    expect(m.times.slice(-3)).toEqual([T0, T0 + 10 * MINUTE_MS, T0 + 20 * MINUTE_MS]);
    const web = m.processTypes[0]!;
    expect(web.memoryAvgMb.slice(-3)).toEqual([104.5, 114.5, 122]);
    expect(web.memoryMaxMb.slice(-3)).toEqual([109, 119, 124]);
    expect(m.router.throughput[0]!.perMinute.slice(-1)).toEqual([5]); // 50 requests in a 10-minute point
    expect(m.router.p99.slice(-2)).toEqual([null, expect.any(Number)]);
  });
});
