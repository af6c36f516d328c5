// The metrics sampler against real dynos on the Docker Engine and the real router process:
// memory and CPU read through the Engine's stats API, requests counted by the router, a
// crash and a restart on the chart, and the Metrics query over all of it.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/server/db";
import { dataDir } from "@/server/env";
import { recordCrashes } from "@/server/metrics/markers";
import { getMetrics } from "@/server/metrics/queries";
import { DynoSampler, RouterReader, type DynoSample } from "@/server/metrics/sampler";
import { MetricsService } from "@/server/metrics";
import { publishAndWaitForRouter, startPublishing } from "@/server/router/publish";
import { routerDir } from "@/server/router/protocol";
import { getRuntime, startRuntime, stopRuntime } from "@/server/runtime";
import { cgroupDynoStats } from "@/server/runtime/cgroup-stats";
import { cgroupMode } from "@/server/runtime/cgroups";
import { createApp } from "@/server/services/apps";
import { releaseImage } from "@/server/services/deploys";
import { restartDynos, updateFormation } from "@/server/services/formation";
import { createUser } from "@/server/services/users";
import { cleanupInstallation, ensureFixtureImage, testRuntimeOptions, waitFor } from "@/server/testing/runtime";
import { get, startRouter } from "@/server/testing/router";

const MB = 1024 * 1024;
const opts = testRuntimeOptions({ drain: () => publishAndWaitForRouter(5_000) });
let router: Awaited<ReturnType<typeof startRouter>>;
let stopPublishing: () => void;
let stopCrashes: () => void;
let image: string;
let userId: string;

// A worker holding 96 MB of touched memory and keeping about half a core busy.
const HUNGRY =
  `node -e "globalThis.keep = Buffer.alloc(96 * 1024 * 1024, 1); setInterval(() => { const t = Date.now(); while (Date.now() - t < 50); }, 100)"`;

beforeAll(async () => {
  image = await ensureFixtureImage();
  await startRuntime(opts);
  stopPublishing = startPublishing(500);
  stopCrashes = recordCrashes();
  router = await startRouter({ dataDir: dataDir(), timeoutMs: 3_000 });
  userId = (await createUser({ email: `metrics-${Date.now()}@example.com`, password: "password1" })).id;
});

afterAll(async () => {
  stopCrashes?.();
  await router?.stop();
  stopPublishing?.();
  await stopRuntime();
  await cleanupInstallation(opts.installation);
});

const upDynos = (appId: string) => getRuntime()!.states(appId).filter((s) => s.state === "up").map((s) => s.dyno).sort().join();

