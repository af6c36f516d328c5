// The router for real: the router process and HAProxy in front of real dynos on the Engine,
// fed by the routing table the control plane publishes.
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { db } from "@/server/db";
import { appliedVersion, publishAndWaitForRouter, startPublishing } from "@/server/router/publish";
import { readTable, routerDir, writeTable } from "@/server/router/protocol";
import { readFrames, wsFrame, type Frame } from "@/server/testing/websocket";
import { getRuntime } from "@/server/runtime";
import { dataDir } from "@/server/env";
import { createApp, setAppMaintenance } from "@/server/services/apps";
import { releaseImage } from "@/server/services/deploys";
import { addDomain } from "@/server/services/domains";
import { updateFormation } from "@/server/services/formation";
import { testRuntimeOptions, waitFor } from "@/server/testing/runtime";
import { startRouterSuite, stopRouterSuite } from "@/server/testing/router-suite";
import { get, send, startRouter } from "@/server/testing/router";

const opts = testRuntimeOptions({ drain: () => publishAndWaitForRouter(5_000) });
let router: Awaited<ReturnType<typeof startRouter>>;
let stopPublishing: () => void;
let image: string;
let userId: string;

beforeAll(async () => {
  ({ router, stopPublishing, image, userId } = await startRouterSuite(opts, { timeoutMs: 3_000, user: "router" }));
});

afterAll(() => stopRouterSuite(opts, { router, stopPublishing }));

async function deployed(prefix: string, web = 1, command = "node server.js") {
  const app = await createApp({ userId, name: `${prefix}-${Date.now().toString(36)}` });
  await releaseImage({ appId: app.id, userId, imageTag: image, processTypes: { web: command }, description: "test" });
  if (web !== 1) await updateFormation({ appId: app.id, updates: [{ type: "web", quantity: web }] });
  return app;
}

const host = (name: string) => `${name}.localhost`;

/** Waits until the router answers for `h` with the wanted status. */
const routed = (h: string, status = 200, path = "/") =>
  waitFor(`${h}${path} to answer ${status}`, async () => {
    const r = await get(router.port, h, path);
    return r.status === status ? r : null;
  }, 30_000);

