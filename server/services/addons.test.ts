// Add-ons end to end below the API, with the real Docker Engine: dynos of a deployed
// fixture app use DATABASE_URL / REDIS_URL exactly as a user's app would.
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addonBus, type AddonChange } from "@/server/addons/events";
import { addonResourceName } from "@/server/addons/engine";
import { db } from "@/server/db";
import { AppError } from "@/server/errors";
import { startRuntime } from "@/server/runtime";
import { runtimeDriver } from "@/server/runtime/driver";
import { docker } from "@/server/runtime/docker";
import type { Reconciler } from "@/server/runtime/reconciler";
import { attachAddon, detachAddon } from "@/server/services/addon-attachments";
import { captureBackup, listBackups, openBackup, restoreBackup } from "@/server/services/addon-backups";
import { addonDataDir, provisionInBackground } from "@/server/services/addon-provisioning";
import { addonStatus, createAddon, destroyAddon, findAddonForApp, listAddonsForApp, revealAddonCredentials, rotateAddonCredentials } from "@/server/services/addons";
import { createApp, destroyApp } from "@/server/services/apps";
import { getConfigVars, setConfigVars } from "@/server/services/config-vars";
import { releaseImage } from "@/server/services/deploys";
import { listReleases } from "@/server/services/releases";
import { createUser } from "@/server/services/users";
import { ensureAddonFixtureImage } from "@/server/testing/addon-fixture-image";
import { ensureAddonImages } from "@/server/testing/addon-images";
import { cleanupInstallation, testRuntimeOptions, waitFor } from "@/server/testing/runtime";

const opts = testRuntimeOptions({ bootTimeoutMs: 15_000 });
let runtime: Reconciler;
let image: string;
let userId: string;
const changes: AddonChange[] = [];
const onChange = (c: AddonChange) => changes.push(c);

beforeAll(async () => {
  await db.setting.create({ data: { key: "installation_id", value: opts.installation } });
  [image] = await Promise.all([ensureAddonFixtureImage(), ensureAddonImages()]);
  userId = (await createUser({ email: `addons-${Date.now()}@example.com`, password: "password1" })).id;
  runtime = await startRuntime(opts);
  addonBus.on("change", onChange);
}, 600_000);

afterAll(async () => {
  addonBus.off("change", onChange);
  for (const a of await db.addon.findMany({ select: { id: true } })) await destroyAddon({ addonId: a.id, userId }).catch(() => undefined);
  await runtime?.close();
  await cleanupInstallation(opts.installation);
});

async function deployedApp() {
  const app = await createApp({ userId });
  await releaseImage({ appId: app.id, userId, imageTag: image, processTypes: { web: "node server.js" }, description: "Deploy fixture" });
  return app;
}

type Answer = { status: number; result?: unknown; error?: string; urlHash: string };

/** Asks the app's web dyno (on its app network) through its fixture routes. */
async function ask(appId: string, path: string): Promise<Answer> {
  const target = runtime.routable(appId)[0];
  if (!target) throw new Error("no web dyno up");
  return new Promise((resolve, reject) => {
    http
      .get({ host: target.host, port: target.port, path, timeout: 10_000 }, (res) => {
        let body = "";
        res.on("data", (c) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode!, ...(JSON.parse(body) as Omit<Answer, "status">) }));
      })
      .on("error", reject);
  });
}

const hashOf = (url: string) => crypto.createHash("sha256").update(url).digest("hex").slice(0, 16);

/** Waits until the app's dyno runs with `url` (its release restarted it) and answers `path` with 200. */
async function askWith(appId: string, url: string, path: string, timeoutMs = 60_000): Promise<Answer> {
  return waitFor(`${path} answered with the current URL`, async () => {
    const a = await ask(appId, path);
    return a.urlHash === hashOf(url) && a.status === 200 ? a : null;
  }, timeoutMs);
}

async function expectAppError(p: Promise<unknown>, code: string, message?: RegExp) {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(AppError);
  expect((err as AppError).code).toBe(code);
  if (message) expect((err as AppError).message).toMatch(message);
}

