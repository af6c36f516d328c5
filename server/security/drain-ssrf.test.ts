// Attack: a log drain as an SSRF. Before the address policy, a drain URL was checked for
// syntax only and delivery connected from the host to whatever it named: loopback services,
// 169.254.169.254, the host's own addresses, Docker containers. Each attack below aims a
// drain at a listener that records connections and shows that none is made, and that the
// status says "refused: private address" instead of a connect error.
import crypto from "node:crypto";
import net from "node:net";
import os from "node:os";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { reloadEnv } from "@/server/env";
import { AddressPolicy, openDrain, type Drain } from "@/server/logs/drains";
import { docker, STACK_IMAGE } from "@/server/runtime/docker";
import { createApp } from "@/server/services/apps";
import { addDrain } from "@/server/services/log-drains";
import { createUser } from "@/server/services/users";

const unique = (prefix: string) => `${prefix}-${crypto.randomBytes(4).toString("hex")}`;

const TOKEN = "d.0b7e0f5e-1a1c-4f0e-9a55-5c2a3c1d9e21";
const line = { at: new Date(), source: "app", dyno: "web.1", message: "secret-ish log line" };

type Recorder = { port: number; connections: number; close(): Promise<void> };
async function recorder(host: string): Promise<Recorder> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    rec.connections++;
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, host, r));
  const rec: Recorder = {
    port: (server.address() as net.AddressInfo).port,
    connections: 0,
    close: () => new Promise<void>((r) => (sockets.forEach((s) => s.destroy()), server.close(() => r()))),
  };
  return rec;
}

const drains: Drain[] = [];
const open = (url: string, policy?: AddressPolicy) => {
  const d = openDrain({ url, token: TOKEN, policy });
  drains.push(d);
  d.push(line);
  return d;
};
afterEach(async () => {
  await Promise.all(drains.splice(0).map((d) => d.close()));
});

let loop: Recorder;
let any: Recorder;
const allowedBefore = process.env.SLIPWAY_DRAIN_ALLOWED_CIDRS;
beforeAll(async () => {
  delete process.env.SLIPWAY_DRAIN_ALLOWED_CIDRS; // the default: nothing private is allowed
  reloadEnv();
  loop = await recorder("127.0.0.1");
  any = await recorder("0.0.0.0");
});
afterAll(async () => {
  await loop.close();
  await any.close();
  if (allowedBefore !== undefined) process.env.SLIPWAY_DRAIN_ALLOWED_CIDRS = allowedBefore;
  reloadEnv();
});

const refused = (d: Drain, target: string) =>
  vi.waitFor(() => expect(d.status()).toMatchObject({ state: "failing", delivered: 0, lastError: `${target}: refused: private address` }));

