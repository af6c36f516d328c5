// bench/scale — how fast a formation update 1 → 10 web dynos is served, against one
// container's own start-to-first-response, measured in the same run on the real Engine.
//
//   npm run bench:scale        (needs dockerd and the stack image: npm run up / npm test set them up)
//
// Prints the medians of RUNS rounds and their ratio. Goal (issue 3, issue 18): ≤ 2 s and ≤ 2×.
// Three ways, each through updateFormation (what `heroku ps:scale` and the slider call):
// no standby pool (the default), a pool of TARGET-1 paused standbys (server/runtime/
// standby-pool.ts: booted, frozen, promoted by thaw + rename) and, for comparison, a pool of
// created-but-not-started standbys (promotion starts them: the boot is still paid).
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { reportBench } from "@/bench/report";

process.env.SLIPWAY_DATA_DIR ??= fs.mkdtempSync(path.join(os.tmpdir(), "slipway-bench-"));
process.env.SLIPWAY_SECRET_KEY ??= "bench";

const RUNS = Number(process.env.RUNS ?? 3);
const TARGET = 10;
const PORT = 5000;

const { createTestDb } = await import("@/server/testing/test-db");
const testDb = await createTestDb();
(globalThis as unknown as { slipwayDb: unknown }).slipwayDb = testDb.db;

const { ensureFixtureImage } = await import("@/server/testing/fixture-image");
const { runtimeDriver } = await import("@/server/runtime/driver");
const driver = runtimeDriver();
const { Reconciler } = await import("@/server/runtime/reconciler");
const { createUser } = await import("@/server/services/users");
const { createApp } = await import("@/server/services/apps");
const { releaseImage } = await import("@/server/services/deploys");
const { updateFormation } = await import("@/server/services/formation");
const { setStandbyPool } = await import("@/server/services/standby");
type Mode = "none" | "paused" | "created";
const { dynoSize } = await import("@/server/runtime/sizes");

function answers(ip: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: ip, port: PORT, path: "/", timeout: 1_000, agent: false }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode === 200));
    });
    req.on("error", () => resolve(false));
    req.on("timeout", () => req.destroy());
  });
}

