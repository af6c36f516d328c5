// The router across the platform's own changes, for real (HAProxy in front of dynos on the
// Engine): a scale-down drains requests in flight before SIGTERM, a control-plane restart
// fails no request, and the request log rotates without losing a line for its reader.
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { readFrames, wsFrame } from "@/server/testing/websocket";
import { runtimeDriver } from "@/server/runtime/driver";
import { dataDir } from "@/server/env";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { backendName } from "@/server/router/haproxy";
import { inFlight } from "@/server/router/drain";
import { appliedVersion, drainForStop, publishAndWaitForRouter, startPublishing } from "@/server/router/publish";
import { readTable, routerDir, tablePath, type RoutingTable } from "@/server/router/protocol";
import { startRuntime, stopRuntime } from "@/server/runtime";
import { createApp } from "@/server/services/apps";
import { releaseImage } from "@/server/services/deploys";
import { updateFormation } from "@/server/services/formation";
import { testRuntimeOptions, waitFor } from "@/server/testing/runtime";
import { startRouterSuite, stopRouterSuite } from "@/server/testing/router-suite";
import { get, startRouter } from "@/server/testing/router";
import { followRouterLog } from "@/server/router/ingest";
import { bus } from "@/server/runtime/events";

const opts = testRuntimeOptions({ drain: (appId) => drainForStop(appId, { ackMs: 5_000, maxMs: 10_000 }) });
let router: Awaited<ReturnType<typeof startRouter>>;
let stopPublishing: () => void;
let image: string;
let userId: string;

// Small enough that the log test below rotates requests.log many times.
const logMaxBytes = 16 * 1024;

beforeAll(async () => {
  process.env.SLIPWAY_ROUTER_LOG_MAX_BYTES = String(logMaxBytes);
  ({ router, stopPublishing, image, userId } = await startRouterSuite(opts, { timeoutMs: 10_000, user: "lifecycle" }));
});

afterAll(() => stopRouterSuite(opts, { router, stopPublishing }));

async function deployed(prefix: string, web: number, command = "node server.js") {
  const app = await createApp({ userId, name: `${prefix}-${Date.now().toString(36)}` });
  await releaseImage({ appId: app.id, userId, imageTag: image, processTypes: { web: command }, description: "test" });
  if (web !== 1) await updateFormation({ appId: app.id, updates: [{ type: "web", quantity: web }] });
  await answering(app, web);
  return app;
}

/** Waits until the router's table has exactly `web` dynos of the app and each answers through it. */
async function answering(app: { id: string; name: string }, web: number) {
  await waitFor(`${web} web dynos in the router's table`, async () => readTable(dataDir())?.apps.find((a) => a.id === app.id)?.web.length === web, 30_000);
  const seen = new Set<string>();
  await waitFor(`all ${web} dynos answering through the router`, async () => {
    const r = await get(router.port, `${app.name}.localhost`);
    if (r.status === 200) seen.add(r.body.trim());
    return seen.size === web;
  });
}

/** One command on the router's HAProxy stats socket (or its master's). */
function haproxy(command: string, socket = "haproxy.sock") {
  return new Promise<string>((resolve, reject) => {
    const sock = net.connect(path.join(routerDir(dataDir()), "proxy", socket));
    let out = "";
    sock.on("connect", () => sock.end(`${command}\n`));
    sock.on("data", (d) => (out += d));
    sock.on("error", reject);
    sock.on("close", () => resolve(out));
  });
}

/** The pid of HAProxy's current worker (a reload starts a new one). */
async function currentWorker() {
  const procs = await haproxy("show proc", "master.sock");
  return Number(/^(\d+)\s+worker/m.exec(procs.split("# workers")[1] ?? "")?.[1]);
}