describe("log drains refuse private destinations without connecting", () => {
  it("loopback, by IP literal, v4-mapped IPv6 and name, over syslog, TLS and HTTP(S)", async () => {
    const p = loop.port;
    const cases: [string, string][] = [
      [`syslog://127.0.0.1:${p}`, `127.0.0.1:${p}`],
      [`syslog+tls://127.0.0.1:${p}`, `127.0.0.1:${p}`],
      [`http://127.0.0.1:${p}/logs`, `127.0.0.1:${p}`],
      [`https://127.0.0.1:${p}/logs`, `127.0.0.1:${p}`],
      // The URL parser writes these in hex: [::ffff:7f00:1].
      [`syslog://[::ffff:127.0.0.1]:${p}`, `[::ffff:7f00:1]:${p}`],
      [`http://[::ffff:7f00:1]:${p}/`, `[::ffff:7f00:1]:${p}`],
      // A name: resolved by the drain's lookup at connect, and every answer refused.
      [`syslog://localhost:${p}`, `localhost:${p}`],
      [`http://localhost:${p}/`, `localhost:${p}`],
    ];
    for (const [url, target] of cases) await refused(open(url), target);
    expect(loop.connections).toBe(0);
  });

  it("this host's own non-loopback addresses", async () => {
    const own = Object.values(os.networkInterfaces()).flat().filter((a) => a && a.family === "IPv4" && !a.internal).map((a) => a!.address);
    expect(own.length).toBeGreaterThan(0);
    for (const ip of own) await refused(open(`syslog://${ip}:${any.port}`), `${ip}:${any.port}`);
    expect(any.connections).toBe(0);
  });

  it("the cloud metadata address and its IPv6 forms (refused before any packet: nothing is sent there)", async () => {
    await refused(open("http://169.254.169.254/latest/meta-data/"), "169.254.169.254:80");
    await refused(open("http://[::ffff:169.254.169.254]/latest/meta-data/"), "[::ffff:a9fe:a9fe]:80");
    await refused(open("syslog://[fe80::1]:514"), "[fe80::1]:514");
    await refused(open("syslog://[fd00::1]:514"), "[fd00::1]:514");
  });

  it("a Docker container's address — and the same drain delivers once an admin allows that address", async () => {
    const name = unique("drain-ssrf");
    const network = await docker().createNetwork({ Name: name, Driver: "bridge", Labels: { "slipway.test": "drain-ssrf" } });
    const container = await docker().createContainer({
      name,
      Image: STACK_IMAGE,
      // Counts connections on :5000 and says so on stdout.
      Cmd: ["node", "-e", "require('net').createServer((s)=>{console.log('connection');s.resume()}).listen(5000,()=>console.log('listening'))"],
      HostConfig: { NetworkMode: name },
    });
    try {
      await container.start();
      const logs = async () => String(await container.logs({ stdout: true, stderr: true }));
      await vi.waitFor(async () => expect(await logs()).toContain("listening"), { timeout: 20_000 });
      const ip = (await container.inspect()).NetworkSettings.Networks[name]!.IPAddress;

      await refused(open(`syslog://${ip}:5000`), `${ip}:5000`);
      await refused(open(`http://${ip}:5000/`), `${ip}:5000`);
      expect(await logs()).not.toContain("connection");

      // The control: the recorder does see a drain that is allowed to connect.
      const allowed = open(`syslog://${ip}:5000`, new AddressPolicy({ allowed: [`${ip}/32`] }));
      await vi.waitFor(() => expect(allowed.status().delivered).toBe(1), { timeout: 10_000 });
      await vi.waitFor(async () => expect(await logs()).toContain("connection"), { timeout: 10_000 });
    } finally {
      await container.remove({ force: true });
      await network.remove();
    }
  });

  it("an admin's allowed range opens loopback only when the setting names it", async () => {
    process.env.SLIPWAY_DRAIN_ALLOWED_CIDRS = "127.0.0.1/32";
    reloadEnv();
    try {
      const d = open(`syslog://127.0.0.1:${loop.port}`);
      await vi.waitFor(() => expect(d.status().delivered).toBe(1));
      expect(loop.connections).toBe(1);
      // ::1 is not in the allowed range.
      await refused(open(`syslog://[::1]:${loop.port}`), `[::1]:${loop.port}`);
    } finally {
      delete process.env.SLIPWAY_DRAIN_ALLOWED_CIDRS;
      reloadEnv();
    }
  });

  it("adding a drain to a private IP literal is refused at the door", async () => {
    const user = await createUser({ email: `${unique("ssrf")}@example.com`, password: "password1" });
    const app = await createApp({ userId: user.id });
    const before = loop.connections;
    for (const url of [`syslog://127.0.0.1:${loop.port}`, "http://169.254.169.254/latest", "https://10.1.2.3/x", "syslog://[::ffff:192.168.1.1]:514"]) {
      await expect(addDrain({ appId: app.id, url })).rejects.toMatchObject({ code: "UNPROCESSABLE", message: expect.stringMatching(/private address/) });
    }
    expect(loop.connections).toBe(before);
  });
});
