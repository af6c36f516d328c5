// bench/deploy — `git push` of the zero-dependency Node fixture until its web dyno first
// answers HTTP 200, against a bare `docker build` + `docker run` of the same app (a
// two-line Dockerfile on the stack image) until it first answers, in the same run on the
// real Engine. Reports the first push (new app, empty build cache) and a second push (a
// new commit: the cache is warm, an old release is serving). Then the same two pushes of
// the `node-dep` fixture (one npm dependency through the registry, a build script), where
// the second starts from the app's npm cache: what the build cache saves. Last, the first push
// of `node-engines` (engines.node 20.x) by two apps: Node.js 20 downloaded, then already there;
// and `node-deps50` (69 npm packages): first push, cached second push, then engines.node 22.x.
//
//   npm run bench:deploy        (needs dockerd and the builder image: npm run up / npm test set them up)
//
// Prints medians of RUNS rounds and the ratios. Goal (issue 4): push ≤ 1.5× bare.
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { reportBench } from "@/bench/report";

process.env.SLIPWAY_DATA_DIR ??= fs.mkdtempSync(path.join(os.tmpdir(), "slipway-bench-"));
process.env.SLIPWAY_SECRET_KEY ??= "bench";

const RUNS = Number(process.env.RUNS ?? 3);
// PROFILE=1: every line of each zero-dependency push's output with its time since the push
// began, then when the push returned and when the dyno first answered.
const PROFILE = !!process.env.PROFILE;

const { createTestDb } = await import("@/server/testing/test-db");
const testDb = await createTestDb();
(globalThis as unknown as { slipwayDb: unknown }).slipwayDb = testDb.db;

const { docker, STACK_IMAGE } = await import("@/server/runtime/docker");
const { buildImage } = await import("@/server/build/images");
const { startRuntime, getRuntime } = await import("@/server/runtime");
const { cleanupInstallation } = await import("@/server/testing/runtime");
const { commitAll, dynoAnswer, fixtureRepo, push, remoteUrl, FIXTURES } = await import("@/server/testing/git-push");
const { gitRoute, serveRoutes } = await import("@/server/testing/route-server");
const { createUser } = await import("@/server/services/users");
const { createApiKey } = await import("@/server/services/api-keys");
const { createApp } = await import("@/server/services/apps");
const { removeBuildArtifacts } = await import("@/server/build/cleanup");

function get(ip: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: ip, port: 5000, path: "/", timeout: 1_000, agent: false }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode === 200));
    });
    req.on("error", () => resolve(false));
    req.on("timeout", () => req.destroy());
  });
}

