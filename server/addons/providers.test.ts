// Both providers against the real Docker Engine and the real images (built by
// scripts/lib.sh ensure_addon_images): provision, reach, rotate, back up, restore, remove.
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { finished } from "node:stream/promises";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addonResourceName } from "@/server/addons/engine";
import { postgresProvider } from "@/server/addons/postgres";
import { redisProvider } from "@/server/addons/redis";
import { resolvePlan } from "@/server/addons/registry";
import type { AddonProvider, AddonTarget, Credentials } from "@/server/addons/types";
import { AppError } from "@/server/errors";
import { STACK_IMAGE, docker, runToCompletion } from "@/server/runtime/docker";
import { ensureAddonImages } from "@/server/testing/addon-images";
import { redisCommands } from "@/server/testing/resp";

const installation = `test-${crypto.randomBytes(5).toString("hex")}`;
const networks: string[] = [];
const targets: Array<[AddonProvider, AddonTarget]> = [];

function target(provider: AddonProvider, plan?: string): AddonTarget {
  const t = {
    installation,
    id: crypto.randomUUID(),
    name: `${provider.info.namePrefix}-test-${crypto.randomBytes(3).toString("hex")}`,
    plan: resolvePlan(provider.info.name, plan).plan,
  };
  targets.push([provider, t]);
  return t;
}

/** The add-on's address on its own network (the host reaches every bridge network). */
async function hostIp(t: AddonTarget): Promise<string> {
  const info = await docker().getContainer(addonResourceName(t)).inspect();
  return info.NetworkSettings.Networks[addonResourceName(t)]!.IPAddress;
}

async function appNetwork(): Promise<string> {
  const name = `slipway-test-net-${crypto.randomBytes(4).toString("hex")}`;
  await docker().createNetwork({ Name: name, Driver: "bridge", Labels: { "slipway.managed": "1", "slipway.installation": installation } });
  networks.push(name);
  return name;
}

/** From a container on `network`: can it open a TCP connection to host:port? */
async function reachable(network: string, host: string, port: number): Promise<boolean> {
  const script = `const s=require("net").connect(${port},${JSON.stringify(host)});s.setTimeout(3000,()=>process.exit(2));s.on("connect",()=>process.exit(0));s.on("error",()=>process.exit(1));`;
  const r = await runToCompletion({ image: STACK_IMAGE, cmd: ["node", "-e", script], network, labels: { "slipway.test": "1" }, timeoutMs: 20_000 });
  return r.exitCode === 0;
}

/** A backup into a file, on disk once this resolves (the provider writes into the stream but does not end it). */
async function backupTo(p: AddonProvider, t: AddonTarget, c: Credentials, file: string) {
  const out = fs.createWriteStream(file);
  await p.backup!(t, c, out);
  out.end();
  await finished(out);
}

