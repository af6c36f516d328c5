// bench/control-plane-next — bench/control-plane's question asked of the real thing: the
// started platform's next-server process (Next.js with every service server/boot.ts
// starts, embedded PGlite), driven through its Platform API like the CLI, with APPS apps
// and DYNOS web dynos of the fixture app. Prints next-server's RSS before the apps, after
// the ramp and over an idle window, and its CPU seconds per idle minute (from /proc).
//
//   npm run bench:control-plane:next     (builds and starts a test platform: scripts/with-platform.sh)
//
// The npm script sets the platform's default metrics intervals (the test platform's are
// shorter) and raises the dyno memory quotas (200 × 512 MB limits; limits, not use).
import fs from "node:fs";
import { spawnSync } from "node:child_process";
import { idleWindow, reportBench } from "@/bench/report";

const APPS = Number(process.env.APPS ?? 50);
const DYNOS = Number(process.env.DYNOS ?? 200);
const IDLE_SECONDS = Number(process.env.IDLE_SECONDS ?? 60);
const BATCH_APPS = Number(process.env.BATCH_APPS ?? 5);
const perApp = Math.ceil(DYNOS / APPS);
const installation = process.env.SLIPWAY_INSTALLATION_ID;
const port = Number(new URL(process.env.SLIPWAY_TEST_BASE_URL ?? "http://x:0").port);
if (!installation || !port) throw new Error("run through scripts/with-platform.sh (npm run bench:control-plane:next)");

const { ensureFixtureImage } = await import("@/server/testing/fixture-image");
const { api, apiKeyFor, bearer, adminEmail, adminPassword, trpc } = await import("@/server/testing/heroku-cli");

/** The process listening on the platform's port: next-server itself, not `next start`'s parent. */
function serverPid(): number {
  const out = spawnSync("ss", ["-Hltnp", `sport = :${port}`], { encoding: "utf8" }).stdout;
  const pid = Number(/pid=(\d+)/.exec(out)?.[1]);
  if (!pid) throw new Error(`no process listens on ${port}: ${out}`);
  return pid;
}
const pid = serverPid();
const comm = fs.readFileSync(`/proc/${pid}/comm`, "utf8").trim();
const rss = () => Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))![1]) * 1024;
const cpuSeconds = () => {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const tick = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim() || 100);
  return (Number(f[11]) + Number(f[12])) / tick;
};
const fmt = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

const key = await apiKeyFor(adminEmail!, adminPassword!);
const auth = bearer(key);
const image = await ensureFixtureImage();
const tag = Math.random().toString(36).slice(2, 7);
const apps: string[] = [];
let result: Parameters<typeof reportBench>[0] = { bench: "control-plane (next-server)", figures: {}, goal: "≤ 400 MB next-server RSS at 50 apps / 200 dynos; idle CPU near 0 (≤ 1 s a minute)", met: null };

const upIn = async (app: string) => {
  const r = await api("GET", `/apps/${app}/dynos`, auth);
  return (r.body as unknown as { state: string; type: string }[]).filter((d) => d.type === "web" && d.state === "up").length;
};

try {
  const rssStart = rss();
  console.log(`${comm} (pid ${pid}) at start: RSS ${fmt(rssStart)}`);
  const rampStart = performance.now();
  let running = 0;
  for (let b = 0; b < APPS; b += BATCH_APPS) {
    const batch: { name: string; quantity: number }[] = [];
    for (let i = b; i < Math.min(APPS, b + BATCH_APPS); i++) {
      const name = `bcpn-${tag}-${i}`;
      const created = await api("POST", "/apps", auth, { name });
      if (created.status !== 201) throw new Error(`apps:create ${name}: ${JSON.stringify(created.body)}`);
      apps.push(name);
      await trpc(key, "releases.deployImage", { app: name, image, processTypes: { web: "node server.js" } });
      const quantity = Math.max(0, Math.min(perApp, DYNOS - i * perApp));
      const scaled = await api("PATCH", `/apps/${name}/formation/web`, auth, { quantity, size: "standard-1x" });
      if (scaled.status !== 200) throw new Error(`ps:scale ${name}: ${JSON.stringify(scaled.body)}`);
      batch.push({ name, quantity });
    }
    const deadline = Date.now() + 90_000;
    let up = 0;
    const target = batch.reduce((n, a) => n + a.quantity, 0);
    while (Date.now() < deadline) {
      up = (await Promise.all(batch.map((a) => upIn(a.name)))).reduce((n, x) => n + x, 0);
      if (up >= target) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    running += up;
    console.log(`  ${running} dynos up in ${apps.length} apps after ${((performance.now() - rampStart) / 1000).toFixed(0)} s, RSS ${fmt(rss())}`);
    if (up < target) {
      console.log(`  this batch did not come up within 90 s: stopping the ramp here`);
      break;
    }
  }
  const rssRamped = rss();
  console.log(`ramp: ${running} web dynos in ${apps.length} apps; RSS ${fmt(rssRamped)}`);

  await new Promise((r) => setTimeout(r, 15_000)); // a full metrics and sweep cycle before the window
  const cpu0 = cpuSeconds();
  const { rssStart: rssIdleStart, rssMax, seconds } = await idleWindow(IDLE_SECONDS, rss);
  const cpuPerMin = (cpuSeconds() - cpu0) * (60 / seconds);
  console.log(`idle ${seconds.toFixed(0)} s with ${running} dynos in ${apps.length} apps:`);
  console.log(`  ${comm} RSS ${fmt(rssIdleStart)} → ${fmt(rss())} (max ${fmt(rssMax)}); at start ${fmt(rssStart)}`);
  console.log(`  CPU ${cpuPerMin.toFixed(2)} s per idle minute (${((cpuPerMin / 60) * 100).toFixed(1)}% of one core)`);
  const full = running >= DYNOS && apps.length >= APPS;
  result = {
    ...result,
    figures: { dynos: `${running} in ${apps.length} apps`, "RSS idle (max)": fmt(rssMax), "RSS at start": fmt(rssStart), "CPU per idle minute": `${cpuPerMin.toFixed(2)} s` },
    met: full ? rssMax / 1024 / 1024 <= 400 && cpuPerMin <= 1 : null,
    note: full ? undefined : `only ${running} of ${DYNOS} dynos came up`,
  };
} catch (err) {
  console.error(err);
  result = { ...result, note: `failed: ${(err as Error).message}` };
  process.exitCode = 1;
} finally {
  // Destroying an app removes its dynos and network; with-platform.sh sweeps what is left.
  for (let i = 0; i < apps.length; i += 10) {
    await Promise.all(apps.slice(i, i + 10).map((a) => api("DELETE", `/apps/${a}`, auth).catch(() => undefined)));
  }
  reportBench(result);
}
process.exit(process.exitCode ?? 0);