async function until<T>(check: () => Promise<T | null>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await check();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error("timed out");
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const installation = `bench-${crypto.randomBytes(4).toString("hex")}`;

const image = await ensureFixtureImage();
const user = await createUser({ email: `bench-${Date.now()}@example.com`, password: "password1" });
const app = await createApp({ userId: user.id });
const release = await releaseImage({ appId: app.id, userId: user.id, imageTag: image, processTypes: { web: "node server.js" }, description: "bench" });

// 1. Containers straight through the gateway (no dyno manager): create + start →
//    first HTTP response on $PORT. One alone, and TARGET at once (the Engine's floor).
//    The clock stops at the last first response; removing the containers is not timed.
async function direct(count: number): Promise<number> {
  const t0 = performance.now();
  const ids = await Promise.all(Array.from({ length: count }, (_, i) => directOne(i + 1)));
  const elapsed = performance.now() - t0;
  await Promise.all(ids.map((id) => driver.removeDyno(id)));
  return elapsed;
}

async function directOne(n: number): Promise<string> {
  const id = await driver.createDyno({
    // Another installation label: the dyno manager below must not adopt (and remove) it.
    installation: `${installation}-single`,
    spec: "single",
    appId: app.id,
    appName: app.name,
    dyno: `single.${n}`,
    type: "single",
    releaseId: release.id,
    release: release.version,
    image,
    command: "node server.js",
    env: { PORT: String(PORT), DYNO: `single.${n}` },
    size: dynoSize("standard-1x")!,
    port: PORT,
    stopTimeoutSeconds: 1,
  });
  await driver.startDyno(id);
  const ip = (await driver.dynoAddress(id, PORT))!.host;
  await until(async () => ((await answers(ip)) ? true : null));
  return id;
}

// 2. Formation 1 → 10 through the dyno manager until all ten answer.
const runtimeOptions = {
  installation,
  bootTimeoutMs: 60_000,
  stopTimeoutSeconds: 2,
  crashBackoffBaseMs: 20_000,
  crashBackoffMaxMs: 1_200_000,
  sweepIntervalMs: 5_000,
  port: PORT,
};
let runtime = new Reconciler(runtimeOptions);
await runtime.start();

/** One dyno manager at a time on the installation: a new one for the created-standby runs. */
async function useMode(mode: Mode) {
  if (mode === "created") {
    await runtime.close();
    runtime = new Reconciler({ ...runtimeOptions, standbyMode: "created" });
    await runtime.start();
  }
  await setStandbyPool({ appId: app.id, size: mode === "none" ? 0 : TARGET - 1 });
}

// Which web dynos have answered: their containers come from the dyno manager's own view
// (no Engine call), each is inspected once for its address, then polled like direct()'s.
// Listing and inspecting every container every 10 ms loaded the Engine the dynos were
// starting on, and slowed what it measured.
async function untilWebAnswer(count: number): Promise<void> {
  const ips = new Map<string, string | null>();
  const answered = new Set<string>();
  await until(async () => {
    const ids = runtime.states(app.id).filter((s) => s.type === "web").map((s) => s.dynoId);
    await Promise.all(
      ids.map(async (id) => {
        if (answered.has(id)) return;
        if (!ips.get(id)) {
          const address = await driver.dynoAddress(id, PORT).catch(() => null); // removed meanwhile
          ips.set(id, address?.host ?? null);
        }
        const ip = ips.get(id);
        if (ip && (await answers(ip))) answered.add(id);
      }),
    );
    return ids.filter((id) => answered.has(id)).length === count ? true : null;
  });
}

/** The pool holds TARGET-1 ready standbys (none without one), polled gently: not timed. */
async function untilPoolReady(mode: Mode) {
  const ready = mode === "paused" ? "paused" : "created";
  const want = mode === "none" ? 0 : TARGET - 1;
  await until(async () => {
    await new Promise((r) => setTimeout(r, 100));
    const standbys = (await driver.listDynos(installation, app.id, { standbys: true })).filter((c) => c.standby);
    return standbys.length === want && standbys.every((c) => c.status === ready) ? true : null;
  }, 120_000);
}

async function scaleOut(mode: Mode): Promise<number> {
  await updateFormation({ appId: app.id, updates: [{ type: "web", quantity: 1 }] });
  await runtime.reconcile(app.id);
  await until(async () => ((await driver.listDynos(installation, app.id)).length === 1 ? true : null));
  await untilWebAnswer(1);
  await untilPoolReady(mode);
  const t0 = performance.now();
  await updateFormation({ appId: app.id, updates: [{ type: "web", quantity: TARGET }] });
  await runtime.reconcile(app.id);
  await untilWebAnswer(TARGET);
  return performance.now() - t0;
}

try {
  const singles: number[] = [];
  const floors: number[] = [];
  const scales: Record<Mode, number[]> = { none: [], paused: [], created: [] };
  for (let i = 0; i < RUNS; i++) {
    singles.push(await direct(1));
    floors.push(await direct(TARGET - 1));
    scales.none.push(await scaleOut("none"));
    console.log(
      `run ${i + 1}: one container ${singles[i]!.toFixed(0)} ms, ${TARGET - 1} containers at once ${floors[i]!.toFixed(0)} ms, ` +
        `1→${TARGET} web dynos ${scales.none[i]!.toFixed(0)} ms`,
    );
  }
  for (const mode of ["paused", "created"] as const) {
    await useMode(mode);
    for (let i = 0; i < RUNS; i++) {
      scales[mode].push(await scaleOut(mode));
      console.log(`run ${i + 1}: 1→${TARGET} web dynos with ${TARGET - 1} ${mode} standbys ${scales[mode][i]!.toFixed(0)} ms`);
    }
  }
  await setStandbyPool({ appId: app.id, size: 0 });
  await runtime.reconcile(app.id);
  const [single, floor, scale, paused, created] = [median(singles), median(floors), median(scales.none), median(scales.paused), median(scales.created)];
  console.log(`one container start → first response (median of ${RUNS}): ${single.toFixed(0)} ms`);
  console.log(`${TARGET - 1} containers started at once through the gateway, until all answer: ${floor.toFixed(0)} ms (the Engine's floor)`);
  console.log(`formation 1 → ${TARGET} web dynos until all answer (median of ${RUNS}):`);
  console.log(`  no standby pool (default):     ${scale.toFixed(0)} ms = ${(scale / single).toFixed(2)}× one container, ${(scale / floor).toFixed(2)}× the Engine's floor`);
  console.log(`  ${TARGET - 1} paused standbys (kept):   ${paused.toFixed(0)} ms = ${(paused / single).toFixed(2)}× one container`);
  console.log(`  ${TARGET - 1} created standbys:         ${created.toFixed(0)} ms = ${(created / single).toFixed(2)}× one container`);
  console.log(`goal: ≤ 2000 ms and ≤ 2× one container (with a pool of ${TARGET - 1} paused standbys)`);
  reportBench({
    bench: "scale",
    figures: {
      "formation 1→10": `${scale.toFixed(0)} ms`,
      "× one container": `${(scale / single).toFixed(2)}×`,
      "× Engine floor": `${(scale / floor).toFixed(2)}×`,
      "1→10, 9 paused standbys": `${paused.toFixed(0)} ms`,
      "standbys × one container": `${(paused / single).toFixed(2)}×`,
      "1→10, 9 created standbys": `${created.toFixed(0)} ms`,
    },
    goal: "≤ 2000 ms and ≤ 2× one container (standby pool)",
    met: paused <= 2000 && paused / single <= 2,
  });
} finally {
  await runtime.close();
  for (const inst of [installation, `${installation}-single`]) {
    for (const c of await driver.listDynos(inst, undefined, { standbys: true })) await driver.removeDyno(c.id);
  }
  await driver.removeApp(installation, app.id);
  await testDb.close();
}
