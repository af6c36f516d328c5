// Add-ons under SLIPWAY_RUNTIME=swarm on the three-node lab (scripts/swarm.sh), real
// everything: PostgreSQL provisioned on a worker's own Engine (its image pushed to the lab's
// registry and pulled there by digest), joined to the app's attachable overlay; a web dyno of
// the add-on fixture app on another node (the add-on's node is paused while it is placed)
// reads and writes through DATABASE_URL; a backup (pg_dump by exec on the node) and a restore
// (pg_restore by exec, streamed in); a Redis on the other worker (its config put into the
// volume there); attach to and detach from a second app; destroy leaves nothing on the node. Skipped only when this machine cannot run a node's dockerd.
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addonResourceName } from "@/server/addons/engine";
import { addonBus, type AddonChange } from "@/server/addons/events";
import { db } from "@/server/db";
import { reloadEnv } from "@/server/env";
import { startRuntime, stopRuntime } from "@/server/runtime";
import { runtimeDriver, type RuntimeDriver } from "@/server/runtime/driver";
import { docker } from "@/server/runtime/docker";
import type { Reconciler } from "@/server/runtime/reconciler";
import { attachAddon, detachAddon } from "@/server/services/addon-attachments";
import { captureBackup, listBackups, restoreBackup } from "@/server/services/addon-backups";
import { provisionInBackground } from "@/server/services/addon-provisioning";
import { createAddon, destroyAddon, findAddonForApp } from "@/server/services/addons";
import { createApp } from "@/server/services/apps";
import { getConfigVars } from "@/server/services/config-vars";
import { releaseImage } from "@/server/services/deploys";
import { updateFormation } from "@/server/services/formation";
import { createUser } from "@/server/services/users";
import { ensureAddonFixtureImage } from "@/server/testing/addon-fixture-image";
import { ensureAddonImages } from "@/server/testing/addon-images";
import { unique } from "@/server/testing/callers";
import { testRuntimeOptions, waitFor } from "@/server/testing/runtime";
import { labEngine, startSwarmLab, stopSwarmLab, swarmLabUnavailable, sweepStaleSwarmLabs, useSwarmLabSettings, type SwarmLab } from "@/server/testing/swarm-lab";

const unavailable = await swarmLabUnavailable();
if (unavailable) console.warn(`swarm-addons.test.ts skipped: ${unavailable}`);

const name = `swa-${unique()}`;
// Image pulls on a fresh node count against the boot timeout: generous here.
const opts = testRuntimeOptions({ bootTimeoutMs: 60_000, stopTimeoutSeconds: 3 });
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const holder = globalThis as unknown as { slipwayDriver?: RuntimeDriver };

type Answer = { status: number; result?: unknown; error?: string };

