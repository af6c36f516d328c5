// The request log loses no line and logs none twice, through the real path: HAProxy's
// workers write onto the pipe (log-pipe.ts), the router process reads it into requests.log.
// A burst of 20,000 requests on 64 keep-alive connections, with a reload halfway (a new
// worker takes new connections while the old one finishes the requests it has, both
// logging onto the same pipe). Each request carries its own X-Request-Id, kept by the
// router, so each line says which request it was. The "dyno" is an HTTP server in this
// process: no Engine needed to route to it.
import fs from "node:fs";
import http from "node:http";
import type net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeTable, type RoutedApp, type RoutingTable } from "@/server/router/protocol";
import { waitFor } from "@/server/testing/runtime";
import { haproxyCli, startRouter } from "@/server/testing/router";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-burst-"));
let router: Awaited<ReturnType<typeof startRouter>>;
let dyno: http.Server;
let web: RoutedApp["web"];
const table = (version: number, apps: string[]): RoutingTable => ({
  version,
  generatedAt: new Date().toISOString(),
  apps: apps.map((name) => ({ id: name, name, hostnames: [`${name}.localhost`], maintenance: false, web, idle: null })),
});

beforeAll(async () => {
  dyno = http.createServer((_req, res) => res.end("ok\n"));
  dyno.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => dyno.listen(0, "127.0.0.1", r));
  web = [{ dyno: "web.1", host: "127.0.0.1", port: (dyno.address() as net.AddressInfo).port }];
  writeTable(dir, table(1, ["burst"]));
  router = await startRouter({ dataDir: dir });
});

afterAll(async () => {
  await router?.stop();
  dyno.closeAllConnections();
  await new Promise((r) => dyno.close(r));
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("the request log under a burst", () => {
  it("has every request's line exactly once, across a reload", async () => {
    const total = 20_000;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
    const id = (n: number, attempt: number) => `burst-request-${String(n).padStart(6, "0")}-${attempt}`;
    const answered: string[] = [];
    // A keep-alive connection the old worker closes as the client sends on it (the race every
    // proxy's reload has) hangs up without an answer: sent again, as a new request.
    const hungUp: string[] = [];
    let next = 0;
    const attempt = (rid: string) =>
      new Promise<boolean>((resolve, reject) => {
        const req = http.get({ host: "127.0.0.1", port: router.port, path: "/", agent, headers: { host: "burst.localhost", "x-request-id": rid } }, (res) => {
          res.resume();
          res.on("end", () => (res.statusCode === 200 ? resolve(true) : reject(new Error(`${rid}: ${res.statusCode}`))));
        });
        req.on("error", (err: NodeJS.ErrnoException) => (err.code === "ECONNRESET" ? resolve(false) : reject(err)));
      });
    const one = async (n: number) => {
      for (let i = 0; ; i++) {
        if (await attempt(id(n, i))) return void answered.push(id(n, i));
        hungUp.push(id(n, i));
      }
    };
    /** The next `count` requests, 64 at a time. */
    const burst = (count: number) => {
      const end = next + count;
      return Promise.all(
        Array.from({ length: 64 }, async () => {
          while (next < end) await one(next++);
        }),
      );
    };
    const started = Date.now();
    await burst(8_000);
    // A table that needs a reload (a new app): requests keep coming while the old worker
    // hands over to the new one, and after it (on the new worker).
    writeTable(dir, table(2, ["burst", "other"]));
    await Promise.all([burst(8_000), waitFor("the reload", async () => router.output().includes("reloaded for table v2"), 30_000)]);
    await burst(total - 16_000);
    const seconds = (Date.now() - started) / 1000;
    agent.destroy();
    expect(answered.length).toBe(total);

    const ids = await waitFor(`${total} lines in requests.log`, async () => {
      const lines = router.lines().filter((l) => l.includes(" host=burst.localhost "));
      if (lines.length < total) return null;
      const ids = lines.map((l) => /request_id=(\S+)/.exec(l)?.[1] ?? "");
      const seen = new Set(ids);
      return answered.every((a) => seen.has(a)) ? ids : null;
    });
    // Exactly once each: no line lost, none twice, none that was not a request.
    expect(new Set(ids).size).toBe(ids.length);
    // A request whose connection hung up was not served: at most logged as an error.
    const sent = new Set([...answered, ...hungUp]);
    expect(ids.filter((i) => !sent.has(i))).toEqual([]);

    // HAProxy counted no line it could not write (DroppedLogs: a full pipe), in any worker.
    const procs = await haproxyCli(path.join(dir, "router", "proxy", "master.sock"), "show proc");
    const workers = [...procs.matchAll(/^(\d+)\s+worker/gm)].map((m) => Number(m[1]));
    expect(workers.length).toBeGreaterThan(0);
    for (const [i, pid] of workers.entries()) {
      const info = await haproxyCli(path.join(dir, "router", "proxy", "master.sock"), `@!${pid} show info`);
      expect(/^DroppedLogs: (\d+)/m.exec(info)?.[1], `worker ${pid}`).toBe("0");
      // The new worker (listed first) served the requests after the reload at least.
      if (i === 0) expect(Number(/^CumReq: (\d+)/m.exec(info)?.[1])).toBeGreaterThanOrEqual(total - 16_000);
    }
    console.log(`${total} requests in ${seconds.toFixed(1)} s (${(total / seconds).toFixed(0)}/s), a reload halfway (${hungUp.length} hung up and sent again): ${ids.length} lines, ${new Set(ids).size} distinct`);
  }, 120_000);
});