async function pgQuery(t: AddonTarget, c: Credentials, sql: string) {
  const client = new pg.Client({ host: await hostIp(t), port: 5432, user: c.user, password: c.password, database: c.database, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  await ensureAddonImages();
}, 600_000);

afterAll(async () => {
  for (const [p, t] of targets) await p.deprovision(t).catch(() => undefined);
  for (const n of networks) await docker().getNetwork(n).remove().catch(() => undefined);
});

describe("plans", () => {
  it("resolves services, aliases and default plans; unknown ones are explained", () => {
    expect(resolvePlan("heroku-postgresql").plan.name).toBe("essential-0");
    expect(resolvePlan("slipway-postgresql:standard-0").plan).toMatchObject({ name: "standard-0", memoryMb: 1024, connections: 120 });
    expect(resolvePlan("heroku-redis", "premium-0").provider.info.name).toBe("slipway-redis");
    expect(() => resolvePlan("mysql")).toThrow(/Services: slipway-postgresql, slipway-redis/);
    const err = (() => { try { resolvePlan("slipway-redis:huge"); } catch (e) { return e; } })() as AppError;
    expect(err.code).toBe("UNPROCESSABLE");
    expect(err.message).toContain("Plans: mini, premium-0, premium-1");
  });
});

describe("PostgreSQL provider (real containers)", { timeout: 180_000 }, () => {
  const p = postgresProvider;
  let t: AddonTarget;
  let creds: Credentials;
  const steps: string[] = [];

  it("provisions a container with the plan's limits, healthy, answering with its credentials only", async () => {
    t = target(p, "essential-0");
    creds = p.newCredentials();
    expect(creds.password).toMatch(/^[0-9a-f]{64}$/);
    await p.provision(t, creds, (s) => void steps.push(s));
    expect(steps).toContain("Waiting for PostgreSQL to accept connections");
    expect(steps.at(-1)).toBe("Checking the credentials over the network");

    const info = await docker().getContainer(addonResourceName(t)).inspect();
    expect(info.HostConfig.Memory).toBe(256 * 1024 * 1024);
    expect(info.Config.Env.join("\n")).not.toContain(creds.password);
    expect(info.Mounts[0]).toMatchObject({ Type: "volume", Name: addonResourceName(t), Destination: "/var/lib/postgresql/data" });

    expect(await pgQuery(t, creds, "SELECT 1 AS one")).toEqual([{ one: 1 }]);
    await expect(pgQuery(t, { ...creds, password: "wrong" }, "SELECT 1")).rejects.toThrow(/password authentication failed/);
    await expect(pgQuery(t, { ...creds, user: "postgres" }, "SELECT 1")).rejects.toThrow(/password authentication failed/);
    expect(p.url(t, creds)).toBe(`postgres://${creds.user}:${creds.password}@${t.name}:5432/${creds.database}`);

    const stats = await p.stats(t, creds);
    expect(stats).toMatchObject({ connectionLimit: 20, storageLimitBytes: 1024 * 1024 * 1024, readOnly: false });
    expect(stats.storageBytes).toBeGreaterThan(1_000_000);
    expect(stats.version).toMatch(/^15\./);
  });

  it("provisioning again (a resumed attempt) keeps the data", async () => {
    await pgQuery(t, creds, "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')");
    await p.provision(t, creds, () => undefined);
    expect(await pgQuery(t, creds, "SELECT v FROM kept")).toEqual([{ v: "still here" }]);
  });

  it("is reachable by name only from networks it is attached to", async () => {
    const attached = await appNetwork();
    const other = await appNetwork();
    expect(await reachable(attached, t.name, 5432)).toBe(false);
    await p.attach(t, attached);
    await p.attach(t, attached); // idempotent
    expect(await reachable(attached, t.name, 5432)).toBe(true);
    expect(await reachable(other, t.name, 5432)).toBe(false);
    // Not by address either: the Engine isolates bridge networks from each other.
    expect(await reachable(other, await hostIp(t), 5432)).toBe(false);
    await p.detach(t, attached);
    await p.detach(t, attached);
    expect(await reachable(attached, t.name, 5432)).toBe(false);
  });

  it("rotates the password: the old one stops working, the new one works", async () => {
    const next = p.rotatedCredentials(creds);
    expect(next).toMatchObject({ user: creds.user, database: creds.database });
    expect(next.password).not.toBe(creds.password);
    await p.rotateCredentials(t, next, creds);
    await expect(pgQuery(t, creds, "SELECT 1")).rejects.toThrow(/password authentication failed/);
    expect(await pgQuery(t, next, "SELECT v FROM kept")).toEqual([{ v: "still here" }]);
    creds = next;
  });

  it("backs up with pg_dump and restores a dropped row with pg_restore", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-backup-"));
    const file = path.join(dir, "b001.dump");
    await pgQuery(t, creds, "CREATE TABLE notes (id int primary key, body text); INSERT INTO notes VALUES (1, 'keep me'), (2, 'me too')");
    await backupTo(p, t, creds, file);
    expect(fs.readFileSync(file).subarray(0, 5).toString()).toBe("PGDMP");

    await pgQuery(t, creds, "DELETE FROM notes WHERE id = 1");
    await p.restore!(t, creds, fs.createReadStream(file));
    expect(await pgQuery(t, creds, "SELECT id, body FROM notes ORDER BY id")).toEqual([{ id: 1, body: "keep me" }, { id: 2, body: "me too" }]);
    // Restored objects belong to the app's role, which can still change them.
    await pgQuery(t, creds, "INSERT INTO notes VALUES (3, 'after restore')");

    fs.writeFileSync(path.join(dir, "junk"), "not a dump");
    await expect(p.restore!(t, creds, fs.createReadStream(path.join(dir, "junk")))).rejects.toThrow(/restore failed.*valid archive/);
    expect(await pgQuery(t, creds, "SELECT count(*)::int AS n FROM notes")).toEqual([{ n: 3 }]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("the storage guard makes new sessions read-only and lifts again", async () => {
    await p.setReadOnly!(t, creds, true);
    expect((await p.stats(t, creds)).readOnly).toBe(true);
    await expect(pgQuery(t, creds, "INSERT INTO notes VALUES (4, 'no room')")).rejects.toThrow(/read-only transaction/);
    await p.setReadOnly!(t, creds, false);
    await pgQuery(t, creds, "INSERT INTO notes VALUES (4, 'room again')");
  });

  it("deprovisions: container, volume and network are gone", async () => {
    await p.deprovision(t);
    const name = addonResourceName(t);
    await expect(docker().getContainer(name).inspect()).rejects.toMatchObject({ statusCode: 404 });
    await expect(docker().getVolume(name).inspect()).rejects.toMatchObject({ statusCode: 404 });
    await expect(docker().getNetwork(name).inspect()).rejects.toMatchObject({ statusCode: 404 });
    expect(await p.status(t)).toEqual({ container: "missing", health: "none" });
    await p.deprovision(t); // idempotent
  });
});

describe("Redis provider (real containers)", { timeout: 120_000 }, () => {
  const p = redisProvider;
  let t: AddonTarget;
  let creds: Credentials;

  it("provisions with a password and the plan's memory limit; SET/GET with it, refused without", async () => {
    t = target(p);
    creds = p.newCredentials();
    await p.provision(t, creds, () => undefined);
    const url = p.url(t, creds);
    expect(url).toBe(`redis://:${creds.password}@${t.name}:6379`);
    const ip = await hostIp(t);
    expect(await redisCommands(url, [["SET", "greeting", "hello"], ["GET", "greeting"]], ip)).toEqual(["OK", "hello"]);
    const [denied] = await redisCommands(url.replace(creds.password!, ""), [["GET", "greeting"]], ip);
    expect(String(denied)).toMatch(/NOAUTH/);
    const [limit] = await redisCommands(url, [["CONFIG", "GET", "maxmemory"]], ip);
    expect(limit).toEqual(["maxmemory", String(25 * 1024 * 1024)]);
    expect(await p.stats(t, creds)).toMatchObject({ keys: 1, connectionLimit: 20, memoryLimitBytes: 25 * 1024 * 1024 });
  });

  it("rotates the password, keeping data across a container restart", async () => {
    const next = p.rotatedCredentials(creds);
    await p.rotateCredentials(t, next, creds);
    await p.rotateCredentials(t, next, creds); // a redo finds the new one already set
    const ip = await hostIp(t);
    expect(String((await redisCommands(p.url(t, creds), [["GET", "greeting"]], ip))[0])).toMatch(/WRONGPASS|NOAUTH/);
    await docker().getContainer(addonResourceName(t)).restart({ t: 5 });
    await p.provision(t, next, () => undefined);
    expect(await redisCommands(p.url(t, next), [["GET", "greeting"]], await hostIp(t))).toEqual(["hello"]);
    creds = next;
  });

  it("takes an RDB snapshot and restores it: changed keys come back, keys added since go, TTLs stay", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-rdb-"));
    const file = path.join(dir, "b001.dump");
    const url = p.url(t, creds);
    let ip = await hostIp(t);
    await redisCommands(url, [["SET", "greeting", "snapshot"], ["SET", "two words", "x", "EX", "3600"]], ip);
    await backupTo(p, t, creds, file);
    expect(fs.readFileSync(file).subarray(0, 5).toString()).toBe("REDIS");
    await redisCommands(url, [["SET", "greeting", "changed"], ["SET", "added", "1"]], ip);
    await p.restore!(t, creds, fs.createReadStream(file));
    ip = await hostIp(t);
    const [greeting, added, ttl, words] = await redisCommands(url, [["GET", "greeting"], ["EXISTS", "added"], ["TTL", "two words"], ["GET", "two words"]], ip);
    expect([greeting, added, words]).toEqual(["snapshot", 0, "x"]);
    expect(Number(ttl)).toBeGreaterThan(3000);
    fs.writeFileSync(path.join(dir, "junk"), "not a snapshot");
    await expect(p.restore!(t, creds, fs.createReadStream(path.join(dir, "junk")))).rejects.toThrow(/not a Redis RDB snapshot/);
    expect(await redisCommands(url, [["GET", "greeting"]], ip)).toEqual(["snapshot"]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("deprovisions without leftovers", async () => {
    await p.deprovision(t);
    await expect(docker().getVolume(addonResourceName(t)).inspect()).rejects.toMatchObject({ statusCode: 404 });
    expect((await p.status(t)).container).toBe("missing");
  });
});