describe.skipIf(unavailable)("add-ons on a three-node swarm lab", () => {
  let lab: SwarmLab;
  let driver: RuntimeDriver;
  let runtime: Reconciler;
  let fixture: string;
  let userId: string;
  let app: { id: string; name: string };
  let pg: { id: string; name: string; node: string };
  let restoreSettings: (() => void) | undefined;

  const nodeEngine = () => labEngine(lab.nodes.find((n) => n.name === pg.node)!.dockerHost);

  /** The app's web dyno, at its node's address and published port, through the fixture's routes. */
  const ask = (path: string) =>
    new Promise<Answer>((resolve, reject) => {
      const target = runtime.routable(app.id)[0];
      if (!target) return reject(new Error("no web dyno up"));
      http
        .get({ host: target.host, port: target.port, path, timeout: 10_000 }, (res) => {
          let body = "";
          res.on("data", (c) => (body += c));
          res.on("end", () => resolve({ status: res.statusCode!, ...(JSON.parse(body) as Omit<Answer, "status">) }));
        })
        .on("error", reject);
    });

  /** `ask` until it answers 200 (the last failure's words in the timeout's message). */
  const answered = (path: string, timeoutMs = 30_000) =>
    waitFor(`${path} answered`, async () => {
      const a = await ask(path);
      if (a.status !== 200) throw new Error(`${a.status} ${a.error ?? ""}`);
      return a;
    }, timeoutMs);

  /** Provisions an add-on, recording its progress steps as the dashboard sees them. */
  const provisionWatched = async (addonId: string) => {
    const steps: string[] = [];
    const onChange = (c: AddonChange) => {
      if (c.addonId !== addonId) return;
      void db.addon.findUnique({ where: { id: addonId }, select: { progress: true } }).then((r) => {
        if (r?.progress && steps.at(-1) !== r.progress) steps.push(r.progress);
      });
    };
    addonBus.on("change", onChange);
    try {
      await provisionInBackground(addonId);
    } finally {
      addonBus.off("change", onChange);
    }
    return steps;
  };

  beforeAll(async () => {
    await sweepStaleSwarmLabs("swa-", 30);
    const t0 = Date.now();
    [fixture, lab] = await Promise.all([ensureAddonFixtureImage(), startSwarmLab(name), ensureAddonImages()]).then(([f, l]) => [f, l] as const);
    console.log(`swarm add-ons: images and lab ready in ${secs(Date.now() - t0)}`);
    restoreSettings = useSwarmLabSettings(lab);
    reloadEnv();
    holder.slipwayDriver = undefined;
    driver = runtimeDriver();
    expect(driver.name).toBe("swarm");
    await db.setting.create({ data: { key: "installation_id", value: opts.installation } });
    userId = (await createUser({ email: `swa-${Date.now()}@example.com`, password: "password1" })).id;
    runtime = await startRuntime(opts);
  }, 600_000);

  afterAll(async () => {
    // The app's dynos go first (a release of the last test may still be replacing one): no
    // stop is under way against the manager when the lab goes.
    if (app && runtime) {
      await updateFormation({ appId: app.id, updates: [{ type: "web", quantity: 0 }] });
      await runtime.reconcile(app.id);
      await waitFor("the app's dynos gone", async () => (await driver.listDynos(opts.installation, app.id)).length === 0, 60_000).catch((err) => console.error(err));
    }
    await stopRuntime();
    // The lab goes with everything on it (services, add-on containers, volumes, networks).
    if (lab) await stopSwarmLab(name);
    restoreSettings?.();
    reloadEnv();
    holder.slipwayDriver = undefined;
  }, 180_000);

  it("provisions PostgreSQL on a worker's own Engine, its image pulled there by digest, on the app's overlay", async () => {
    // No release yet: its web dyno is placed in the next test, away from the add-on's node.
    app = await createApp({ userId, name: `swa-${unique()}` });
    const t = Date.now();
    const added = await createAddon({ appId: app.id, userId, service: "heroku-postgresql" });
    const progress = await provisionWatched(added.id);
    const row = await findAddonForApp({ appId: app.id, addon: added.name });
    console.log(`swarm add-ons: PostgreSQL add → available on ${row.node}: ${secs(Date.now() - t)}`);
    expect(row).toMatchObject({ state: "available", error: null });
    // Workers before the manager, all three empty: a worker.
    expect(row.node).toMatch(new RegExp(`^${name}-worker\\d$`));
    pg = { id: row.id, name: row.name, node: row.node! };
    // The dashboard's progress line says where it goes while the image is on its way there.
    expect(progress).toContain(`Getting the PostgreSQL image onto node ${pg.node}`);

    const container = await nodeEngine().getContainer(addonResourceName(pg)).inspect();
    expect(container.State.Running).toBe(true);
    const escaped = lab.registry.replace(/\./g, "\\.");
    expect(container.Config.Image).toMatch(new RegExp(`^${escaped}/slipway/addon-postgres@sha256:[0-9a-f]{64}$`));
    expect(Object.keys(container.NetworkSettings.Networks)).toEqual(expect.arrayContaining([addonResourceName(pg), driver.appNetworkName(app.id)]));
    expect(container.NetworkSettings.Networks[driver.appNetworkName(app.id)]?.Aliases).toContain(pg.name);
    // Nothing of it on the build Engine, nor on the other nodes.
    await expect(docker().getContainer(addonResourceName(pg)).inspect()).rejects.toMatchObject({ statusCode: 404 });
    for (const n of lab.nodes.filter((x) => x.name !== pg.node)) {
      await expect(labEngine(n.dockerHost).getContainer(addonResourceName(pg)).inspect()).rejects.toMatchObject({ statusCode: 404 });
    }
    expect((await getConfigVars(app.id)).DATABASE_URL).toMatch(new RegExp(`@${pg.name}:5432/`));
  }, 300_000);

  it("serves a web dyno on another node that reads and writes through DATABASE_URL", async () => {
    // The add-on's node takes no new task while the dyno is placed: it must go elsewhere.
    const node = (await driver.nodes(opts.installation)).find((n) => n.name === pg.node)!;
    await driver.setNodeAvailability(node.id, "pause");
    try {
      const t = Date.now();
      await releaseImage({ appId: app.id, userId, imageTag: fixture, processTypes: { web: "node server.js" }, description: "Deploy fixture" });
      await updateFormation({ appId: app.id, updates: [{ type: "web", quantity: 1 }] });
      await runtime.reconcile(app.id);
      await waitFor("web.1 up", async () => runtime.routable(app.id).length === 1, 120_000);
      console.log(`swarm add-ons: web.1 up (image pushed, pulled by digest): ${secs(Date.now() - t)}`);
    } finally {
      await driver.setNodeAvailability(node.id, "active");
    }
    const [dyno] = await driver.listDynos(opts.installation, app.id);
    expect(dyno!.node).toBeTruthy();
    expect(dyno!.node).not.toBe(pg.node);
    console.log(`swarm add-ons: web.1 on ${dyno!.node}, PostgreSQL on ${pg.node}`);
    // The first query also waits for the overlay's name to reach the dyno's node (gossip).
    const t = Date.now();
    expect(await answered("/pg?op=select1")).toMatchObject({ status: 200, result: 1 });
    console.log(`swarm add-ons: first query from web.1 answered ${secs(Date.now() - t)} after it was up`);
    expect(await ask("/pg?op=write&value=first")).toMatchObject({ status: 200 });
    expect(await ask("/pg?op=read")).toMatchObject({ status: 200, result: ["first"] });
  }, 180_000);

  it("backs up with pg_dump on the node and restores it", async () => {
    const t = Date.now();
    const { backup, done } = await captureBackup({ addonId: pg.id });
    await done;
    const [b] = await listBackups(pg.id);
    expect(b).toMatchObject({ name: backup.name, status: "completed" });
    expect(b!.sizeBytes).toBeGreaterThan(0);
    console.log(`swarm add-ons: backup ${b!.name} (${b!.sizeBytes} bytes) in ${secs(Date.now() - t)}`);
    expect(await ask("/pg?op=write&value=second")).toMatchObject({ status: 200 });
    expect(await ask("/pg?op=read")).toMatchObject({ result: ["first", "second"] });
    const r = Date.now();
    await restoreBackup({ addonId: pg.id, backup: backup.name });
    console.log(`swarm add-ons: restore in ${secs(Date.now() - r)}`);
    expect(await ask("/pg?op=read")).toMatchObject({ status: 200, result: ["first"] });
  }, 120_000);

  it("puts a Redis on the other worker (fewest add-ons), its password config written there before it starts", async () => {
    const t = Date.now();
    const added = await createAddon({ appId: app.id, userId, service: "slipway-redis" });
    await provisionInBackground(added.id);
    const row = await findAddonForApp({ appId: app.id, addon: added.name });
    console.log(`swarm add-ons: Redis add → available on ${row.node}: ${secs(Date.now() - t)}`);
    expect(row).toMatchObject({ state: "available", error: null });
    expect(row.node).toMatch(new RegExp(`^${name}-worker\\d$`));
    expect(row.node).not.toBe(pg.node);
    // The dyno restarts onto REDIS_URL (a release); the old one answers 500 until then.
    expect(await answered("/redis?op=set&key=color&value=teal", 90_000)).toMatchObject({ result: "OK" });
    expect(await ask("/redis?op=get&key=color")).toMatchObject({ status: 200, result: "teal" });
  }, 180_000);

  it("attaches to a second app's overlay and detaches from it; destroy leaves nothing on the node", async () => {
    const other = await createApp({ userId, name: `swa-${unique()}` });
    const overlay = driver.appNetworkName(other.id);
    const { attachment } = await attachAddon({ addonId: pg.id, appId: other.id, userId });
    const networks = async () => Object.keys((await nodeEngine().getContainer(addonResourceName(pg)).inspect()).NetworkSettings.Networks);
    expect(await networks()).toContain(overlay);
    await detachAddon({ addonId: pg.id, attachmentId: attachment.id, userId });
    expect(await networks()).not.toContain(overlay);
    expect(await networks()).toContain(driver.appNetworkName(app.id));

    await destroyAddon({ addonId: pg.id, userId, confirm: pg.name });
    const engine = nodeEngine();
    await expect(engine.getContainer(addonResourceName(pg)).inspect()).rejects.toMatchObject({ statusCode: 404 });
    await expect(engine.getVolume(addonResourceName(pg)).inspect()).rejects.toMatchObject({ statusCode: 404 });
    expect(await db.addon.count({ where: { id: pg.id } })).toBe(0);
  }, 120_000);
});
