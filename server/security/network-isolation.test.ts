// Attack: what a dyno can reach. Before the firewall and the named bridges, a one-off dyno
// opened the control plane and every other port on its bridge gateway, the router, and
// 169.254.169.254:80. Here a REAL one-off dyno (runOneOff, the path `heroku run` takes)
// probes a table of targets over TCP; the table (target, expected, seen) is printed and
// no target may be "open" unless expected. Stand-ins are plain listeners where the real
// thing is not needed: the router's and dashboard's public ports (listeners on 0.0.0.0
// that the installation's firewall names as public), another app's add-on (a container on
// its own network connected to that app's network, as add-ons are), a build (a container
// on a build network made by createBuildNetwork), a neighbour on the private network
// around the host (a network namespace behind a veth pair). The outside world is the real
// Debian mirror, by name.
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { execFileSync, spawn } from "node:child_process";
import { afterAll, beforeAll, expect, it } from "vitest";
import { renderProxy } from "@/server/router/haproxy";
import { runtimeDriver } from "@/server/runtime/driver";
import { docker, STACK_IMAGE } from "@/server/runtime/docker";
import { firewallInstalled, installFirewall, removeFirewall } from "@/server/runtime/firewall";
import { createBuildNetwork, type BuildNetwork } from "@/server/build/images";
import { runOneOff } from "@/server/runtime/one-off";
import { dynoSize } from "@/server/runtime/sizes";
import { createApp } from "@/server/services/apps";
import { releaseImage } from "@/server/services/deploys";
import { createUser } from "@/server/services/users";
import { buildWithDockerfile } from "@/server/build/image";
import { installationId } from "@/server/services/settings";
import { cleanupInstallation, ensureFixtureImage, waitFor } from "@/server/testing/runtime";

// The test database's installation: builds find their network through installationId().
let installation: string;
const servers: net.Server[] = [];
const containers: string[] = [];
const networks: string[] = [];
let build: BuildNetwork | undefined;
let lan: ReturnType<typeof lanHost> | undefined;

async function listen(): Promise<number> {
  const server = net.createServer((s) => s.on("error", () => {}).end("hi\n")); // probes hang up hard
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "0.0.0.0", r));
  return (server.address() as net.AddressInfo).port;
}

// Keeps running when a prober hangs up hard (an unhandled ECONNRESET would end it).
const LISTENER = "require('net').createServer((s)=>{s.on('error',()=>{});s.end('hi')}).listen(5000)";

/** A container that answers on :5000, on `network`; its IP there. */
async function standIn(name: string, network: string): Promise<string> {
  const c = await docker().createContainer({
    name,
    Image: STACK_IMAGE,
    Cmd: ["node", "-e", LISTENER],
    Labels: { "slipway.managed": "1", "slipway.installation": installation },
    HostConfig: { NetworkMode: network },
  });
  containers.push(c.id);
  await c.start();
  const addr = (await c.inspect()).NetworkSettings.Networks[network]!.IPAddress;
  await answers(addr, 5000);
  return addr;
}

/** Waits until the host can open ip:port (the host may reach containers: the router does). */
const answers = (ip: string, port: number) =>
  waitFor(`${ip}:${port} listening`, () => new Promise<boolean>((resolve) => {
    const s = net.connect({ host: ip, port, timeout: 1_000 }, () => (s.destroy(), resolve(true)));
    s.on("error", () => resolve(false)).on("timeout", () => (s.destroy(), resolve(false)));
  }), 30_000);

async function gateway(network: string): Promise<string> {
  const info = await docker().getNetwork(network).inspect();
  return info.IPAM!.Config![0]!.Gateway!;
}

