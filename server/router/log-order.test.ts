// Router lines in time order with the dyno lines around them, through the real path: HAProxy
// logs the request, the router process writes requests.log, the control plane's reader puts
// it on the bus and the logs work into the app's buffer. A router line is stamped when its
// request ended, to the µs (not when HAProxy got round to logging it, nor when a reader got to
// it) and lands there however late it is read.
// The "dyno" is an HTTP server in this process that logs as the collector does (appendLog
// with the time the line was written).
import fs from "node:fs";
import http from "node:http";
import type net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dataDir } from "@/server/env";
import { startLogging } from "@/server/logs";
import { appendLog, logTime, recentLogs } from "@/server/logs/store";
import { followRouterLog } from "@/server/router/ingest";
import { routerDir, writeTable } from "@/server/router/protocol";
import { waitFor } from "@/server/testing/runtime";
import { get, startRouter } from "@/server/testing/router";

const appId = `order-${Date.now().toString(36)}`;
let router: Awaited<ReturnType<typeof startRouter>>;
let dyno: http.Server;
let logging: ReturnType<typeof startLogging>;
let stopFollowing: () => void;

beforeAll(async () => {
  dyno = http.createServer((req, res) => {
    // To the µs, as the collector stamps dyno lines (Docker's own times): the next request
    // can reach the dyno within the ms its previous response went out.
    const us = Math.floor((performance.timeOrigin + performance.now()) * 1000);
    appendLog(appId, { at: logTime(new Date(Math.floor(us / 1000)), us % 1000), source: "app", dyno: "web.1", message: `handling ${req.url}` });
    setTimeout(() => res.end("ok\n"), 5);
  });
  await new Promise<void>((r) => dyno.listen(0, "127.0.0.1", r));
  const port = (dyno.address() as net.AddressInfo).port;
  fs.mkdirSync(routerDir(dataDir()), { recursive: true });
  writeTable(dataDir(), {
    version: 1,
    generatedAt: new Date().toISOString(),
    apps: [{ id: appId, name: "ordered", hostnames: ["ordered.localhost"], maintenance: false, web: [{ dyno: "web.1", host: "127.0.0.1", port }], idle: null }],
  });
  logging = startLogging(`order-${Date.now()}`);
  router = await startRouter({ dataDir: dataDir() });
  stopFollowing = followRouterLog();
});

afterAll(async () => {
  stopFollowing?.();
  await router?.stop();
  logging?.stop();
  dyno.closeAllConnections();
  await new Promise((r) => dyno.close(r));
});

describe("router lines in the app's log", () => {
  it("come in time order with the dyno lines around them", async () => {
    const n = 20;
    // Only this try's lines: a retry finds the first try's still in the app's buffer.
    const before = new Set(recentLogs(appId).map((l) => l.id));
    for (let i = 1; i <= n; i++) expect((await get(router.port, "ordered.localhost", `/r${i}`)).status).toBe(200);
    const lines = await waitFor(`${n} router lines in the buffer`, async () => {
      const all = recentLogs(appId).filter((l) => !before.has(l.id));
      return all.filter((l) => l.dyno === "router").length >= n ? all : null;
    });
    const times = lines.map((l) => l.at);
    expect([...times].sort()).toEqual(times);
    // Each request: the dyno's line, then the router's (stamped when the request ended).
    expect(lines.map((l) => (l.dyno === "router" ? `router ${/path="(\S+)"/.exec(l.message)?.[1]}` : l.message))).toEqual(
      Array.from({ length: n }, (_, i) => [`handling /r${i + 1}`, `router /r${i + 1}`]).flat(),
    );
    // How many router lines came after the next request's dyno line (ids are arrival order).
    const late = lines.filter((l, i) => l.dyno === "router" && lines.slice(i + 1).some((later) => later.id < l.id)).length;
    console.log(`router lines read after a later dyno line: ${late} of ${n}`);
  });
});
