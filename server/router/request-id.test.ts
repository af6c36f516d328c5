// Request ids for real, through the router process and HAProxy: every request has its own,
// on every error path as well as when served, each logged once. A valid id from the client
// is kept, as Heroku does. The "dynos" are HTTP servers in this process: no Engine needed to route to them.
import fs from "node:fs";
import http from "node:http";
import type net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeTable, type RoutedApp } from "@/server/router/protocol";
import { waitFor } from "@/server/testing/runtime";
import { send, startRouter } from "@/server/testing/router";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-reqid-"));
let router: Awaited<ReturnType<typeof startRouter>>;
let dyno: http.Server;
const sockets = new Set<net.Socket>();
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

beforeAll(async () => {
  // A dyno: echoes the request id it was given; /hang never answers, /close hangs up, /partial stops halfway.
  dyno = http.createServer((req, res) => {
    if (req.url === "/hang") return;
    if (req.url === "/close") return void req.socket.destroy();
    if (req.url === "/partial") {
      res.writeHead(200, { "content-length": "100" });
      res.write("half");
      return void setImmediate(() => req.socket.destroy());
    }
    res.end(JSON.stringify({ rid: req.headers["x-request-id"] }));
  });
  dyno.on("connection", (s) => (sockets.add(s), s.on("close", () => sockets.delete(s))));
  await new Promise<void>((r) => dyno.listen(0, "127.0.0.1", r));
  const port = (dyno.address() as net.AddressInfo).port;
  const app = (name: string, over: Partial<RoutedApp>): RoutedApp => ({ id: name, name, hostnames: [`${name}.localhost`], maintenance: false, web: [], idle: null, ...over });
  const web = [{ dyno: "web.1", host: "127.0.0.1", port }];
  writeTable(dir, {
    version: 1,
    generatedAt: new Date().toISOString(),
    apps: [
      app("live", { web }),
      app("none", { idle: "none" }),
      app("crashed", { idle: "crashed" }),
      app("maint", { web, maintenance: true }),
      app("refused", { web: [{ dyno: "web.1", host: "127.0.0.1", port: 1 }] }),
    ],
  });
  router = await startRouter({ dataDir: dir, timeoutMs: 1_000 }); // a short H12
});

afterAll(async () => {
  await router?.stop();
  for (const s of sockets) s.destroy();
  await new Promise((r) => dyno.close(r));
  fs.rmSync(dir, { recursive: true, force: true });
});

const idOf = (line: string) => /request_id=(\S*)/.exec(line)?.[1];
const linesOf = (app: string) => router.lines().filter((l) => l.includes(` host=${app}.localhost `));

describe("request ids", () => {
  it("are new for every request on every path, each logged once", async () => {
    const cases: [app: string, path: string, code: string][] = [
      ["live", "/", "at=info"],
      ["none", "/", "code=H14"],
      ["crashed", "/", "code=H10"],
      ["maint", "/", "code=H80"],
      ["refused", "/", "code=H21"],
      ["live", "/hang", "code=H12"],
      ["live", "/close", "code=H13"],
      ["live", "/partial", "code=H18"],
    ];
    const sent = new Map<string, string[]>();
    for (const [app, p, code] of cases) {
      for (let i = 0; i < 2; i++) {
        const r = await send(router.port, `${app}.localhost`, { path: p });
        const key = `${app} ${code}`;
        // H18 cuts the answer halfway: its headers (with the id) still came.
        expect(r.headers["x-request-id"], key).toMatch(UUID);
        sent.set(key, [...(sent.get(key) ?? []), r.headers["x-request-id"] as string]);
      }
    }
    const unknown = await Promise.all([1, 2].map(() => send(router.port, "no-such-app.localhost")));
    expect(unknown.map((r) => r.status)).toEqual([404, 404]);
    expect(new Set(unknown.map((r) => r.headers["x-request-id"])).size).toBe(2);

    const all = [...sent.values()].flat();
    expect(new Set(all).size).toBe(all.length);
    for (const [key, ids] of sent) {
      const [app, code] = key.split(" ") as [string, string];
      const logged = await waitFor(`two ${key} lines`, async () => {
        const lines = linesOf(app).filter((l) => l.includes(code));
        return lines.length >= 2 ? lines : null;
      });
      expect(logged.map(idOf), key).toEqual(ids);
    }

    const lines = router.lines();
    expect(lines.length).toBe(all.length);
    expect(new Set(lines).size).toBe(lines.length);
  });

  it("keeps a valid incoming id (20-200 of [A-Za-z0-9+=/-]) and replaces any other", async () => {
    const valid = ["abcdefghij0123456789", `${"a1+=/-".repeat(33)}ab`, "0f8fad5b-d9cb-469f-a165-70867728950e"];
    for (const rid of valid) {
      const r = await send(router.port, "live.localhost", { headers: { "x-request-id": rid } });
      expect(JSON.parse(r.body).rid, rid).toBe(rid);
      expect(r.headers["x-request-id"]).toBe(rid);
    }
    const none = await send(router.port, "none.localhost", { headers: { "x-request-id": valid[0]! } });
    expect(none.headers["x-request-id"]).toBe(valid[0]);

    const invalid: (string | string[])[] = [
      "abcdefghij012345678", // 19
      `${"a".repeat(201)}`,
      "abcdefghij_0123456789",
      "abcdefghij.0123456789",
      "abcdefghij 0123456789",
      "junk, abcdefghij0123456789", // hdr() would see only the part after the comma
      ["abcdefghij0123456789", "klmnopqrst0123456789"], // two headers
    ];
    for (const rid of invalid) {
      const r = await send(router.port, "live.localhost", { headers: { "x-request-id": rid as string } });
      const seen = JSON.parse(r.body).rid as string;
      expect(seen, JSON.stringify(rid)).toMatch(UUID);
      expect(r.headers["x-request-id"]).toBe(seen);
    }
    const logged = await waitFor("the lines of those requests", async () => {
      const lines = linesOf("live").filter((l) => l.startsWith("at=info method=GET path=\"/\""));
      return lines.length >= 2 + valid.length + invalid.length ? lines.slice(-(valid.length + invalid.length)) : null;
    });
    expect(logged.slice(0, valid.length).map(idOf)).toEqual(valid);
    for (const l of logged.slice(valid.length)) expect(idOf(l)).toMatch(UUID);
  });
});