async function until<T>(check: () => Promise<T | null | false>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await check();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error("timed out");
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const installation = `bench-${crypto.randomBytes(4).toString("hex")}`;
await startRuntime({
  installation,
  bootTimeoutMs: 60_000,
  stopTimeoutSeconds: 3,
  crashBackoffBaseMs: 1_000,
  crashBackoffMaxMs: 10_000,
  sweepIntervalMs: 5_000,
  port: 5000,
  // As the platform runs it: a replaced web dyno is stopped once the router has moved on.
  drain: () => publishAndWaitForRouter(5_000),
});
const server = await serveRoutes([await gitRoute()]);
// The router too, so the push is also timed to its first 200 through the router.
const { publishAndWaitForRouter, startPublishing } = await import("@/server/router/publish");
const { startRouter, get: viaRouter } = await import("@/server/testing/router");
const { dataDir } = await import("@/server/env");
const stopPublishing = startPublishing(1_000);
const router = await startRouter({ dataDir: dataDir() });
const user = await createUser({ email: `bench-${Date.now()}@example.com`, password: "password1" });
const key = (await createApiKey({ userId: user.id, description: "bench" })).token;

/** docker build + docker run of the fixture, to its first 200. */
async function bare(round: number): Promise<number> {
  const ctx = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-bench-bare-"));
  fs.cpSync(path.join(FIXTURES, "node-zero"), ctx, { recursive: true });
  fs.writeFileSync(path.join(ctx, "Dockerfile"), `FROM ${STACK_IMAGE}\nCOPY . /app\nCMD ["node", "server.js"]\n`);
  fs.writeFileSync(path.join(ctx, "round.txt"), `${round} ${Date.now()}`); // no layer cache hits across rounds
  const tag = `${installation}-bare:${round}`;
  const t0 = performance.now();
  await buildImage({ contextDir: ctx, tag });
  const c = await docker().createContainer({ Image: tag, Env: ["PORT=5000"], Labels: { "slipway.managed": "1", "slipway.installation": installation } });
  await c.start();
  const ip = (await c.inspect()).NetworkSettings.IPAddress;
  await until(() => get(ip));
  const ms = performance.now() - t0;
  await c.remove({ force: true });
  await docker().getImage(tag).remove({ force: true });
  fs.rmSync(ctx, { recursive: true, force: true });
  return ms;
}

/** git push of the fixture to an app, to the first 200 from the release it makes: [from the dyno, through the router]. */
async function pushed(appName: string, appId: string, dir: string, release: number, marker: string): Promise<[number, number]> {
  const t0 = performance.now();
  const at = () => `+${(performance.now() - t0).toFixed(0).padStart(5)} ms`;
  const profile = PROFILE && marker.startsWith("hello from node-zero") ? (text: string) => text.split(/[\r\n]+/).filter((l) => l.trim()).forEach((l) => console.log(`  ${at()} ${l}`)) : undefined;
  const r = await push(dir, remoteUrl(server.url, appName, key), "main", [], profile);
  if (r.code !== 0) throw new Error(`push failed:\n${r.output}`);
  if (profile) console.log(`  ${at()} (git push returned)`);
  const direct = until(() => dynoAnswer(installation, appId, "web.1", release)).then(() => {
    if (profile) console.log(`  ${at()} (the dyno answered)`);
    return performance.now() - t0;
  });
  const routed = until(async () => {
    const res = await viaRouter(router.port, `${appName}.localhost`).catch(() => null);
    return res?.status === 200 && res.body.includes(marker);
  }).then(() => performance.now() - t0);
  return Promise.all([direct, routed]);
}

const results = {
  bare: [] as number[],
  first: [] as number[],
  second: [] as number[],
  firstRouted: [] as number[],
  secondRouted: [] as number[],
  depFirst: [] as number[],
  depSecond: [] as number[],
};
const appIds: string[] = [];
try {
  for (let round = 1; round <= RUNS; round++) {
    results.bare.push(await bare(round));
    const app = await createApp({ userId: user.id });
    appIds.push(app.id);
    const dir = await fixtureRepo("node-zero");
    const [first, firstRouted] = await pushed(app.name, app.id, dir, 2, "hello from node-zero");
    results.first.push(first);
    results.firstRouted.push(firstRouted);
    fs.writeFileSync(path.join(dir, "server.js"), fs.readFileSync(path.join(dir, "server.js"), "utf8").replace("node-zero", "node-zero again"));
    await commitAll(dir, "second push");
    const [second, secondRouted] = await pushed(app.name, app.id, dir, 3, "node-zero again");
    results.second.push(second);
    results.secondRouted.push(secondRouted);
    fs.rmSync(dir, { recursive: true, force: true });

    const depApp = await createApp({ userId: user.id });
    appIds.push(depApp.id);
    const depDir = await fixtureRepo("node-dep");
    results.depFirst.push((await pushed(depApp.name, depApp.id, depDir, 2, "node-dep says"))[0]);
    await commitAll(depDir, "second push");
    results.depSecond.push((await pushed(depApp.name, depApp.id, depDir, 3, "node-dep says"))[0]);
    fs.rmSync(depDir, { recursive: true, force: true });
    console.log(
      `round ${round}: bare ${results.bare.at(-1)!.toFixed(0)} ms, first push ${results.first.at(-1)!.toFixed(0)} ms (router ${results.firstRouted.at(-1)!.toFixed(0)} ms), second push ${results.second.at(-1)!.toFixed(0)} ms (router ${results.secondRouted.at(-1)!.toFixed(0)} ms); node-dep first ${results.depFirst.at(-1)!.toFixed(0)} ms, cached ${results.depSecond.at(-1)!.toFixed(0)} ms`,
    );
  }
  const b = median(results.bare);
  const f = median(results.first);
  const s = median(results.second);
  console.log(`\nmedians of ${RUNS}: docker build + run → 200: ${b.toFixed(0)} ms`);
  console.log(`  git push (first, cold cache) → 200: ${f.toFixed(0)} ms  = ${(f / b).toFixed(2)}× bare`);
  console.log(`  git push (second, warm cache) → 200: ${s.toFixed(0)} ms  = ${(s / b).toFixed(2)}× bare`);
  const fr = median(results.firstRouted);
  const sr = median(results.secondRouted);
  console.log(`  through the router: first ${fr.toFixed(0)} ms = ${(fr / b).toFixed(2)}×, second ${sr.toFixed(0)} ms = ${(sr / b).toFixed(2)}× bare`);
  console.log(`  goal: ≤ 1.5× bare (dyno answers) — ${Math.max(f, s) / b <= 1.5 ? "met" : "not met"}`);
  reportBench({
    bench: "deploy",
    figures: { "first push": `${(f / 1000).toFixed(1)} s = ${(f / b).toFixed(2)}× bare`, "second push": `${(s / 1000).toFixed(1)} s = ${(s / b).toFixed(2)}× bare` },
    goal: "git push → 200 ≤ 1.5× docker build + run",
    met: Math.max(f, s) / b <= 1.5,
  });
  // engines.node asks for Node.js 20, which the builder image does not carry: the first app
  // downloads it into the installation's toolchain folder, the next one copies it from there.
  const pinned: number[] = [];
  for (const label of ["not yet cached", "cached"]) {
    const pinApp = await createApp({ userId: user.id });
    appIds.push(pinApp.id);
    const pinDir = await fixtureRepo("node-engines");
    pinned.push((await pushed(pinApp.name, pinApp.id, pinDir, 2, "node-engines"))[0]);
    fs.rmSync(pinDir, { recursive: true, force: true });
    console.log(`  node-engines (engines.node 20.x, Node.js ${label}): first push → 200 ${pinned.at(-1)!.toFixed(0)} ms`);
  }
  // An app with 69 npm packages (express 4): first push, second push from the cache, then the
  // same app asking for a Node.js this installation has not downloaded yet (22.x).
  const many = await createApp({ userId: user.id });
  appIds.push(many.id);
  const manyDir = await fixtureRepo("node-deps50");
  const manyFirst = (await pushed(many.name, many.id, manyDir, 2, "node-deps50 says"))[0];
  await commitAll(manyDir, "second push");
  const manySecond = (await pushed(many.name, many.id, manyDir, 3, "node-deps50 says"))[0];
  const pkg = JSON.parse(fs.readFileSync(path.join(manyDir, "package.json"), "utf8"));
  fs.writeFileSync(path.join(manyDir, "package.json"), JSON.stringify({ ...pkg, engines: { node: "22.x" } }, null, 2));
  await commitAll(manyDir, "engines.node 22.x");
  const manyPinned = (await pushed(many.name, many.id, manyDir, 4, "node-deps50 says"))[0];
  fs.rmSync(manyDir, { recursive: true, force: true });
  console.log(`  node-deps50 (69 npm packages): first push ${manyFirst.toFixed(0)} ms, second push with the cache ${manySecond.toFixed(0)} ms, with engines.node 22.x not yet downloaded ${manyPinned.toFixed(0)} ms`);
  const df = median(results.depFirst);
  const ds = median(results.depSecond);
  console.log(`  node-dep (npm ci of one dependency): first push ${df.toFixed(0)} ms, second push with the npm cache ${ds.toFixed(0)} ms (${(ds / df).toFixed(2)}× the first)`);
} finally {
  if (process.env.DEBUG_ROUTER) console.log(router.output());
  await router.stop();
  stopPublishing();
  await server.close();
  await getRuntime()?.close();
  await cleanupInstallation(installation);
  for (const id of appIds) await removeBuildArtifacts(id);
  const { toolchainDir } = await import("@/server/env");
  if (toolchainDir().startsWith(dataDir() + path.sep)) fs.rmSync(toolchainDir(), { recursive: true, force: true }); // Node.js 20, ~150 MB
  await testDb.close();
}
