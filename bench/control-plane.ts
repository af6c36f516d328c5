// bench/control-plane — the control plane's memory and idle cost with APPS apps running
// DYNOS web dynos (the small fixture app, standard-1x: 512 MB / 1 CPU caps). This process
// runs what the platform's server process runs beside Next.js (server/boot.ts's dyno
// manager): the reconciler, the log collector and log bus, the routing-table publisher,
// the router-log follower and the metrics loops, on the embedded database (in-process
// PGlite on a migrated data dir, as `npm run up` runs it), with the platform's default intervals. Next.js itself is
// not loaded: its own share of next-server's RSS is printed by no one here (measure it
// with `npm run up` and `ps`); what this bench shows is what grows with apps and dynos.
//
//   npm run bench:control-plane        (needs dockerd and the stack image)
//   APPS=50 DYNOS=200 IDLE_SECONDS=60 npm run bench:control-plane
//   WITHOUT=metrics,publish,router-log npm run bench:control-plane
//                                             leaves those loops out: what each costs idle
//   PROFILE=1 npm run bench:control-plane     also prints where the idle CPU went (V8 profile
//                                             of the idle window; the profiler adds its own cost)
//
// Prints RSS before any app, after the ramp and over an idle window, CPU seconds per idle
// minute, the Engine API calls of the idle window by kind, and what the long-lived
// structures hold. The idle window holds one of the dyno manager's once-a-minute full
// sweeps (between them, its looks only compare the desired state). Goal (issue 18): ≤ 400 MB next-server
// RSS with 50 apps and 200 dynos; idle CPU near 0.
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import { Session } from "node:inspector/promises";
import os from "node:os";
import path from "node:path";
import { idleWindow, reportBench } from "@/bench/report";

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-bench-cp-"));
process.env.SLIPWAY_DATA_DIR = dataDir;
process.env.SLIPWAY_SECRET_KEY ??= "bench";

const APPS = Number(process.env.APPS ?? 50);
const DYNOS = Number(process.env.DYNOS ?? 200);
const IDLE_SECONDS = Number(process.env.IDLE_SECONDS ?? 60);
/** Apps whose dynos start together: 2 cores boot ~20 Node processes well within R10's 60 s. */
const BATCH_APPS = Number(process.env.BATCH_APPS ?? 5);
const WITHOUT = new Set((process.env.WITHOUT ?? "").split(",").filter(Boolean));
const perApp = Math.ceil(DYNOS / APPS);
// Quotas count dyno memory limits (512 MB each), not use: 200 of them pass the defaults
// (a quarter of the host's memory per owner) only when raised, as an operator would.
process.env.SLIPWAY_QUOTA_DYNO_MEMORY_MB ??= String(DYNOS * 512 + 1024);
process.env.SLIPWAY_QUOTA_TOTAL_DYNO_MEMORY_MB ??= String(DYNOS * 512 + 1024);

// The embedded database as the server opens it: a data dir migrated by another process
// first (as scripts/platform.sh does), then PGlite in this one. Its WebAssembly memory is a
// large part of the RSS, so it must be the server's kind of PGlite, not the tests' one.
delete process.env.DATABASE_URL;
const migrated = spawnSync("npx", ["tsx", "scripts/migrate.ts", "deploy"], { env: process.env, encoding: "utf8" });
if (migrated.status !== 0) throw new Error(`migrations failed: ${migrated.stderr}`);
const { db } = await import("@/server/db");

const { env } = await import("@/server/env");
const { ensureFixtureImage } = await import("@/server/testing/fixture-image");
const { docker } = await import("@/server/runtime/docker");
const { runtimeDriver } = await import("@/server/runtime/driver");
const { LABEL } = await import("@/server/runtime/labels");
const { removeInstallationCgroups } = await import("@/server/runtime/dyno-cgroup");
const { startRuntime } = await import("@/server/runtime");
const { startLogging } = await import("@/server/logs");
const { logFootprint } = await import("@/server/logs/store");
const { startMetrics } = await import("@/server/metrics");
const { startPublishing } = await import("@/server/router/publish");
const { followRouterLog } = await import("@/server/router/ingest");
const { bus } = await import("@/server/runtime/events");
const { createUser } = await import("@/server/services/users");
const { createApp } = await import("@/server/services/apps");
const { releaseImage } = await import("@/server/services/deploys");
const { updateFormation } = await import("@/server/services/formation");

const e = env();
const driver = runtimeDriver();
const installation = `bench-cp-${crypto.randomBytes(4).toString("hex")}`;
const mb = (bytes: number) => bytes / 1024 / 1024;
const rss = () => process.memoryUsage().rss;
const fmt = (bytes: number) => `${mb(bytes).toFixed(0)} MB`;

