// The drain report for real (router process, HAProxy): it asks HAProxy what is in flight
// only while something is leaving — a removed dyno still serving, an old worker after a
// reload — and not at all when the router is idle. The dynos are HTTP servers in this
// process (no Engine needed to route to them); lifecycle.test.ts drains real dynos.
import fs from "node:fs";
import http from "node:http";
import type net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readJsonFile, routerFile, writeTable, type Applied, type Draining, type RoutedApp } from "@/server/router/protocol";
import { waitFor } from "@/server/testing/runtime";
import { get, haproxyCli, startRouter } from "@/server/testing/router";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-drainpoll-"));
let router: Awaited<ReturnType<typeof startRouter>>;
const dynos: { server: http.Server; port: number; active: number }[] = [];

/** A dyno: /sleep?ms=N answers after N ms; counts the requests it is serving. */
async function startDyno(name: string) {
  const d = { server: http.createServer(), port: 0, active: 0 };
  d.server.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => {
    d.active++;
    const ms = Number(new URL(req.url ?? "/", "http://x").searchParams.get("ms") ?? 0);
    setTimeout(() => {
      d.active--;
      res.end(`${name}\n`);
    }, ms);
  });
  await new Promise<void>((r) => d.server.listen(0, "127.0.0.1", r));
  d.port = (d.server.address() as net.AddressInfo).port;
  dynos.push(d);
  return d;
}

let version = 0;
function publish(web: RoutedApp["web"], hostnames = ["drain.localhost"]) {
  writeTable(dir, { version: ++version, generatedAt: new Date().toISOString(), apps: [{ id: "a1", name: "drain", hostnames, maintenance: false, web, idle: web.length ? null : "none" }] });
  return version;
}
const applied = (v: number) => waitFor(`table v${v} live`, async () => (readJsonFile<Applied>(routerFile(dir, "applied"))?.version ?? 0) >= v, 20_000);
const draining = () => readJsonFile<Draining>(routerFile(dir, "draining"));
/** The `show` commands the router has sent HAProxy so far (it prints each with SLIPWAY_ROUTER_TRACE_CLI). */
const shows = () => router.output().split("\n").filter((l) => /^slipway-router: cli (@!\d+ )?show (proc|stat)/.test(l)).length;
/**
 * How many `show` commands an idle router sends in `ms`. Nothing can be awaited to show
 * that nothing happens: this one watches the clock (a 200 ms poll would send 10-15 a second).
 */
async function showsDuring(ms: number) {
  const before = shows();
  await new Promise((r) => setTimeout(r, ms));
  return shows() - before;
}

beforeAll(async () => {
  const [web1, web2] = [await startDyno("web.1"), await startDyno("web.2")];
  publish([{ dyno: "web.1", host: "127.0.0.1", port: web1.port }, { dyno: "web.2", host: "127.0.0.1", port: web2.port }]);
  router = await startRouter({ dataDir: dir, env: { SLIPWAY_ROUTER_TRACE_CLI: "1" } });
});

afterAll(async () => {
  await router?.stop();
  for (const d of dynos) d.server.closeAllConnections(), d.server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("the drain report", () => {
  it("asks HAProxy nothing while idle, follows a removed dyno under load until it is done, then stops", async () => {
    const [web1, web2] = dynos as [(typeof dynos)[0], (typeof dynos)[0]];
    await applied(1);
    await waitFor("the first drain report", async () => draining()?.version === 1);
    // Start-up (the first worker's stream and its acknowledgement) may still report once on
    // a loaded machine; after that, an idle router asks nothing.
    await waitFor("start-up done", async () => (await showsDuring(700)) === 0, 15_000);
    expect(await showsDuring(1_500)).toBe(0);

    // Two slow requests on each dyno (round robin), then web.2 leaves the table.
    const slow = [1, 2, 3, 4].map(() => get(router.port, "drain.localhost", "/sleep?ms=2000"));
    await waitFor("two requests in flight on each dyno", async () => web1.active === 2 && web2.active === 2);
    const v = publish([{ dyno: "web.1", host: "127.0.0.1", port: web1.port }]);
    await applied(v);
    const report = await waitFor("web.2 reported draining", async () => {
      const d = draining();
      return d && d.version >= v && d.busy.length ? d : null;
    });
    expect(report.busy).toEqual([{ appId: "a1", dyno: "web.2", addr: `127.0.0.1:${web2.port}`, requests: 2 }]);
    expect(await showsDuring(600)).toBeGreaterThan(0); // polled while it drains
    const answers = await Promise.all(slow);
    expect(answers.map((a) => `${a.status} ${a.body.trim()}`).sort()).toEqual(["200 web.1", "200 web.1", "200 web.2", "200 web.2"]);
    await waitFor("web.2 drained", async () => {
      const d = draining();
      return d && d.version >= v && d.busy.length === 0;
    });
    // Deleted once HAProxy has no connection to it left, idle pooled ones included (this
    // dyno, as Node does, keeps them 5 s): polled until then, and not after.
    const sock = path.join(routerFile(dir, "proxy"), "haproxy.sock");
    await waitFor("web.2 deleted from HAProxy", async () => !(await haproxyCli(sock, "show stat")).includes("app-a1,web.2,"), 20_000);
    expect(await showsDuring(1_500)).toBe(0);

    // A reload (a new hostname) leaves an old worker behind, serving a request it had: it
    // exits once that is done (the router's own request stream to it must not keep it),
    // the request's line still reaches the log, and the polling stops.
    const inflight = get(router.port, "drain.localhost", "/sleep?ms=1500&old-worker");
    await waitFor("the request in flight", async () => web1.active === 1);
    const reload = publish([{ dyno: "web.1", host: "127.0.0.1", port: web1.port }], ["drain.localhost", "www.drain.example"]);
    await applied(reload);
    expect((await get(router.port, "www.drain.example")).status).toBe(200);
    const master = path.join(routerFile(dir, "proxy"), "master.sock");
    expect(await haproxyCli(master, "show proc")).toMatch(/# old workers\n\d+\s+worker/);
    expect((await inflight).status).toBe(200);
    await waitFor("the old worker gone", async () => !/# old workers\n\d+\s+worker/.test(await haproxyCli(master, "show proc")), 10_000);
    await waitFor("the old worker's last line", async () => router.lines().some((l) => l.includes('path="/sleep?ms=1500&old-worker"')));
    await waitFor("the polling to stop", async () => (await showsDuring(400)) === 0);
    expect(await showsDuring(1_500)).toBe(0);
  });
});