describe("metrics sampler (real Engine, real router)", () => {
  it("reads memory and CPU of running dynos, counts routed requests and charts them with markers", async () => {
    const app = await createApp({ userId, name: `metrics-${Date.now().toString(36)}` });
    await releaseImage({
      appId: app.id,
      userId,
      imageTag: image,
      processTypes: { web: "node server.js", worker: HUNGRY, crasher: "sleep 1; exit 3" },
      description: "Deploy metrics fixture",
    });
    await updateFormation({ appId: app.id, updates: [{ type: "worker", quantity: 1 }, { type: "crasher", quantity: 1 }] });
    await waitFor("web.1 and worker.1 up", async () => /web\.1.*worker\.1/.test(upDynos(app.id)), 60_000);

    // Ticks until the worker holds its buffer; CPU comes from the difference between two.
    const sampler = new DynoSampler(opts.installation);
    const worker = (s: DynoSample[]) => s.find((x) => x.appId === app.id && x.dyno === "worker.1");
    const first = await waitFor("worker.1 holding its 96 MB", async () => {
      const s = await sampler.sample();
      return (worker(s)?.memoryBytes ?? 0) > 96 * MB ? s : null;
    });
    expect(worker(first)!.memoryBytes).toBeLessThan(400 * MB);
    await new Promise((r) => setTimeout(r, 1_500)); // the interval CPU use is measured over
    const second = await sampler.sample();
    // A busy loop reads as CPU in use; how much depends on what else the machine runs (its
    // app's cgroup competes with every other process), so the floor only rules out "none".
    expect(worker(second)!.cpuCores).toBeGreaterThan(0.05);
    expect(worker(second)!.cpuCores).toBeLessThan(1.05); // standard-1x: one CPU
    const web = second.find((x) => x.appId === app.id && x.dyno === "web.1")!;
    expect(web.memoryBytes).toBeGreaterThan(5 * MB);
    expect(web.memoryBytes).toBeLessThan(worker(second)!.memoryBytes!);
    expect(second.some((x) => x.appId !== app.id && x.dyno.startsWith("run."))).toBe(false);

    // The readings come from the kernel's counters in the app's cgroup (no Engine call) where
    // the platform made that cgroup, as here; they agree with the Engine's stats API.
    const driver = getRuntime()!.driver;
    const workerDyno = (await driver.listDynos(opts.installation, app.id)).find((d) => d.dyno === "worker.1")!;
    const where = { installation: opts.installation, appId: app.id };
    if ((await cgroupMode()) === "v1") {
      const kernel = await cgroupDynoStats(where, workerDyno.id);
      const asked = await driver.dynoStats(workerDyno.id); // no `where`: the Engine's stats API
      expect(kernel?.memoryBytes).toBeGreaterThan(96 * MB);
      expect(Math.abs(kernel!.memoryBytes! - asked!.memoryBytes!)).toBeLessThan(8 * MB); // the hog holds still
      expect(kernel!.cpu!.onlineCpus).toBe(asked!.cpu!.onlineCpus);
      expect(kernel!.cpu!.total).toBeGreaterThan(0);
      // Both count the host's CPU time in ns since boot: read a moment apart, they are close.
      expect(Math.abs(kernel!.cpu!.system - asked!.cpu!.system)).toBeLessThan(10e9 * kernel!.cpu!.onlineCpus);
    }
    expect(await cgroupDynoStats(where, "0".repeat(64))).toBeUndefined(); // not there: the Engine is asked

    const rows = await db.dynoMetric.findMany({ where: { appId: app.id, type: "worker", resolution: 1 } });
    // Every tick stored a memory sample; all but the first a CPU one.
    const samples = rows.reduce((n, r) => n + r.samples, 0);
    expect(samples).toBeGreaterThanOrEqual(2);
    expect(rows.reduce((n, r) => n + r.cpuSamples, 0)).toBe(samples - 1);
    expect(rows[0]).toMatchObject({ memQuota: 512 * MB, cpuQuota: 1, dynos: 1 });

    // Requests through the router: served ones, and connections dropped without an answer (H13).
    await waitFor("the router to serve the app", async () => (await get(router.port, `${app.name}.localhost`)).status === 200, 30_000);
    for (let i = 0; i < 10; i++) expect((await get(router.port, `${app.name}.localhost`, "/sleep?ms=30")).status).toBe(200);
    for (let i = 0; i < 2; i++) expect((await get(router.port, `${app.name}.localhost`, "/close")).status).toBe(503);
    const statsFile = path.join(routerDir(dataDir()), "stats.json");
    await waitFor("the router to write its counters", async () => {
      const stats = fs.existsSync(statsFile) ? JSON.parse(fs.readFileSync(statsFile, "utf8")) : null;
      return stats?.apps?.[app.id]?.codes?.H13 === 2;
    }, 15_000);
    const reader = new RouterReader(statsFile, path.join(dataDir(), "metrics", "router-baseline.json"));
    expect(await reader.read()).toBeGreaterThanOrEqual(1);
    const routed = await db.routerMetric.findMany({ where: { appId: app.id } });
    expect(routed.reduce((n, r) => n + r.requests, 0)).toBeGreaterThanOrEqual(13);
    expect(routed.reduce((n, r) => n + ((r.errors as Record<string, number>).H13 ?? 0), 0)).toBe(2);

    // A crash (from the dyno manager's events) and a restart someone asked for are markers.
    await waitFor("the crasher's crash recorded", async () => (await db.restartEvent.count({ where: { appId: app.id, kind: "crash" } })) > 0, 30_000);
    await restartDynos({ appId: app.id, type: "worker" });

    const m = await getMetrics({ appId: app.id, range: "1h" });
    const byType = Object.fromEntries(m.processTypes.map((p) => [p.type, p]));
    expect(Math.max(...byType.worker!.memoryMaxMb.map((v) => v ?? 0))).toBeGreaterThan(96);
    expect(Math.max(...byType.worker!.cpuAvg.map((v) => v ?? 0))).toBeGreaterThan(0.2);
    expect(byType.worker!.memoryQuotaMb).toBe(512);
    expect(m.router.totalRequests).toBeGreaterThanOrEqual(13);
    expect(m.router.errors.map((e) => e.code)).toEqual(["H13"]);
    expect(m.router.p95.some((v) => v !== null && v >= 25)).toBe(true);
    const kinds = m.markers.map((k) => `${k.kind}: ${k.label}`);
    expect(kinds).toContain("deploy: v2 · Deploy metrics fixture");
    expect(kinds).toContain("crash: crasher.1 crashed");
    expect(kinds).toContain("restart: Restarted worker dynos");
    await updateFormation({ appId: app.id, updates: [{ type: "web", quantity: 0 }, { type: "worker", quantity: 0 }, { type: "crasher", quantity: 0 }] });
  });

  it("keeps running when a run fails, and says why once", async () => {
    const dir = fs.mkdtempSync(path.join(dataDir(), "broken-"));
    fs.mkdirSync(path.join(dir, "router"));
    fs.writeFileSync(path.join(dir, "router", "stats.json"), "{ torn");
    const errors: unknown[][] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void errors.push(args);
    const service = new MetricsService({ installation: opts.installation, dataDir: dir, sampleIntervalMs: 200, routerIntervalMs: 100, rollupIntervalMs: 200 });
    try {
      service.start();
      await waitFor("five runs of each loop", async () => ["dyno sampler", "router counters", "rollup"].every((l) => (service.runs[l] ?? 0) >= 5));
      const routerErrors = errors.filter((a) => String(a[0]).includes("metrics router counters failed"));
      expect(routerErrors).toHaveLength(1);
      expect(String(routerErrors[0]![1])).toMatch(/stats\.json could not be read/);
      // The other loops ran on without a failure of their own.
      expect(errors.filter((a) => !String(a[0]).includes("router counters"))).toEqual([]);
    } finally {
      service.close();
      console.error = original;
    }
  });
});