// Run inside a dyno or a build step: one TCP connect per target, all at once, 3 s each. A
// host of "GATEWAY" is the container's default gateway (the host, seen from its bridge).
const PROBE = `
const net = require("net");
const fs = require("fs");
const route = fs.readFileSync("/proc/net/route", "utf8").split("\\n").map((l) => l.split("\\t")).find((f) => f[1] === "00000000");
const gw = route ? Buffer.from(route[2], "hex").reverse().join(".") : "0.0.0.0";
const targets = JSON.parse(Buffer.from("TARGETS_B64", "base64").toString());
Promise.all(targets.map((t) => new Promise((resolve) => {
  const host = t.host === "GATEWAY" ? gw : t.host;
  const s = net.connect({ host, port: t.port });
  const done = (seen) => { s.destroy(); resolve({ name: t.name, seen }); };
  s.setTimeout(3000, () => done("closed (timeout)"));
  s.on("connect", () => done("open"));
  s.on("error", (e) => done("closed (" + e.code + ")"));
}))).then((rows) => console.log("PROBES " + JSON.stringify(rows)));
`;
const probeScript = (targets: Target[]) =>
  PROBE.replace("TARGETS_B64", Buffer.from(JSON.stringify(targets.map(({ name, host, port }) => ({ name, host, port })))).toString("base64"));

/** The printed table's rows, from a probe's output. */
function results(targets: Target[], out: string) {
  const line = /PROBES (\[.*\])/.exec(out);
  expect(line, out).not.toBeNull();
  const seen = JSON.parse(line![1]!) as { name: string; seen: string }[];
  return targets.map((t) => ({ target: `${t.name} (${t.host}:${t.port})`, expected: t.expected, seen: seen.find((s) => s.name === t.name)?.seen ?? "missing" }));
}

function expectOnlyExpectedOpen(rows: ReturnType<typeof results>) {
  expect(rows.filter((r) => r.seen === "open" && r.expected !== "open")).toEqual([]);
  expect(rows.filter((r) => r.seen !== "open" && r.expected === "open")).toEqual([]);
}
const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

/**
 * A host on the private network around this machine (a LAN or VPC neighbour): a network
 * namespace joined to the host by a veth pair on a random 10.x/30, answering on :5000.
 * The host routes to it, so without the firewall a dyno reaches it (Docker forwards and
 * masquerades a bridge's traffic to any interface).
 */
function lanHost(): { ip: string; remove: () => void } {
  const tag = crypto.randomBytes(3).toString("hex");
  const [ns, hostIf, nsIf] = [`slw-lan-${tag}`, `slwl${tag}`, `slwn${tag}`];
  const prefix = `10.${200 + crypto.randomInt(50)}.${crypto.randomInt(250)}`;
  const remove = () => {
    listener?.kill();
    try { sh("ip", ["link", "del", hostIf]); } catch { /* gone with the namespace */ }
    try { sh("ip", ["netns", "del", ns]); } catch { /* never made */ }
  };
  let listener: ReturnType<typeof spawn> | undefined;
  try {
    sh("ip", ["netns", "add", ns]);
    sh("ip", ["link", "add", hostIf, "type", "veth", "peer", "name", nsIf]);
    sh("ip", ["link", "set", nsIf, "netns", ns]);
    sh("ip", ["addr", "add", `${prefix}.1/30`, "dev", hostIf]);
    sh("ip", ["link", "set", hostIf, "up"]);
    for (const args of [["addr", "add", `${prefix}.2/30`, "dev", nsIf], ["link", "set", nsIf, "up"], ["link", "set", "lo", "up"], ["route", "add", "default", "via", `${prefix}.1`]]) {
      sh("ip", ["netns", "exec", ns, "ip", ...args]);
    }
    listener = spawn("ip", ["netns", "exec", ns, process.execPath, "-e", LISTENER], { stdio: "ignore" });
  } catch (err) {
    remove();
    throw err;
  }
  return { ip: `${prefix}.2`, remove };
}

/** The Debian mirror this machine's apt uses: the outside world, by name (so DNS is tried too). */
function outsideHost(): string {
  const dir = "/etc/apt/sources.list.d";
  const files = [...(fs.existsSync(dir) ? fs.readdirSync(dir).map((f) => path.join(dir, f)) : []), "/etc/apt/sources.list"];
  for (const f of files) {
    const text = fs.existsSync(f) ? fs.readFileSync(f, "utf8") : "";
    const m = /^(?:URIs:|deb)\s+https?:\/\/([^/\s:]+)/m.exec(text);
    if (m) return m[1]!;
  }
  throw new Error("no apt source names a mirror: cannot pick an outside host to probe");
}

