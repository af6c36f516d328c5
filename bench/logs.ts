// bench/logs — a dyno's stdout to an SSE client, through the real parts: the Docker
// Engine's log API, the collector, the app's log bus, and the SSE stream over HTTP (the
// stream the route serves, on a plain Node server: the route's next-auth import does not
// load outside Next.js or Vitest; it adds only the access check).
//
//   npm run bench:logs        (needs dockerd and the stack image: npm run up / npm test set them up)
//
// 1. Latency: a dyno prints a line with its send time every 10 ms (the container shares
//    the host's clock); the client subtracts it from the arrival time. p50/p99.
// 2. Throughput: a dyno prints numbered lines at a fixed rate for a few seconds; the rate
//    doubles until the client misses a line. Reports the highest rate with no loss.
// Goals (issue 6): p99 ≤ 100 ms; ≥ 20,000 lines/s with no loss for a client that keeps up.
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { reportBench } from "@/bench/report";

process.env.SLIPWAY_DATA_DIR ??= fs.mkdtempSync(path.join(os.tmpdir(), "slipway-bench-"));
process.env.SLIPWAY_SECRET_KEY ??= "bench";

const { createTestDb } = await import("@/server/testing/test-db");
const testDb = await createTestDb();
(globalThis as unknown as { slipwayDb: unknown }).slipwayDb = testDb.db;

const { startRuntime, getRuntime } = await import("@/server/runtime");
const { startLogging } = await import("@/server/logs");
const { cleanupInstallation, ensureFixtureImage } = await import("@/server/testing/runtime");
const { logEventStream } = await import("@/server/logs/stream");
const http = await import("node:http");
const { Readable } = await import("node:stream");
const { createUser } = await import("@/server/services/users");
const { createApp } = await import("@/server/services/apps");
const { releaseImage } = await import("@/server/services/deploys");
const { updateFormation } = await import("@/server/services/formation");

const installation = `bench-${crypto.randomBytes(4).toString("hex")}`;
const logging = startLogging(installation, { scanIntervalMs: 200 });
await logging.collector.start();
await startRuntime({ installation, bootTimeoutMs: 60_000, stopTimeoutSeconds: 1, crashBackoffBaseMs: 1_000, crashBackoffMaxMs: 10_000, sweepIntervalMs: 5_000, port: 5000 });
const appIds = new Map<string, string>();
const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://localhost");
  const appId = appIds.get(/^\/api\/apps\/([^/]+)\/logs$/.exec(url.pathname)?.[1] ?? "");
  if (!appId) return void res.writeHead(404).end();
  const abort = new AbortController();
  res.on("close", () => abort.abort());
  const body = logEventStream({ appId, lines: 0, tail: true, filter: { source: url.searchParams.get("source") }, format: "text", signal: abort.signal });
  res.writeHead(200, { "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache, no-transform" });
  Readable.fromWeb(body as import("node:stream/web").ReadableStream).pipe(res);
});
await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
const serverUrl = `http://127.0.0.1:${(server.address() as import("node:net").AddressInfo).port}`;
const user = await createUser({ email: `bench-${Date.now()}@example.com`, password: "password1" });
const image = await ensureFixtureImage();

/** Opens the SSE stream (tail, app output only) and calls onLine for each message. */
async function client(appName: string, onLine: (message: string, arrived: number) => void) {
  const abort = new AbortController();
  const res = await fetch(`${serverUrl}/api/apps/${appName}/logs?source=app`, { signal: abort.signal });
  if (res.status !== 200 || !res.body) throw new Error(`stream: ${res.status} ${await res.text()}`);
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  void (async () => {
    let text = "";
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        const arrived = Date.now();
        text += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = text.indexOf("\n\n")) >= 0) {
          const block = text.slice(0, end);
          text = text.slice(end + 2);
          const data = block.split("\n").find((l) => l.startsWith("data: "));
          if (data) onLine(data.slice(data.indexOf("]: ") + 3), arrived);
        }
      }
    } catch {
      // aborted
    }
  })();
  return () => abort.abort();
}