/** A WebSocket through the router to the fixture, which echoes each frame. */
async function openWebSocket(hostname: string) {
  const sock = net.connect(router.port, "127.0.0.1");
  let received = Buffer.alloc(0);
  sock.on("data", (d: Buffer) => (received = Buffer.concat([received, d])));
  sock.write(`GET / HTTP/1.1\r\nHost: ${hostname}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  await waitFor("the WebSocket handshake", async () => received.includes("\r\n\r\n"), 10_000);
  expect(received.toString("latin1")).toMatch(/^HTTP\/1\.1 101 /);
  received = received.subarray(received.indexOf("\r\n\r\n") + 4);
  let closed = false;
  sock.on("close", () => (closed = true));
  return {
    echo: async (text: string) => {
      if (closed) return "(closed)";
      sock.write(wsFrame(0x1, Buffer.from(text)));
      await waitFor(`the echo of ${text}`, async () => closed || readFrames(received).some((f) => f.payload.toString() === text), 10_000);
      received = Buffer.alloc(0);
      return closed ? "(closed)" : text;
    },
    close: () => sock.destroy(),
  };
}

describe("the router through platform changes", () => {
  it("drains a leaving dyno's requests in flight before SIGTERM, even for a dyno that exits at once on SIGTERM", async () => {
    // No graceful close: on SIGTERM this dyno drops whatever it is serving.
    const app = await deployed("drain", 2, `exec node -e 'process.on("SIGTERM", () => process.exit(0)); require("/app/server.js")'`);
    // Round robin over two dynos: two of these slow requests are on web.2 when it is asked to go.
    const slow = [1, 2, 3, 4].map(() => get(router.port, `${app.name}.localhost`, "/sleep?ms=3000"));
    await waitFor("the slow requests in flight on both dynos", async () => {
      const busy = inFlight(await haproxy("show stat")).filter((b) => b.backend === backendName(app.id));
      return busy.length === 2 && busy.every((b) => b.requests === 2);
    });
    await updateFormation({ appId: app.id, updates: [{ type: "web", quantity: 1 }] });
    const answers = await Promise.all(slow);
    expect(answers.map((a) => `${a.status} ${a.body.trim()}`).sort()).toEqual(["200 slept in web.1", "200 slept in web.1", "200 slept in web.2", "200 slept in web.2"]);
    await waitFor("web.2 stopped and removed", async () => (await runtimeDriver().listDynos(opts.installation, app.id)).every((c) => c.dyno === "web.1"));
  });

  it("fails no request while the control plane restarts and re-probes the dynos it adopts", async () => {
    const app = await deployed("restart", 2);
    let stopLoad = false;
    const failures: string[] = [];
    let served = 0;
    const load = [1, 2, 3, 4].map(async () => {
      while (!stopLoad) {
        const r = await get(router.port, `${app.name}.localhost`).catch((err: Error) => ({ status: 0, body: String(err) }));
        if (r.status === 200) served++;
        else failures.push(`${r.status} ${r.body.slice(0, 200)}`);
      }
    });

    // Every table written from here on, as the router sees them.
    const before = readTable(dataDir())!.version;
    const tables: RoutingTable[] = [];
    const onTable = () => {
      const t = readTable(dataDir());
      if (t && t.version !== tables.at(-1)?.version) tables.push(t);
    };
    fs.watchFile(tablePath(dataDir()), { interval: 10 }, onTable);

    // The restart: this runtime and publisher go away, new ones adopt the running dynos.
    stopPublishing();
    await stopRuntime();
    await startRuntime(opts);
    stopPublishing = startPublishing(500);
    // A table from the new control plane (this one waits behind its first), live in the router.
    expect(await publishAndWaitForRouter(30_000)).toBe(true);
    expect(readTable(dataDir())!.version).toBeGreaterThan(before);
    expect(readTable(dataDir())!.apps.find((a) => a.id === app.id)?.web).toHaveLength(2);
    const servedBefore = served;
    await waitFor("more requests served after the restart", async () => served > servedBefore + 50);
    stopLoad = true;
    await Promise.all(load);
    fs.unwatchFile(tablePath(dataDir()), onTable);
    // No table routed the app to fewer dynos (H14 when none) while the new runtime re-probed them.
    expect(tables.filter((t) => t.version > before).map((t) => t.apps.find((a) => a.id === app.id)?.web.length)).not.toContain(0);
    expect(tables.filter((t) => t.version > before).every((t) => t.apps.find((a) => a.id === app.id)?.web.length === 2)).toBe(true);
    expect(failures).toEqual([]);
    expect(served).toBeGreaterThan(50);
  });

  it("rotates the request log without losing or repeating a line for its running reader", async () => {
    const app = await deployed("logs", 1);
    const file = path.join(routerDir(dataDir()), "requests.log");
    const seen = new Map<number, number>();
    // Each rotation leaves a different requests.log.1: its first line names the rotation
    // (inode numbers would not: a freed one is reused for the next file).
    const rotations = new Set<string>();
    const onLog = (e: { appId: string; source: string; message: string }) => {
      const n = e.appId === app.id && e.source === "slipway[router]" ? /path="\/r\/(\d+)"/.exec(e.message)?.[1] : undefined;
      if (n) seen.set(Number(n), (seen.get(Number(n)) ?? 0) + 1);
    };
    bus.on("log", onLog);
    const stopFollowing = followRouterLog(50);
    const sample = setInterval(() => {
      let first = "";
      try {
        first = fs.readFileSync(`${file}.1`, "utf8").split("\n")[0]!;
      } catch {
        // none yet, or replaced by the next rotation between two calls: the next sample sees it
      }
      if (first) rotations.add(first);
    }, 5);
    const total = 800;
    for (let i = 0; i < total; i += 20) {
      const batch = Array.from({ length: 20 }, (_, j) => get(router.port, `${app.name}.localhost`, `/r/${i + j}`));
      expect((await Promise.all(batch)).every((r) => r.status === 200)).toBe(true);
    }
    await waitFor(`all ${total} router lines read`, async () => seen.size === total);
    clearInterval(sample);
    stopFollowing();
    bus.off("log", onLog);
    expect([...seen.values()].every((count) => count === 1)).toBe(true);
    // About 250 bytes a line, 200 KB in all: rotated several times (each time the reader had
    // moved on), so the current file holds only the last part. (How far past the limit it
    // grows depends on how far the reader lags, which a busy machine decides.)
    expect(rotations.size).toBeGreaterThan(3);
    expect(fs.statSync(file).size).toBeLessThan(160_000); // well under the ~200 KB written (110 KB seen when the reader lagged)
  });

  it("changes an app's dynos without a reload: WebSockets on it and other apps stay open", async () => {
    const chat = await deployed("ws", 1);
    const other = await deployed("scaled", 1);
    const ws = await openWebSocket(`${chat.name}.localhost`);
    expect(await ws.echo("one")).toBe("one");
    const worker = await currentWorker();

    await updateFormation({ appId: other.id, updates: [{ type: "web", quantity: 2 }] });
    await answering(other, 2);
    await updateFormation({ appId: chat.id, updates: [{ type: "web", quantity: 2 }] });
    await answering(chat, 2);
    await updateFormation({ appId: other.id, updates: [{ type: "web", quantity: 1 }] });
    await waitFor("the other app's web.2 stopped", async () => (await runtimeDriver().listDynos(opts.installation, other.id)).every((c) => c.dyno === "web.1"));
    await answering(other, 1);

    // The same HAProxy worker all along: dynos came and went through its runtime API.
    expect(await currentWorker()).toBe(worker);
    expect(await ws.echo("two")).toBe("two");
    ws.close();
  });

  it("routes a new app at once; its first dyno, its last one leaving and a crash change no HAProxy worker (H14/H10 pages meanwhile)", async () => {
    const published: string[] = [];
    const onRoutes = (e: { appId: string }) => published.push(e.appId);
    bus.on("routes", onRoutes);
    const app = await createApp({ userId, name: `first-${Date.now().toString(36)}` });
    bus.off("routes", onRoutes);
    // Creating the app publishes its routes (the router's one reload for it is here, not at the first push).
    expect(published).toContain(app.id);
    const page = async (code: string) => {
      const r = await get(router.port, `${app.name}.localhost`);
      return r.status === 503 && r.body.includes(code) ? r : null;
    };
    // Its router lines as the control plane reads them (each once): requests.log rotates at
    // 16 KB here, so a line looked for in the file later may have been rotated away by then
    // (each poll below logs a line; on CI the H14 line was gone by the time H10 came).
    const routerLines: string[] = [];
    const onLog = (e: { appId: string; source: string; message: string }) => {
      if (e.appId === app.id && e.source === "slipway[router]") routerLines.push(e.message);
    };
    bus.on("log", onLog);
    const stopFollowing = followRouterLog(50);
    onTestFinished(() => {
      stopFollowing();
      bus.off("log", onLog);
    });
    const none = await waitFor("the new app's H14 page", () => page("H14"), 10_000);
    // The reload for the new app acknowledged (its log line comes after the new worker serves).
    await waitFor("the router to acknowledge the new app's table", async () => appliedVersion() >= (readTable(dataDir())?.version ?? Infinity));
    // And its line for that table: the router writes applied.json just before it logs, so
    // under load the line of this reload came after the mark below (CI saw it there).
    const acknowledged = new RegExp(`table v${appliedVersion()}\\b`);
    await waitFor("the router's line for the acknowledged table", async () => acknowledged.test(router.output()));
    expect(none.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(none.headers["cache-control"]).toBe("no-cache, no-store");
    expect(none.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    const worker = await currentWorker();
    const output = router.output().length;

    // 0 → 1 web dyno: served by the same worker, told through the runtime API.
    await releaseImage({ appId: app.id, userId, imageTag: image, processTypes: { web: "node server.js" }, description: "test" });
    await answering(app, 1);
    expect(await currentWorker()).toBe(worker);
    await waitFor("the router's note of a runtime change", async () => router.output().slice(output).includes(`applied without a reload (add ${backendName(app.id)}/web.1, ${backendName(app.id)} up)`));
    expect(router.output().slice(output)).not.toContain("reloaded for table");

    // 1 → 0: the H14 page again, the same worker.
    await updateFormation({ appId: app.id, updates: [{ type: "web", quantity: 0 }] });
    await waitFor("the H14 page with no web dyno", () => page("H14"), 30_000);
    expect(await currentWorker()).toBe(worker);

    // Web dynos that crash: the H10 page (a runtime map change), the same worker.
    await releaseImage({ appId: app.id, userId, imageTag: image, processTypes: { web: "echo starting; exit 1" }, description: "crashing" });
    await updateFormation({ appId: app.id, updates: [{ type: "web", quantity: 1 }] });
    await waitFor("the H10 page", () => page("H10"), 30_000);
    expect(await currentWorker()).toBe(worker);
    const lines = await waitFor("H14 and H10 router lines", async () => {
      const mine = routerLines.filter((l) => l.includes(`host=${app.name}.localhost`));
      const h14 = mine.find((l) => l.startsWith('at=error code=H14 desc="No web dynos running"'));
      const h10 = mine.find((l) => l.startsWith('at=error code=H10 desc="App crashed"'));
      if (!h14 || !h10) throw new Error(`its router lines so far:\n${mine.join("\n")}`); // shown if it times out
      return [h14, h10];
    });
    for (const l of lines) expect(l).toMatch(/ request_id=[0-9a-f-]{36} fwd="127\.0\.0\.1" dyno= connect=0ms service=0ms status=503 bytes=\d+ protocol=http$/);
  });
});