type Target = { name: string; host: string; port: number; expected: "open" | "closed" };

let appId: string;
let appName: string;
let otherId: string;
const targets: Target[] = [];
const ip: Record<"theirWeb" | "peer" | "build", string> & { router: number; other: number } = { theirWeb: "", peer: "", build: "", router: 0, other: 0 };

beforeAll(async () => {
  installation = await installationId();
  const image = await ensureFixtureImage();
  const [router, dashboard, other] = [await listen(), await listen(), await listen()];
  const result = await installFirewall({ installation, publicPorts: [router, dashboard] });
  expect(result).toEqual({ installed: true });

  const user = await createUser({ email: `net-${crypto.randomBytes(4).toString("hex")}@example.com`, password: "password1" });
  const app = await createApp({ userId: user.id });
  const otherApp = await createApp({ userId: user.id });
  [appId, appName, otherId] = [app.id, app.name, otherApp.id];
  await releaseImage({ appId, userId: user.id, imageTag: image, processTypes: { web: "node server.js" }, description: "Deploy test" });

  const own = await runtimeDriver().ensureAppNetwork(installation, appId, app.name);
  const theirs = await runtimeDriver().ensureAppNetwork(installation, otherId, otherApp.name);
  const gw = await gateway(own);

  // Real dyno containers (the runtime driver's createDyno) answering on :5000.
  const dyno = async (a: { id: string; name: string }, name: string) => {
    const id = await runtimeDriver().createDyno({
      installation, spec: "probe", appId: a.id, appName: a.name, dyno: name, type: "web", releaseId: "probe", release: 1,
      image, command: `node -e "${LISTENER}"`, env: {}, size: dynoSize("standard-1x")!, port: 5000, stopTimeoutSeconds: 1,
    });
    await runtimeDriver().startDyno(id);
    const addr = (await docker().getContainer(id).inspect()).NetworkSettings.Networks[a.id === appId ? own : theirs]!.IPAddress;
    await answers(addr, 5000);
    return addr;
  };
  const peer = await dyno(app, "web.1");
  const theirWeb = await dyno(otherApp, "web.1");

  // Another app's add-on: its own network, connected to that app's network (engine.ts does so).
  const addonNet = `slipway-test-addon-${crypto.randomBytes(4).toString("hex")}`;
  await docker().createNetwork({ Name: addonNet, Labels: { "slipway.managed": "1", "slipway.installation": installation } });
  networks.push(addonNet);
  const addonOwnIp = await standIn(`${addonNet}-c`, addonNet);
  await docker().getNetwork(theirs).connect({ Container: `${addonNet}-c` });
  const addonIp = (await docker().getContainer(`${addonNet}-c`).inspect()).NetworkSettings.Networks[theirs]!.IPAddress;
  // The app's own add-on, the same way on its own network.
  const ownAddonNet = `${addonNet}-own`;
  await docker().createNetwork({ Name: ownAddonNet, Labels: { "slipway.managed": "1", "slipway.installation": installation } });
  networks.push(ownAddonNet);
  await standIn(`${ownAddonNet}-c`, ownAddonNet);
  await docker().getNetwork(own).connect({ Container: `${ownAddonNet}-c` });
  const ownAddonIp = (await docker().getContainer(`${ownAddonNet}-c`).inspect()).NetworkSettings.Networks[own]!.IPAddress;

  build = await createBuildNetwork(installation, 60 * 60_000);
  const buildIp = await standIn(`${build.name}-c`, build.name);
  const defaultBridgeIp = await standIn(`slipway-test-bridge-${crypto.randomBytes(4).toString("hex")}`, "bridge");

  lan = lanHost();
  await answers(lan.ip, 5000);

  Object.assign(ip, { theirWeb, peer, build: buildIp, router, other });
  const hostIps = Object.entries(os.networkInterfaces())
    .filter(([name]) => !/^(lo|docker|br-|sw|veth)/.test(name))
    .flatMap(([, list]) => (list ?? []).filter((a) => a.family === "IPv4" && !a.internal).map((a) => a.address));

  targets.push(
    { name: "metadata 169.254.169.254:80", host: "169.254.169.254", port: 80, expected: "closed" },
    { name: "bridge gateway: an arbitrary host port on 0.0.0.0", host: gw, port: other, expected: "closed" },
    { name: "bridge gateway: the dashboard/API (public listener)", host: gw, port: dashboard, expected: "open" },
    { name: "bridge gateway: the router (public listener)", host: gw, port: router, expected: "open" },
    { name: "other app's bridge gateway: an arbitrary host port", host: await gateway(theirs), port: other, expected: "closed" },
    ...hostIps.map((ip) => ({ name: `host address ${ip}: an arbitrary host port`, host: ip, port: other, expected: "closed" as const })),
    ...hostIps.map((ip) => ({ name: `host address ${ip}: the router (public listener)`, host: ip, port: router, expected: "open" as const })),
    { name: "another app's web dyno", host: theirWeb, port: 5000, expected: "closed" },
    { name: "another app's add-on (on that app's network)", host: addonIp, port: 5000, expected: "closed" },
    { name: "another app's add-on (on its own network)", host: addonOwnIp, port: 5000, expected: "closed" },
    { name: "a build container (build network)", host: buildIp, port: 5000, expected: "closed" },
    { name: "a container on the default bridge (Dockerfile builds)", host: defaultBridgeIp, port: 5000, expected: "closed" },
    { name: "own app's peer dyno", host: peer, port: 5000, expected: "open" },
    { name: "own app's add-on", host: ownAddonIp, port: 5000, expected: "open" },
    { name: "a private host beyond this machine (LAN/VPC neighbour)", host: lan.ip, port: 5000, expected: "closed" },
    { name: "the outside world, by name (Debian mirror)", host: outsideHost(), port: 80, expected: "open" },
  );
}, 240_000);