describe("the router", () => {
  // The slowest case (30 s of waiting, on a router and an app of its own) starts first and
  // runs beside the others; its own case below awaits it. Deployed and routed before the
  // others begin: a table change mid-case reloads the shared router (round robin starts over).
  let defaults: Promise<void>;
  beforeAll(async () => {
    const app = await deployed("dflt");
    await routed(host(app.name));
    defaults = atHerokuDefaults(app, await ownRouter(app.name));
    defaults.catch(() => {}); // reported by its case, not as an unhandled rejection
  });

  it("routes by Host, spreads requests over web dynos round robin and logs each like Heroku", async () => {
    const app = await deployed("rr", 3);
    await waitFor("3 routable web dynos", async () => (getRuntime()!.routable(app.id).length === 3 ? true : null), 30_000);
    await waitFor("the router's table to hold 3 web dynos", async () => (readTable(dataDir())?.apps.find((a) => a.id === app.id)?.web.length === 3 ? true : null));
    // Round robin once HAProxy has reloaded with the new table: any 3 requests in a row hit all 3.
    const answers = await waitFor("requests spread over web.1..3", async () => {
      const seen = new Set<string>();
      for (let i = 0; i < 3; i++) seen.add((await get(router.port, host(app.name))).body.trim());
      return seen.size === 3 ? seen : null;
    });
    expect([...answers].sort()).toEqual(["hello from web.1", "hello from web.2", "hello from web.3"]);
    // Strictly in turn: 30 requests in a row give each dyno 10, and any 3 in a row all three.
    const order: string[] = [];
    for (let i = 0; i < 30; i++) order.push((await get(router.port, host(app.name))).body.trim().replace("hello from ", ""));
    expect(["web.1", "web.2", "web.3"].map((d) => order.filter((o) => o === d).length)).toEqual([10, 10, 10]);
    for (let i = 0; i + 3 <= order.length; i++) expect(new Set(order.slice(i, i + 3)).size, order.join(" ")).toBe(3);
    await waitFor("router lines", async () => (router.lines().some((l) => l.includes(`host=${host(app.name)}`) && l.includes("dyno=web.3")) ? true : null));
    const line = router.lines().find((l) => l.startsWith("at=info") && l.includes(`host=${host(app.name)}`))!;
    expect(line).toMatch(/^at=info method=GET path="\/" host=\S+ request_id=[0-9a-f-]{36} fwd="127\.0\.0\.1" dyno=web\.\d connect=\d+ms service=\d+ms status=200 bytes=\d+ protocol=http$/);
  });

  it("sets Heroku's request headers and keeps a valid client request id", async () => {
    const app = await deployed("hdr");
    await routed(host(app.name));
    const rid = "client-request-id-0123456789";
    const r = await get(router.port, host(app.name), "/headers", { "x-request-id": rid, "x-forwarded-for": "10.1.2.3" });
    const { headers } = JSON.parse(r.body) as { headers: Record<string, string> };
    expect(headers["x-request-id"]).toBe(rid);
    expect(r.headers["x-request-id"]).toBe(rid);
    expect(headers["x-forwarded-for"]).toBe("10.1.2.3, 127.0.0.1");
    expect(headers["x-forwarded-proto"]).toBe("http");
    expect(headers["x-forwarded-port"]).toBe(String(router.port));
    expect(headers["x-request-start"]).toMatch(/^t=\d{13}$/);
    expect(Math.abs(Number(headers["x-request-start"].slice(2)) - Date.now())).toBeLessThan(10_000);
    expect(headers.via).toBe("1.1 slipway");
    const bad = JSON.parse((await get(router.port, host(app.name), "/headers", { "x-request-id": "short" })).body);
    expect(bad.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("serves custom domains, maintenance (H80), no dynos (H14) and unknown hosts (404)", async () => {
    const app = await deployed("err");
    await routed(host(app.name));
    await addDomain({ appId: app.id, hostname: `www.${app.name}.example.com` });
    expect((await routed(`www.${app.name}.example.com`)).body).toBe("hello from web.1\n");

    await setAppMaintenance({ appId: app.id, userId, maintenance: true });
    const m = await routed(host(app.name), 503);
    expect(m.body).toContain("Offline for maintenance");
    expect(m.headers["retry-after"]).toBe("60");
    await setAppMaintenance({ appId: app.id, userId, maintenance: false });
    await routed(host(app.name));

    await updateFormation({ appId: app.id, updates: [{ type: "web", quantity: 0 }] });
    const none = await routed(host(app.name), 503);
    expect(none.body).toContain("H14");
    const unknown = await get(router.port, "no-such-app.localhost");
    expect(unknown.status).toBe(404);
    expect(unknown.body).toContain("There's nothing here, yet");
    await waitFor("H80 and H14 lines", async () => {
      const lines = router.lines().filter((l) => l.includes(`host=${host(app.name)}`));
      return lines.some((l) => l.startsWith('at=error code=H80 desc="Maintenance mode"')) && lines.some((l) => l.startsWith('at=error code=H14 desc="No web dynos running"')) ? true : null;
    });
  });

  it("answers H12 after the timeout, H13 when the dyno hangs up, H17, H18, H10 when web dynos crashed", async () => {
    const app = await deployed("h1x");
    await routed(host(app.name));
    const slow = await get(router.port, host(app.name), "/sleep?ms=5000");
    expect(slow.status).toBe(503);
    expect(slow.body).toContain("H12");
    const closed = await get(router.port, host(app.name), "/close");
    expect(closed.status).toBe(503);
    expect(closed.body).toContain("H13");
    // Not HTTP from the dyno: HAProxy answers 502, whose page names H13 and H17 (it cannot
    // tell them apart when it writes it); the log line says which.
    const bad = await get(router.port, host(app.name), "/bad-header");
    expect(bad.status).toBe(503);
    expect(bad.body).toContain("H17");
    // H18: the dyno drops the connection halfway through its answer (the client keeps what
    // came), or halfway through the request body (HAProxy 2.6 then closes the client's
    // connection without an answer: no page can be served in either case).
    const partial = await send(router.port, host(app.name), { path: "/partial" });
    expect(partial).toMatchObject({ status: 200, body: "only half of it\n", complete: false });
    const aborted = await send(router.port, host(app.name), { method: "POST", path: "/upload-abort", body: Buffer.alloc(8 << 20) }).catch((err: Error) => err);
    expect(aborted).toBeInstanceOf(Error);
    const lines = await waitFor("H12, H13, H17 and H18 lines", async () => {
      const lines = router.lines().filter((l) => l.includes(`host=${host(app.name)}`));
      const has = (start: string) => lines.find((l) => l.startsWith(start));
      const found = [
        has('at=error code=H12 desc="Request timeout" method=GET path="/sleep?ms=5000"'),
        has('at=error code=H13 desc="Connection closed without response" method=GET path="/close"'),
        has('at=error code=H17 desc="Poorly formatted HTTP response" method=GET path="/bad-header"'),
        has('at=error code=H18 desc="Server Request Interrupted" method=GET path="/partial"'),
        has('at=error code=H18 desc="Server Request Interrupted" method=POST path="/upload-abort"'),
      ];
      return found.every(Boolean) ? (found as string[]) : null;
    });
    for (const l of lines) expect(l).toMatch(/ dyno=web\.1 connect=\d+ms service=\d+ms status=503 bytes=\d+ protocol=http$/);

    const crashing = await deployed("h10", 1, "echo starting; exit 1");
    await waitFor("web.1 to crash", async () => ((await db.dyno.findFirst({ where: { appId: crashing.id, name: "web.1", state: "crashed" } })) ? true : null), 30_000);
    const r = await routed(host(crashing.name), 503);
    await waitFor("an H10 page", async () => ((await get(router.port, host(crashing.name))).body.includes("H10") ? true : null));
    expect(r.status).toBe(503);
    const h10 = await waitFor("an H10 line", async () => router.lines().find((l) => l.startsWith('at=error code=H10 desc="App crashed"') && l.includes(`host=${host(crashing.name)}`)));
    expect(h10).toMatch(/^at=error code=H10 desc="App crashed" method=GET path="\/" host=\S+ request_id=[0-9a-f-]{36} fwd="127\.0\.0\.1" dyno= connect=0ms service=0ms status=503 bytes=\d+ protocol=http$/);
  });

  it("passes WebSocket upgrades, keeps routing without the control plane, retries refused connects, counts requests", async () => {
    const app = await deployed("ws");
    await routed(host(app.name));
    const key = crypto.randomBytes(16).toString("base64");
    const big = crypto.randomBytes(100_000);
    const { accept, frames } = await new Promise<{ accept: unknown; frames: Frame[] }>((resolve, reject) => {
      const req = http.request({
        host: "127.0.0.1",
        port: router.port,
        headers: { host: host(app.name), connection: "Upgrade", upgrade: "websocket", "sec-websocket-version": "13", "sec-websocket-key": key },
      });
      req.on("upgrade", (res, socket: net.Socket, head: Buffer) => {
        let buf = head;
        socket.on("data", (d: Buffer) => {
          buf = Buffer.concat([buf, d]);
          const frames = readFrames(buf);
          if (frames.at(-1)?.opcode === 0x8) resolve({ accept: res.headers["sec-websocket-accept"], frames });
        });
        socket.on("error", reject);
        socket.write(Buffer.concat([wsFrame(0x1, Buffer.from("ping through the router")), wsFrame(0x2, big)]));
        socket.write(wsFrame(0x8, Buffer.from([0x03, 0xe8]))); // close, 1000
      });
      req.on("error", reject);
      req.end();
    });
    expect(accept).toBe(crypto.createHash("sha1").update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest("base64"));
    expect(frames.map((f) => f.opcode)).toEqual([0x1, 0x2, 0x8]);
    expect(frames[0]!.payload.toString()).toBe("ping through the router");
    expect(frames[1]!.payload.equals(big)).toBe(true);

    stopPublishing(); // the control plane goes away: the router keeps its last table
    expect((await get(router.port, host(app.name))).status).toBe(200);

    // A dyno that refuses connections (here: a table entry for a port nobody listens on)
    // costs nothing: the connect failure is retried on another dyno.
    const table = readTable(dataDir())!;
    const entry = table.apps.find((a) => a.id === app.id)!;
    entry.web = [{ dyno: "web.9", host: "127.0.0.1", port: 1 }, ...entry.web];
    writeTable(dataDir(), { ...table, version: table.version + 1 });
    // A dyno change is applied through HAProxy's runtime API (no reload): wait for the acknowledgement.
    await waitFor("the router to apply the table", async () => (appliedVersion() >= table.version + 1 ? true : null));
    const statuses = await Promise.all(Array.from({ length: 6 }, () => get(router.port, host(app.name)).then((r) => r.status)));
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);

    // Every dyno refusing: after the retries, H21 on the page, in the log line and counted.
    entry.web = [{ dyno: "web.8", host: "127.0.0.1", port: 1 }, { dyno: "web.9", host: "127.0.0.1", port: 1 }];
    writeTable(dataDir(), { ...table, version: table.version + 2 });
    // A dyno change is applied through HAProxy's runtime API (no reload): wait for the acknowledgement.
    await waitFor("the router to apply the table", async () => (appliedVersion() >= table.version + 2 ? true : null));
    const refused = await get(router.port, host(app.name));
    expect(refused.status).toBe(503);
    expect(refused.body).toContain("H21");
    const h21 = await waitFor("an H21 line", async () => router.lines().find((l) => l.startsWith('at=error code=H21 desc="Backend connection refused"') && l.includes(`host=${host(app.name)}`)));
    expect(h21).toMatch(/ dyno=web\.[89] connect=0ms service=0ms status=503 /);
    stopPublishing = startPublishing(500);

    // Per-app counters for the metrics work, written every few seconds.
    const stats = await waitFor("router stats for the app", async () => {
      const file = path.join(routerDir(dataDir()), "stats.json");
      const json = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : null;
      return json?.apps?.[app.id]?.status?.["2xx"] >= 8 && json.apps[app.id].codes?.H21 >= 1 ? json.apps[app.id] : null;
    }, 15_000);
    expect(stats.latency.reduce((a: number, b: number) => a + b, 0)).toBeGreaterThanOrEqual(8);
  });

  it("reuses dyno connections, streams bodies both ways and carries a large upload intact", async () => {
    const app = await deployed("data");
    await routed(host(app.name));
    // Keep-alive to the dyno: after a client connection's first request (its own dyno
    // connection, `http-reuse safe`) its requests ride a dyno connection already open: the
    // worker's idle pool may give its own or an older one (one HAProxy thread has one pool;
    // routed() above left a connection in it), but no request opens one.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const conns: { port: number; request: number }[] = [];
    for (let i = 0; i < 5; i++) conns.push(JSON.parse((await send(router.port, host(app.name), { path: "/conn", agent })).body));
    agent.destroy();
    expect(new Set(conns.map((c) => c.port)).size).toBeLessThanOrEqual(2);
    const later = conns.slice(1);
    expect(new Set(later.map((c) => c.port)).size).toBe(1);
    expect(later.map((c) => c.request - later[0]!.request)).toEqual([0, 1, 2, 3]);
    expect(later[0]!.request).toBeGreaterThanOrEqual(2);
    // A pooled dyno connection that closes as the next request arrives (what Node's 5 s idle
    // close races with): a GET is retried on a new connection, a POST is never sent twice.
    const dropper = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const before = JSON.parse((await send(router.port, host(app.name), { path: "/conn?drop-next", agent: dropper })).body);
    const retried = await send(router.port, host(app.name), { path: "/conn", agent: dropper });
    expect(retried.status).toBe(200);
    expect(JSON.parse(retried.body).port).not.toBe(before.port);
    await send(router.port, host(app.name), { path: "/conn?drop-next", agent: dropper });
    const post = await send(router.port, host(app.name), { method: "POST", path: "/upload", body: "once", agent: dropper }).catch((err: Error) => ({ status: 0, body: err.message }));
    expect(post.status).not.toBe(200);
    dropper.destroy();

    // A response streams: its first chunk arrives long before the dyno has finished.
    const started = Date.now();
    const arrivals = await new Promise<number[]>((resolve, reject) => {
      const at: number[] = [];
      http.get({ host: "127.0.0.1", port: router.port, path: "/stream?chunks=3&ms=1000", headers: { host: host(app.name) }, agent: false }, (res) => {
        res.on("data", () => at.push(Date.now() - started));
        res.on("end", () => resolve(at));
      }).on("error", reject);
    });
    expect(arrivals[0]).toBeLessThan(800);
    expect(arrivals.at(-1)).toBeGreaterThanOrEqual(1_900);

    // A request body streams: the second part is sent only once the first has come back.
    const echoed = await new Promise<string[]>((resolve, reject) => {
      const got: string[] = [];
      const req = http.request({ host: "127.0.0.1", port: router.port, method: "POST", path: "/echo", headers: { host: host(app.name), "transfer-encoding": "chunked" }, agent: false }, (res) => {
        res.on("data", (d: Buffer) => {
          got.push(d.toString());
          if (got.length === 1) req.end("second part");
        });
        res.on("end", () => resolve(got));
      });
      req.on("error", reject);
      req.write("first part");
    });
    expect(echoed[0]).toBe("first part");
    expect(echoed.join("")).toBe("first partsecond part");

    // 64 MiB streamed through the router (never held whole in memory), byte for byte.
    const hash = crypto.createHash("sha256");
    const chunks = 64;
    const upload = await new Promise<string>((resolve, reject) => {
      const req = http.request({ host: "127.0.0.1", port: router.port, method: "POST", path: "/upload", headers: { host: host(app.name), "content-length": String(chunks << 20) }, agent: false }, (res) => {
        let body = "";
        res.on("data", (d) => (body += d));
        res.on("end", () => resolve(body));
      });
      req.on("error", reject);
      let sent = 0;
      const pump = () => {
        while (sent < chunks) {
          const chunk = crypto.randomBytes(1 << 20);
          hash.update(chunk);
          sent++;
          if (!req.write(chunk)) return void req.once("drain", pump);
        }
        req.end();
      };
      pump();
    });
    expect(JSON.parse(upload)).toEqual({ dyno: "web.1", bytes: chunks << 20, sha256: hash.digest("hex") });
  });

  it("loses no request during a deploy under load, and lets in-flight requests finish on scale-down", async () => {
    const app = await deployed("zdt", 2);
    // Its dynos go when it ends, pass or fail: a retry deploys two more, within the user's quota.
    onTestFinished(() => updateFormation({ appId: app.id, updates: [{ type: "web", quantity: 0 }] }).then(() => {}));
    await waitFor("2 routed dynos", async () => (readTable(dataDir())?.apps.find((a) => a.id === app.id)?.web.length === 2 ? true : null), 30_000);
    await routed(host(app.name));
    let ok = 0;
    const failures: string[] = [];
    let running = true;
    const loop = async () => {
      while (running) {
        const r = await get(router.port, host(app.name)).catch((err: Error) => ({ status: 0, body: err.message }));
        if (r.status === 200) ok++;
        else failures.push(`${r.status} ${r.body.slice(0, 80)}`);
      }
    };
    const loaders = [loop(), loop()]; // two clients, each a new connection per request
    // A new release (new config): web dynos are replaced with preboot while requests flow.
    await releaseImage({ appId: app.id, userId, imageTag: image, processTypes: { web: "GREETING=again node server.js" }, description: "deploy under load" });
    await waitFor("the new release to serve", async () => ((await get(router.port, host(app.name))).body.includes("again") ? true : null), 60_000);
    await waitFor("the old dynos to be gone", async () => {
      const rows = await db.dyno.findMany({ where: { appId: app.id } });
      return rows.length === 2 ? true : null;
    }, 60_000);
    running = false;
    await Promise.all(loaders);
    expect(failures).toEqual([]);
    expect(ok).toBeGreaterThan(20);

    // Scale-down: a request already running on web.2 completes although web.2 is going away.
    // Both new dynos in the router's rotation first (the old web.2's removal and the new one's
    // addition may still be on their way to HAProxy). Then four at once: round robin puts
    // some on web.2 even if the rotation starts over in between (a reload, which on a busy
    // machine once sent both of two requests to web.1).
    await waitFor("both new dynos in rotation", async () => {
      const seen = new Set<string>();
      for (let i = 0; i < 4; i++) seen.add((await get(router.port, host(app.name))).body.trim());
      return seen.has("hello from web.1 again") && seen.has("hello from web.2 again") ? true : null;
    }, 30_000);
    const inflight = [1, 2, 3, 4].map(() => get(router.port, host(app.name), "/sleep?ms=1500"));
    await new Promise((r) => setTimeout(r, 200));
    await updateFormation({ appId: app.id, updates: [{ type: "web", quantity: 1 }] });
    const results = await Promise.all(inflight);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(new Set(results.map((r) => r.body.trim()))).toEqual(new Set(["slept in web.1", "slept in web.2"]));
  });

  it("at Heroku's defaults: H12 at 30 s, and idle dyno connections reused across Node's 5 s keep-alive", () => defaults, 120_000);
});

/**
 * Heroku's timings, on a router of the test's own with the default settings (fed a copy of
 * the table; the shared one runs a 3 s timeout, and reloads whenever another case deploys,
 * which starts over with new dyno connections). The two slow cases run side by side, so the
 * 30 s H12 adds nothing beyond the keep-alive probes; and the whole runs beside the file's
 * other cases (started in their beforeAll), whose own router and apps it does not touch.
 */
async function atHerokuDefaults(app: { name: string }, own: Awaited<ReturnType<typeof ownRouter>>) {
  try {
    const timeout = (async () => {
      const t0 = Date.now();
      const slow = await get(own.port, host(app.name), "/sleep?ms=31000");
      return { ...slow, elapsed: Date.now() - t0 };
    })();
    // Awaited below; when a check before fails, the router stops under it, and its hang-up
    // must not become an unhandled rejection of the whole file.
    timeout.catch(() => {});

    // Node closes a connection idle for 5 s (server.keepAliveTimeout). A request HAProxy
    // sends on a pooled dyno connection just as Node closes it would come back as a
    // spurious H13: wait around that moment (timing is the point here), again and again.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const probe = async () => {
      const r = await send(own.port, host(app.name), { path: "/conn", agent }).catch((err: Error) => ({ status: 0, body: err.message, localPort: undefined }));
      const conn = r.status === 200 ? (JSON.parse(r.body) as { port: number; request: number }) : undefined;
      return { status: r.status, port: conn?.port, request: conn?.request, client: r.localPort, error: r.status === 200 ? undefined : r.body.slice(0, 100) };
    };
    // The case is real only if HAProxy keeps and reuses its dyno connections: a second request
    // at once goes over a connection that has carried one before (the dyno counts them). Not
    // necessarily the first probe's: HAProxy may take an older idle one from its pool (as two
    // CI runs showed, where comparing the ports of consecutive probes saw no reuse).
    const results = [await probe(), await probe()];
    const why = () => `${JSON.stringify(results)}\n${own.lines().slice(-12).join("\n")}`;
    expect(results[1]!.request, why()).toBeGreaterThan(1);
    // Six waits around Node's 5 s (29.5 s) fit inside the H12 request's 30 s, which runs
    // meanwhile: whether the pooled connection is still open when a probe comes or Node
    // closes it just then, every probe gets its answer.
    for (const waitMs of [4_500, 4_990, 5_000, 5_005, 4_995, 5_007]) {
      await new Promise((resolve) => setTimeout(resolve, waitMs));
      results.push(await probe());
    }
    agent.destroy();
    expect(results.map((r) => r.status), why()).toEqual(Array(8).fill(200));

    const slow = await timeout;
    expect(slow.status).toBe(503);
    expect(slow.body).toContain("H12");
    expect(slow.elapsed).toBeGreaterThanOrEqual(29_900);
    expect(slow.elapsed).toBeLessThan(31_000);
    const line = await waitFor("the H12 line", async () => own.lines().find((l) => l.startsWith('at=error code=H12 desc="Request timeout" method=GET path="/sleep?ms=31000"')));
    expect(line).toMatch(/ dyno=web\.1 connect=\d+ms service=30\d{3}ms status=503 /);
    expect(own.lines().filter((l) => l.startsWith("at=error") && !l.includes("code=H12"))).toEqual([]);
  } finally {
    await own.stop();
  }
}

/** A router of the test's own (default settings), fed a copy of the table, routing `app`. */
async function ownRouter(app: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-router-own-"));
  writeTable(dir, readTable(dataDir())!);
  const own = await startRouter({ dataDir: dir });
  await waitFor("its own router to route", async () => ((await get(own.port, host(app))).status === 200 ? true : null));
  return { ...own, stop: async () => (await own.stop(), fs.rmSync(dir, { recursive: true, force: true })) };
}