type Profile = { nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[]; samples: number[]; timeDeltas: number[] };

/** Self time per function in the idle window, the 20 largest (where the idle CPU goes). */
function printProfile(p: Profile) {
  const byNode = new Map(p.nodes.map((n) => [n.id, n.callFrame]));
  const self = new Map<string, number>();
  p.samples.forEach((id, i) => {
    const f = byNode.get(id)!;
    if (f.functionName === "(idle)" || f.functionName === "(program)") return;
    const key = `${f.functionName || "(anonymous)"} ${f.url.replace(/^.*\/(node_modules|server)\//, "$1/")}:${f.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + (p.timeDeltas[i] ?? 0));
  });
  // The same samples by the innermost of our own functions on the stack (server/…): which
  // loop of the control plane the time is spent for.
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const ours = new Map<string, number>();
  p.samples.forEach((id, i) => {
    const f = byNode.get(id)!;
    if (f.functionName === "(idle)" || f.functionName === "(program)") return;
    let at: number | undefined = id;
    let key = "(no server/ frame: GC, timers, I/O callbacks)";
    for (; at !== undefined; at = parent.get(at)) {
      const frame = byNode.get(at)!;
      if (frame.url.includes("/server/")) {
        key = `${frame.functionName || "(anonymous)"} ${frame.url.replace(/^.*\/server\//, "server/")}:${frame.lineNumber + 1}`;
        break;
      }
    }
    ours.set(key, (ours.get(key) ?? 0) + (p.timeDeltas[i] ?? 0));
  });
  console.log("  by the innermost server/ function on the stack:");
  for (const [k, us] of [...ours].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`    ${(us / 1000).toFixed(0).padStart(6)} ms  ${k}`);
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  console.log(`  profile: ${(total / 1000).toFixed(0)} ms of JavaScript and GC in the idle window; largest self times:`);
  for (const [k, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 10)) console.log(`    ${(us / 1000).toFixed(0).padStart(6)} ms  ${k}`);
}

/**
 * Engine API calls by kind (method and path, ids left out), counted from the moment it is
 * installed: which loop still asks the Engine what while nothing happens.
 */
function countEngineCalls() {
  const modem = docker().modem as unknown as { dial: (opts: { method?: string; path?: string }, cb: unknown) => unknown };
  const dial = modem.dial.bind(modem);
  const calls = new Map<string, number>();
  modem.dial = (opts, cb) => {
    const kind = `${opts.method ?? "GET"} ${(opts.path ?? "").split("?")[0]!.replace(/\/[0-9a-f]{64}/g, "/{id}").replace(/\/containers\/(?!json$)[^/]+/, "/containers/{id}")}`;
    calls.set(kind, (calls.get(kind) ?? 0) + 1);
    return dial(opts, cb);
  };
  return () => Object.fromEntries([...calls].sort((x, y) => y[1] - x[1]));
}

function footprint(runtime: { footprint(): Record<string, number> }) {
  const listeners = Object.fromEntries(bus.eventNames().map((n) => [String(n), bus.listenerCount(n)]));
  return { reconciler: runtime.footprint(), logs: logFootprint(), busListeners: listeners };
}

const image = await ensureFixtureImage();
const user = await createUser({ email: `bench-cp-${Date.now()}@example.com`, password: "password1" });
const apps: { id: string; name: string }[] = [];
const stops: (() => unknown)[] = [];
let runtime: Awaited<ReturnType<typeof startRuntime>> | undefined;
let result: Parameters<typeof reportBench>[0] = {
  bench: "control-plane",
  figures: {},
  goal: "≤ 400 MB RSS at 50 apps / 200 dynos; idle CPU near 0",
  met: false,
};