afterAll(async () => {
  for (const id of containers) await docker().getContainer(id).remove({ force: true }).catch(() => undefined);
  await cleanupInstallation(installation);
  for (const n of networks) await docker().getNetwork(n).remove().catch(() => undefined);
  await build?.remove();
  await removeFirewall(installation);
  lan?.remove();
  for (const s of servers) s.close();
});

it("a one-off dyno reaches the outside route, its own app and the public listeners, and nothing else", async () => {
  // Never aim a probe at 169.254.169.254 unless the rule that stops it is in place.
  expect(await firewallInstalled(installation)).toBe(true);
  let out = "";
  const result = await runOneOff({
    installation, appId, port: 5000, stopTimeoutSeconds: 1,
    command: `node -e '${probeScript(targets)}'; echo ROUTE; cat /proc/net/route`,
    onOutput: (_stream, text) => (out += text),
  });
  expect(result.exitCode, out).toBe(0);
  const rows = results(targets, out);
  console.log(`network reachability from one-off dyno of ${appName}:\n${table(rows)}`);
  expectOnlyExpectedOpen(rows);
  expect(new Set(targets.map((t) => `${t.host}:${t.port}`)).size).toBe(targets.length); // no stand-in died and lent its address

  // The way out is intact: the dyno has a default route, and Docker still masquerades its subnet.
  expect(out.split("ROUTE")[1]).toMatch(/^\S+\t00000000\t[0-9A-F]{8}\t/m);
  const subnet = (await docker().getNetwork(`slipway-app-${appId}`).inspect()).IPAM!.Config![0]!.Subnet!;
  expect(execFileSync("iptables", ["-w", "5", "-t", "nat", "-S", "POSTROUTING"], { encoding: "utf8" })).toContain(`-A POSTROUTING -s ${subnet} ! -o`);
}, 120_000);