async function dynoApp(command: string) {
  const app = await createApp({ userId: user.id });
  await releaseImage({ appId: app.id, userId: user.id, imageTag: image, processTypes: { worker: command }, description: "bench" });
  appIds.set(app.name, app.id);
  return app;
}

async function run(app: { id: string; name: string }, quantity: number) {
  await updateFormation({ appId: app.id, updates: [{ type: "worker", quantity }] });
  await getRuntime()!.reconcile(app.id);
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;

try {
  // 1. latency
  const LAT_LINES = Number(process.env.LAT_LINES ?? 1000);
  const latApp = await dynoApp(`node -e 'let n=0; const t=setInterval(() => { console.log("lat " + Date.now()); if (++n >= ${LAT_LINES}) { clearInterval(t); setInterval(() => {}, 1e6); } }, 10)'`);
  const latencies: number[] = [];
  const stopLat = await client(latApp.name, (m, arrived) => {
    const sent = /^lat (\d+)$/.exec(m);
    if (sent) latencies.push(arrived - Number(sent[1]));
  });
  await run(latApp, 1);
  const deadline = Date.now() + 60_000 + LAT_LINES * 10;
  while (latencies.length < LAT_LINES * 0.95 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  stopLat();
  await run(latApp, 0);
  // The first lines wait for the collector to find the new container: count from the tenth on.
  const steady = latencies.slice(10);
  console.log(`latency (${steady.length} lines, one every 10 ms): p50 ${pct(steady, 50)} ms, p99 ${pct(steady, 99)} ms, max ${Math.max(...steady)} ms`);

  // 2. throughput
  const SECONDS = Number(process.env.SECONDS_PER_RATE ?? 4);
  let best = 0;
  for (let rate = 5_000; rate <= 160_000; rate *= 2) {
    const total = rate * SECONDS;
    const perTick = rate / 100;
    const app = await dynoApp(
      `node -e 'let i=0; const t=setInterval(() => { let s=""; for (let k=0; k<${perTick} && i<${total}; k++) s += "n " + (++i) + " lorem ipsum dolor sit amet\\n"; process.stdout.write(s); if (i>=${total}) { clearInterval(t); setInterval(() => {}, 1e6); } }, 10)'`,
    );
    const seen = new Set<number>();
    let last = 0;
    let outOfOrder = 0;
    let dropped = 0;
    const stop = await client(app.name, (m) => {
      const n = /^n (\d+) /.exec(m);
      if (n) {
        const v = Number(n[1]);
        if (v <= last) outOfOrder++;
        last = v;
        seen.add(v);
      } else if (/Error L10/.test(m)) dropped += Number(/(\d+) messages dropped/.exec(m)?.[1] ?? 0);
    });
    const t0 = Date.now();
    await run(app, 1);
    const until = Date.now() + SECONDS * 1000 + 30_000;
    while (seen.size < total && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    const took = (Date.now() - t0) / 1000;
    stop();
    await run(app, 0);
    const lost = total - seen.size;
    console.log(`${rate} lines/s for ${SECONDS} s: ${seen.size}/${total} received in ${took.toFixed(1)} s${lost ? `, ${lost} lost (${dropped} announced by L10)` : ", none lost"}${outOfOrder ? `, ${outOfOrder} out of order` : ""}`);
    if (lost || outOfOrder) break;
    best = rate;
  }
  console.log(`\nhighest rate with no loss: ${best} lines/s (goal ≥ 20,000); latency p99 ${pct(steady, 99)} ms (goal ≤ 100 ms)`);
  reportBench({
    bench: "logs",
    figures: { "lines/s, no loss": String(best), "latency p99": `${pct(steady, 99)} ms` },
    goal: "≥ 20,000 lines/s with no loss; p99 ≤ 100 ms",
    met: best >= 20_000 && Number(pct(steady, 99)) <= 100,
  });
} finally {
  logging.stop();
  await getRuntime()?.close();
  await cleanupInstallation(installation);
  server.close();
  await testDb.close?.();
  process.exit(0);
}