try {
  // ---- apps with a release and no dynos yet (the runtime is not started: no pokes) ------
  for (let i = 0; i < APPS; i++) {
    const app = await createApp({ userId: user.id, name: `bcp-${installation.slice(-8)}-${i}` });
    apps.push(app);
    await releaseImage({ appId: app.id, userId: user.id, imageTag: image, processTypes: { web: "node server.js" }, description: "bench" });
    await updateFormation({ appId: app.id, updates: [{ type: "web", quantity: 0 }] });
  }

  // ---- the dyno manager's services, as server/boot.ts starts them ----------------------
  const logging = startLogging(installation);
  stops.push(() => logging.stop());
  await logging.collector.start();
  runtime = await startRuntime({
    installation,
    bootTimeoutMs: e.SLIPWAY_BOOT_TIMEOUT_MS,
    stopTimeoutSeconds: 2,
    crashBackoffBaseMs: e.SLIPWAY_CRASH_BACKOFF_BASE_MS,
    crashBackoffMaxMs: e.SLIPWAY_CRASH_BACKOFF_MAX_MS,
    sweepIntervalMs: e.SLIPWAY_RECONCILE_INTERVAL_MS,
    // CONNECTED_SWEEP_MS=600000: no full sweep in the idle window (what the sweep costs).
    connectedSweepIntervalMs: Number(process.env.CONNECTED_SWEEP_MS) || undefined,
    port: 5000,
  });
  if (!WITHOUT.has("publish")) stops.push(startPublishing());
  if (!WITHOUT.has("router-log")) stops.push(followRouterLog());
  const metrics = WITHOUT.has("metrics") ? { runs: {}, close: () => undefined } : startMetrics({
    installation,
    dataDir,
    sampleIntervalMs: e.SLIPWAY_METRICS_INTERVAL_MS,
    routerIntervalMs: e.SLIPWAY_METRICS_ROUTER_INTERVAL_MS,
    rollupIntervalMs: e.SLIPWAY_METRICS_ROLLUP_INTERVAL_MS,
  });
  stops.push(() => metrics.close());
  // The same kind of window as the idle one below, before any dyno: the highest RSS in it.
  let rssEmpty = 0;
  for (let i = 0; i < 15; i++) {
    await new Promise((r) => setTimeout(r, 1_000));
    rssEmpty = Math.max(rssEmpty, rss());
  }
  console.log(`services started with ${APPS} apps and no dynos: RSS ${fmt(rssEmpty)} (max over 15 s)`);

  // ---- ramp: BATCH_APPS apps at a time, each batch up before the next ------------------
  const rt = runtime;
  const upCount = (appIds: string[]) => appIds.reduce((n, id) => n + rt.states(id).filter((s) => s.type === "web" && s.state === "up").length, 0);
  const rampStart = performance.now();
  let wanted = 0;
  for (let b = 0; b < apps.length; b += BATCH_APPS) {
    const batch = apps.slice(b, b + BATCH_APPS);
    const quantities = batch.map((_, j) => Math.max(0, Math.min(perApp, DYNOS - (b + j) * perApp)));
    wanted += quantities.reduce((a, q) => a + q, 0);
    await Promise.all(batch.map((a, j) => updateFormation({ appId: a.id, updates: [{ type: "web", quantity: quantities[j]!, size: "standard-1x" }] })));
    await Promise.all(batch.map((a) => rt.reconcile(a.id)));
    const target = quantities.reduce((a, q) => a + q, 0);
    const deadline = Date.now() + e.SLIPWAY_BOOT_TIMEOUT_MS + 30_000;
    while (upCount(batch.map((a) => a.id)) < target && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    const up = upCount(apps.map((a) => a.id));
    console.log(`  ${up}/${wanted} dynos up after ${((performance.now() - rampStart) / 1000).toFixed(0)} s, RSS ${fmt(rss())}`);
    if (upCount(batch.map((a) => a.id)) < target) {
      console.log(`  this batch did not come up within ${(e.SLIPWAY_BOOT_TIMEOUT_MS + 30_000) / 1000} s: stopping the ramp here`);
      break;
    }
  }
  const running = upCount(apps.map((a) => a.id));
  const appsWithDynos = apps.filter((a) => rt.states(a.id).some((s) => s.state === "up")).length;
  const rssRamped = rss();
  console.log(`ramp: ${running} web dynos up in ${appsWithDynos} apps in ${((performance.now() - rampStart) / 1000).toFixed(0)} s; RSS ${fmt(rssRamped)}`);

  // ---- idle: nothing asked of the control plane; its own loops run ---------------------
  // One full metrics/sweep cycle first, so the window measures steady state, not the ramp's tail.
  await new Promise((r) => setTimeout(r, Math.max(e.SLIPWAY_METRICS_INTERVAL_MS, e.SLIPWAY_RECONCILE_INTERVAL_MS) + 2_000));
  const profiler = process.env.PROFILE ? new Session() : null;
  if (profiler) {
    profiler.connect();
    await profiler.post("Profiler.enable");
    await profiler.post("Profiler.start");
  }
  const engineCalls = countEngineCalls();
  const dockerd0 = dockerdCpuSeconds();
  const cpu0 = process.cpuUsage();
  const { rssStart: rssIdleStart, rssMax, seconds } = await idleWindow(IDLE_SECONDS, rss);
  const cpu = process.cpuUsage(cpu0);
  const dockerd1 = dockerdCpuSeconds();
  if (profiler) printProfile((await profiler.post("Profiler.stop")).profile as Profile);
  const cpuPerMin = ((cpu.user + cpu.system) / 1e6) * (60 / seconds);
  const rssIdleEnd = rss();
  const heap = process.memoryUsage();
  console.log(`idle ${seconds.toFixed(0)} s with ${running} dynos in ${appsWithDynos} apps:`);
  console.log(`  RSS ${fmt(rssIdleStart)} → ${fmt(rssIdleEnd)} (max ${fmt(rssMax)}); heap used ${fmt(heap.heapUsed)}, external ${fmt(heap.external)}, array buffers ${fmt(heap.arrayBuffers)}`);
  console.log(`  CPU ${cpuPerMin.toFixed(2)} s per idle minute (${((cpuPerMin / 60) * 100).toFixed(1)}% of one core; user ${(cpu.user / 1e6).toFixed(2)} s, system ${(cpu.system / 1e6).toFixed(2)} s)`);
  console.log(`  metrics loop runs: ${JSON.stringify(metrics.runs)}${WITHOUT.size ? `; left out: ${[...WITHOUT].join(", ")}` : ""}`);
  console.log(`  Engine API calls in the idle window: ${JSON.stringify(engineCalls())}`);
  // What those calls cost the Engine (its answers are work too: a stats call reads the
  // container's cgroups and encodes them), while the dynos themselves idle.
  if (dockerd0 !== null && dockerd1 !== null) console.log(`  dockerd CPU ${((dockerd1 - dockerd0) * (60 / seconds)).toFixed(2)} s per idle minute (the Engine's process on this host, everything it did meanwhile)`);
  // dockerd follows each dyno's log with an inotify instance; past this limit it polls the
  // files (scripts/lib.sh raises it when it sets up the Engine).
  const inotify = (() => { try { return fs.readFileSync("/proc/sys/fs/inotify/max_user_instances", "utf8").trim(); } catch { return "?"; } })();
  console.log(`  fs.inotify.max_user_instances ${inotify} (dockerd polls the logs of followed dynos past it)`);
  console.log(`  growth from ${APPS} apps with no dynos to ${running} dynos: ${fmt(rssMax - rssEmpty)} (${((rssMax - rssEmpty) / Math.max(1, running) / 1024).toFixed(0)} kB a dyno)`);
  console.log(`  held: ${JSON.stringify(footprint(rt))}`);
  console.log(`measured: this bench's own process (tsx + the dyno manager's services + in-process PGlite), not next-server: add Next.js's own baseline for the platform's figure`);
  const fullScale = running >= DYNOS && appsWithDynos >= APPS;
  result = {
    bench: "control-plane",
    figures: {
      dynos: `${running} in ${appsWithDynos} apps`,
      "RSS idle (max)": fmt(rssMax),
      "RSS with no dynos": fmt(rssEmpty),
      "CPU per idle minute": `${cpuPerMin.toFixed(2)} s`,
    },
    goal: "≤ 400 MB RSS at 50 apps / 200 dynos; idle CPU near 0 (≤ 1 s a minute)",
    met: fullScale ? mb(rssMax) <= 400 && cpuPerMin <= 1 : null,
    note: `dyno-manager services in a Node process without Next.js${fullScale ? "" : `; only ${running} of ${DYNOS} dynos came up`}`,
  };
} catch (err) {
  console.error(err);
  result = { ...result, met: null, note: `failed: ${(err as Error).message}` };
  process.exitCode = 1;
} finally {
  await runtime?.close();
  for (const stop of stops.reverse()) await stop();
  const dynos = await driver.listDynos(installation).catch(() => []);
  for (let i = 0; i < dynos.length; i += 20) await Promise.all(dynos.slice(i, i + 20).map((c) => driver.removeDyno(c.id).catch(() => undefined)));
  const networks = await docker().listNetworks({ filters: { label: [`${LABEL.installation}=${installation}`] } });
  for (const n of networks) await docker().getNetwork(n.Id).remove().catch(() => undefined);
  await removeInstallationCgroups(installation).catch(() => undefined);
  await db.$disconnect();
  fs.rmSync(dataDir, { recursive: true, force: true });
  console.log(`cleaned up ${dynos.length} dynos and ${networks.length} networks of ${installation}`);
  reportBench(result);
}
process.exit(process.exitCode ?? 0); // a stray handle of a stopped service must not keep the bench alive

/** dockerd's CPU time so far (user + system, s), or null where it is not a process here. */
function dockerdCpuSeconds(): number | null {
  const pid = spawnSync("pgrep", ["-xo", "dockerd"], { encoding: "utf8" }).stdout.trim();
  if (!pid) return null;
  try {
    // /proc/PID/stat: fields after the ")" of the command name; utime and stime are the 14th and 15th.
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}