it("reaches a private range an installation admin allows (SLIPWAY_DYNO_ALLOWED_CIDRS), and still not the metadata address", async () => {
  const allowed: Target[] = [
    { name: "the allowed LAN neighbour", host: lan!.ip, port: 5000, expected: "open" },
    { name: "metadata 169.254.169.254:80", host: "169.254.169.254", port: 80, expected: "closed" },
  ];
  expect(await installFirewall({ installation, publicPorts: [ip.router], allowedCidrs: [`${lan!.ip}/32`] })).toEqual({ installed: true });
  let out = "";
  try {
    const result = await runOneOff({ installation, appId, port: 5000, stopTimeoutSeconds: 1, command: `node -e '${probeScript(allowed)}'`, onOutput: (_s, text) => (out += text) });
    expect(result.exitCode, out).toBe(0);
  } finally {
    await installFirewall({ installation, publicPorts: [ip.router] });
  }
  const rows = results(allowed, out);
  console.log(`with ${lan!.ip}/32 allowed:\n${table(rows)}`);
  expectOnlyExpectedOpen(rows);
}, 60_000);

it("a Dockerfile build's RUN step reaches neither the host's ports, the metadata address, dynos nor other builds", async () => {
  expect(await firewallInstalled(installation)).toBe(true);
  const buildTargets: Target[] = [
    { name: "metadata 169.254.169.254:80", host: "169.254.169.254", port: 80, expected: "closed" },
    { name: "gateway: an arbitrary host port", host: "GATEWAY", port: ip.other, expected: "closed" },
    { name: "gateway: the router (public listener)", host: "GATEWAY", port: ip.router, expected: "open" },
    { name: "a web dyno", host: ip.peer, port: 5000, expected: "closed" },
    { name: "another app's web dyno", host: ip.theirWeb, port: 5000, expected: "closed" },
    { name: "another build", host: ip.build, port: 5000, expected: "closed" },
  ];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-probe-build-"));
  fs.writeFileSync(path.join(dir, "probe.js"), probeScript(buildTargets));
  fs.writeFileSync(path.join(dir, "Dockerfile"), `FROM ${STACK_IMAGE}\nCOPY probe.js /tmp/probe.js\nRUN node /tmp/probe.js\n`);
  const tag = `slipway-test/probe-build:${crypto.randomBytes(4).toString("hex")}`;
  let out = "";
  try {
    await buildWithDockerfile({ appId, sourceDir: dir, tag, labels: {}, onOutput: (text) => (out += text), signal: new AbortController().signal });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await docker().getImage(tag).remove({ force: true }).catch(() => undefined);
  }
  const rows = results(buildTargets, out);
  console.log(`network reachability from a Dockerfile build step:\n${table(rows)}`);
  expectOnlyExpectedOpen(rows);
  // Its network went with it.
  expect((await docker().listNetworks({ filters: { label: ["slipway.build-network"] } })).filter((n) => n.Name !== build?.name && n.Labels?.["slipway.installation"] === installation)).toEqual([]);
}, 120_000);

it("HAProxy's admin interfaces are unix sockets: its only TCP listener is the public router port", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-haproxy-"));
  const cfg = fs.readFileSync(renderProxy({ version: 1, generatedAt: new Date().toISOString(), apps: [] }, { port: 18080, dir, serverTimeoutMs: 30_000 }), "utf8");
  expect(cfg.match(/^\s*bind\s.*$/gm)?.map((l) => l.trim())).toEqual(["bind :18080"]);
  expect(cfg).toMatch(new RegExp(`^\\s*stats socket ${dir}/haproxy\\.sock mode 600 `, "m"));
  expect(cfg).not.toMatch(/^\s*stats\s+(uri|enable)|^\s*listen\s/m);
  fs.rmSync(dir, { recursive: true, force: true });
});

function table(rows: { target: string; expected: string; seen: string }[]) {
  const w = [Math.max(6, ...rows.map((r) => r.target.length)), 8];
  const line = (a: string, b: string, c: string) => `  ${a.padEnd(w[0]!)}  ${b.padEnd(w[1]!)}  ${c}`;
  return [line("target", "expected", "seen"), ...rows.map((r) => line(r.target, r.expected, r.seen))].join("\n");
}