describe("add-ons with real containers and dynos", { timeout: 240_000 }, () => {
  let main: { id: string; name: string };
  let other: { id: string; name: string };
  let pgId: string;
  let pgName: string;
  let url: string;

  it("adds PostgreSQL: provisioning → available with progress, a release with DATABASE_URL, a dyno connects at once", async () => {
    main = await deployedApp();
    await waitFor("web.1 up", async () => runtime.routable(main.id).length === 1, 60_000);

    const started = Date.now();
    const added = await createAddon({ appId: main.id, userId, service: "heroku-postgresql" });
    expect(added).toMatchObject({ state: "provisioning", service: "slipway-postgresql", plan: "essential-0", serviceLabel: "PostgreSQL" });
    expect(added.name).toMatch(/^postgresql-[a-z]+-\d{5}$/);
    expect(added.attachments.map((a) => a.name)).toEqual(["DATABASE"]);
    pgId = added.id;
    pgName = added.name;
    const progress: string[] = [];
    const record = async () => {
      const row = await db.addon.findUnique({ where: { id: pgId }, select: { progress: true } });
      if (row?.progress && progress.at(-1) !== row.progress) progress.push(row.progress);
    };
    const unsubscribe = () => addonBus.off("change", onProgress);
    const onProgress = (c: AddonChange) => c.addonId === pgId && void record();
    addonBus.on("change", onProgress);
    await provisionInBackground(pgId);
    unsubscribe();
    console.log(`PostgreSQL add → available: ${Date.now() - started} ms`);

    const row = await findAddonForApp({ appId: main.id, addon: pgName });
    expect(row).toMatchObject({ state: "available", progress: null, error: null });
    expect(progress).toEqual(expect.arrayContaining(["Waiting for PostgreSQL to accept connections", "Checking the credentials over the network", "Attaching to apps"]));
    expect(changes.some((c) => c.addonId === pgId && c.appIds.includes(main.id))).toBe(true);

    const [latest] = await listReleases({ appId: main.id, limit: 1 });
    expect(latest).toMatchObject({ description: `Attach DATABASE (@ref:${pgName})`, addonPlanNames: ["slipway-postgresql:essential-0"] });
    expect(latest!.user?.id).toBe(userId);
    url = (await getConfigVars(main.id)).DATABASE_URL!;
    expect(url).toBe((await revealAddonCredentials(pgId)).url);
    expect(url).toMatch(new RegExp(`^postgres://u[0-9a-f]{14}:[0-9a-f]{64}@${pgName}:5432/d[0-9a-f]{14}$`));
    // At rest only ciphertext.
    const stored = await db.addon.findUniqueOrThrow({ where: { id: pgId }, select: { configEnc: true } });
    expect(stored.configEnc).not.toContain(new URL(url).password);

    expect((await askWith(main.id, url, "/pg?op=select1")).result).toBe(1);
    expect((await ask(main.id, "/pg?op=write&value=first")).status).toBe(200);
    expect((await ask(main.id, "/pg?op=read")).result).toEqual(["first"]);

    const status = await addonStatus(pgId);
    expect(status.container).toMatchObject({ container: "running" });
    expect(status.stats).toMatchObject({ connectionLimit: 20, storageLimitBytes: 1024 ** 3 });
  });

  it("adds Redis to a second app: REDIS_URL, SET and GET from its dyno", async () => {
    other = await deployedApp();
    const started = Date.now();
    const redis = await createAddon({ appId: other.id, userId, service: "slipway-redis", plan: "premium-0" });
    await provisionInBackground(redis.id);
    console.log(`Redis add → available: ${Date.now() - started} ms`);
    const redisUrl = (await getConfigVars(other.id)).REDIS_URL!;
    expect(redisUrl).toMatch(new RegExp(`^redis://:[0-9a-f]{64}@${redis.name}:6379$`));
    expect((await askWith(other.id, redisUrl, "/redis?op=set&key=color&value=teal")).result).toBe("OK");
    expect((await ask(other.id, "/redis?op=get&key=color")).result).toBe("teal");
    await destroyAddon({ addonId: redis.id, userId, confirm: redis.name });
  });

  it("attaches PostgreSQL to the second app (same data); an unattached app cannot reach it even with the URL", async () => {
    await expectAppError(attachAddon({ addonId: pgId, appId: other.id, userId, name: "bad name" }), "BAD_REQUEST");
    const { attachment, release } = await attachAddon({ addonId: pgId, appId: other.id, userId });
    expect(attachment.name).toBe("DATABASE");
    expect(release?.description).toBe(`Attach DATABASE (@ref:${pgName})`);
    expect((await askWith(other.id, url, "/pg?op=read")).result).toEqual(["first"]);
    // A second attachment to the same app gets a color.
    const second = await attachAddon({ addonId: pgId, appId: other.id, userId });
    expect(second.attachment.name).toBe("POSTGRESQL_AMBER");
    expect((await getConfigVars(other.id)).POSTGRESQL_AMBER_URL).toBe(url);
    await detachAddon({ addonId: pgId, attachmentId: second.attachment.id, userId });
    expect((await listAddonsForApp(other.id)).map((a) => a.name)).toEqual([pgName]);

    const stranger = await deployedApp();
    await setConfigVars({ appId: stranger.id, userId, changes: { DATABASE_URL: url } });
    const refused = await waitFor("the stranger's dyno with the URL", async () => {
      const a = await ask(stranger.id, "/pg?op=select1").catch(() => null);
      return a && a.urlHash === hashOf(url) ? a : null;
    }, 60_000);
    expect(refused.status).toBe(500);
    expect(refused.error).toMatch(/ENOTFOUND|EAI_AGAIN|timeout/i);
    await expectAppError(findAddonForApp({ appId: stranger.id, addon: pgName }), "NOT_FOUND");

    const outsider = await createApp({ userId: (await createUser({ email: `o-${Date.now()}@example.com`, password: "password1" })).id });
    await expectAppError(attachAddon({ addonId: pgId, appId: outsider.id, userId }), "UNPROCESSABLE", /same owner/);
  });

  it("rotates credentials: new releases on both apps, and both still connect after their restart", async () => {
    const before = { main: (await listReleases({ appId: main.id, limit: 1 }))[0]!.version, other: (await listReleases({ appId: other.id, limit: 1 }))[0]!.version };
    await rotateAddonCredentials({ addonId: pgId, userId });
    const next = (await getConfigVars(main.id)).DATABASE_URL!;
    expect(next).not.toBe(url);
    expect((await getConfigVars(other.id)).DATABASE_URL).toBe(next);
    for (const [appId, version] of [[main.id, before.main], [other.id, before.other]] as const) {
      const [latest] = await listReleases({ appId, limit: 1 });
      expect(latest).toMatchObject({ version: version + 1, description: "Update DATABASE by slipway-postgresql" });
    }
    expect((await askWith(main.id, next, "/pg?op=read")).result).toEqual(["first"]);
    expect((await askWith(other.id, next, "/pg?op=write&value=second")).status).toBe(200);
    url = next;
  });

  it("backs up, then a restore brings a deleted row back", async () => {
    const { backup, done } = await captureBackup({ addonId: pgId });
    expect(backup).toMatchObject({ name: "b001", status: "running" });
    await done;
    const [b] = await listBackups(pgId);
    expect(b).toMatchObject({ name: "b001", status: "completed" });
    expect(b!.sizeBytes).toBeGreaterThan(0);
    const file = await openBackup({ addonId: pgId, backup: "b001" });
    expect(fs.readFileSync(file.file).subarray(0, 5).toString()).toBe("PGDMP");

    expect((await ask(main.id, "/pg?op=delete&value=first")).result).toBe(1);
    expect((await ask(main.id, "/pg?op=read")).result).toEqual(["second"]);
    await restoreBackup({ addonId: pgId, backup: "b001" });
    expect((await ask(main.id, "/pg?op=read")).result).toEqual(["first", "second"]);
    await expectAppError(restoreBackup({ addonId: pgId, backup: "b007" }), "NOT_FOUND");
  });

  it("detaches from the second app: config var gone, network link gone", async () => {
    const attachment = (await db.addonAttachment.findFirstOrThrow({ where: { addonId: pgId, appId: other.id } }));
    const { release } = await detachAddon({ addonId: pgId, attachmentId: attachment.id, userId });
    expect(release?.description).toBe(`Detach DATABASE (@ref:${pgName})`);
    expect((await getConfigVars(other.id)).DATABASE_URL).toBeUndefined();
    const info = await docker().getContainer(addonResourceName({ id: pgId })).inspect();
    expect(Object.keys(info.NetworkSettings.Networks)).not.toContain(runtimeDriver().appNetworkName(other.id));
    expect(Object.keys(info.NetworkSettings.Networks)).toContain(runtimeDriver().appNetworkName(main.id));
    const main1 = await db.addonAttachment.findFirstOrThrow({ where: { addonId: pgId, appId: main.id } });
    await expectAppError(detachAddon({ addonId: pgId, attachmentId: main1.id, userId }), "UNPROCESSABLE", /destroy it there/);
  });

  it("destroys it only with its name: config var, container, volume and backups go", async () => {
    await expectAppError(destroyAddon({ addonId: pgId, userId, confirm: "nope" }), "BAD_REQUEST");
    expect(fs.existsSync(addonDataDir(pgId))).toBe(true);
    const destroyed = await destroyAddon({ addonId: pgId, userId, confirm: pgName });
    expect(destroyed.state).toBe("deprovisioned");
    expect((await getConfigVars(main.id)).DATABASE_URL).toBeUndefined();
    const [latest] = await listReleases({ appId: main.id, limit: 1 });
    expect(latest).toMatchObject({ description: `Detach DATABASE (@ref:${pgName})`, addonPlanNames: [] });
    await expect(docker().getContainer(addonResourceName({ id: pgId })).inspect()).rejects.toMatchObject({ statusCode: 404 });
    await expect(docker().getVolume(addonResourceName({ id: pgId })).inspect()).rejects.toMatchObject({ statusCode: 404 });
    expect(fs.existsSync(addonDataDir(pgId))).toBe(false);
    expect(await db.addon.count({ where: { id: pgId } })).toBe(0);
  });

  it("destroying an app destroys the add-ons billed to it", async () => {
    const app = await createApp({ userId });
    const redis = await createAddon({ appId: app.id, userId, service: "heroku-redis" });
    await provisionInBackground(redis.id);
    await destroyApp({ appId: app.id, appName: app.name, confirm: app.name });
    await expect(docker().getContainer(addonResourceName(redis)).inspect()).rejects.toMatchObject({ statusCode: 404 });
    await expect(docker().getVolume(addonResourceName(redis)).inspect()).rejects.toMatchObject({ statusCode: 404 });
  });
});
