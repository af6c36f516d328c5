// An Engine restart (an upgrade, a crash) must not take apps down. dockerd is restarted here
// exactly as scripts/lib.sh starts it (live-restore on) while requests flow through the real
// router and a worker prints numbered lines: no request may fail, the same dynos must be
// there afterwards (none duplicated, none orphaned), and the lines printed while the Engine
// was away must reach the app's log, each once. The dyno manager, the log collector and the
// metrics sampler re-attach by themselves. This restarts the machine's one Engine: once.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/server/db";
import { dataDir } from "@/server/env";
import { startLogging } from "@/server/logs";
import { recentLogs } from "@/server/logs/store";
import { DynoSampler } from "@/server/metrics/sampler";
import { publishAndWaitForRouter } from "@/server/router/publish";
import { readTable } from "@/server/router/protocol";
import { getRuntime } from "@/server/runtime";
import { runtimeDriver } from "@/server/runtime/driver";
import { createApp } from "@/server/services/apps";
import { releaseImage } from "@/server/services/deploys";
import { updateFormation } from "@/server/services/formation";
import { engineRestartability, restartDockerd, type EngineRestartability } from "@/server/testing/engine-restart";
import { get } from "@/server/testing/router";
import { startRouterSuite, stopRouterSuite, type RouterSuite } from "@/server/testing/router-suite";
import { testRuntimeOptions, waitFor } from "@/server/testing/runtime";

const opts = testRuntimeOptions({ drain: () => publishAndWaitForRouter(5_000) });
// A worker that counts: a gap is a lost line, a repeat a duplicated one, a restart from 1 a new dyno.
const COUNTER = `i=0; while true; do i=$((i+1)); echo "tick $i"; sleep 0.05; done`;

let restartable: EngineRestartability;
let suite: Partial<RouterSuite> = {};
let logging: ReturnType<typeof startLogging> | undefined;

beforeAll(async () => {
  restartable = await engineRestartability();
  if (!restartable.ok) return;
  logging = startLogging(opts.installation, { scanIntervalMs: 300 });
  await logging.collector.start();
  suite = await startRouterSuite(opts, { timeoutMs: 10_000, user: "engine-restart" });
});

afterAll(async () => {
  logging?.stop();
  await stopRouterSuite(opts, suite);
});

const ticks = (appId: string) =>
  recentLogs(appId)
    .filter((l) => l.source === "app" && l.dyno === "worker.1" && /^tick \d+$/.test(l.message))
    .map((l) => Number(l.message.slice(5)));

describe("Engine restart (live-restore)", () => {
  it("keeps serving, keeps the same dynos and delivers the outage's log lines once", async (ctx) => {
    if (!restartable.ok) {
      if (restartable.skip) return ctx.skip(restartable.reason);
      expect.fail(restartable.reason);
    }
    const driver = runtimeDriver();
    const app = await createApp({ userId: suite.userId!, name: `er-${Date.now().toString(36)}` });
    await releaseImage({ appId: app.id, userId: suite.userId!, imageTag: suite.image!, processTypes: { web: "node server.js", worker: COUNTER }, description: "test" });
    await updateFormation({ appId: app.id, updates: [{ type: "web", quantity: 2 }, { type: "worker", quantity: 1 }] });
    const host = `${app.name}.localhost`;
    await waitFor("2 routed web dynos", async () => readTable(dataDir())?.apps.find((a) => a.id === app.id)?.web.length === 2, 60_000);
    await waitFor("the router to answer", async () => (await get(suite.router!.port, host)).status === 200, 30_000);
    await waitFor("the worker's lines in the log", async () => ticks(app.id).length >= 10, 30_000);
    const dynosBefore = (await driver.listDynos(opts.installation, app.id)).map((d) => `${d.dyno} ${d.id} ${d.status}`).sort();
    expect(dynosBefore).toHaveLength(3);

    let ok = 0;
    const failures: string[] = [];
    let loading = true;
    const loop = async () => {
      while (loading) {
        const r = await get(suite.router!.port, host).catch((err: Error) => ({ status: 0, body: err.message }));
        if (r.status === 200) ok++;
        else failures.push(`${r.status} ${r.body.slice(0, 80)}`);
      }
    };
    const loaders = [loop(), loop()];

    const lastBefore = ticks(app.id).at(-1)!;
    const okBefore = ok;
    let pingWhileDown: boolean | undefined;
    const { downMs } = await restartDockerd(restartable, async () => {
      pingWhileDown = await driver.ping(1_000);
      await new Promise((r) => setTimeout(r, 1_000)); // an outage long enough to print ~20 lines
    });
    expect(pingWhileDown).toBe(false); // the Engine really was away
    const okDuringRestart = ok - okBefore;

    // The dyno manager passes over the app again (its event stream is back); the collector
    // follows the dynos again from their cursors.
    await getRuntime()!.reconcile(app.id);
    const lastAfterRestart = Math.max(ticks(app.id).at(-1) ?? 0, lastBefore);
    await waitFor("the worker's lines after the restart", async () => (ticks(app.id).at(-1) ?? 0) > lastAfterRestart + 40, 30_000);
    // The sampler reads the same dynos again.
    const samples = await new DynoSampler(opts.installation).sample();
    loading = false;
    await Promise.all(loaders);

    expect(failures).toEqual([]);
    expect(okDuringRestart).toBeGreaterThan(0); // requests were served while dockerd restarted
    // No duplicate, no orphan: the very same containers, still running.
    const dynosAfter = (await driver.listDynos(opts.installation, app.id)).map((d) => `${d.dyno} ${d.id} ${d.status}`).sort();
    expect(dynosAfter).toEqual(dynosBefore);
    const rows = await db.dyno.findMany({ where: { appId: app.id }, orderBy: { name: "asc" } });
    expect(rows.map((r) => `${r.name} ${r.containerId} ${r.state}`)).toEqual(dynosBefore.map((d) => `${d.split(" ")[0]} ${d.split(" ")[1]} up`));
    expect(samples.filter((s) => s.appId === app.id).map((s) => s.dyno).sort()).toEqual(["web.1", "web.2", "worker.1"]);
    // Every line once and in order from before the outage to well after it: the worker (the
    // same process, it never started over) printed on while the Engine was away.
    const t = ticks(app.id);
    const span = t.slice(t.indexOf(lastBefore));
    expect(span.length).toBeGreaterThan(40);
    expect(span.filter((n, i) => i > 0 && n !== span[i - 1]! + 1)).toEqual([]);
    console.log(`engine restart: dockerd away ${downMs} ms, ${ok} requests served (${okDuringRestart} while it restarted), 0 failed`);
  }, 240_000);
});
