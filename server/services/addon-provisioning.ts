import "server-only";
// Provisioning runs in the background: the row is written first (state provisioning, the
// credentials already chosen and stored encrypted), then the container is made, checked
// and attached, and only then do the apps get their config vars and the add-on becomes
// available. Every step is idempotent, so after a control plane restart half-way the same
// work simply runs again (resumeAddons, at boot); a failure removes whatever was made.
import fs from "node:fs";
import path from "node:path";
import { addonChanged } from "@/server/addons/events";
import { chooseAddonNode, listAddonResources, removeAddonResources } from "@/server/addons/engine";
import { encryptJson } from "@/server/crypto";
import { db } from "@/server/db";
import { dataDir } from "@/server/env";
import { AppError } from "@/server/errors";
import { pokeApp } from "@/server/runtime";
import { connectToApp, publishAttachments } from "@/server/services/addon-attachments";
import { appIdsOf, configKey, credentialsOf, planNamesForApp, targetOf } from "@/server/services/addon-records";
import { applyConfigChanges } from "@/server/services/config-vars";
import { withReleaseTx } from "@/server/services/releases";
import { installationId } from "@/server/services/settings";

const running = new Map<string, Promise<void>>();

/** Where an add-on's files (backups) live on the control plane's data dir. */
export function addonDataDir(addonId: string) {
  return path.join(dataDir(), "addons", addonId);
}

/** Starts (or joins) the provisioning of one add-on; resolves when it is available or failed. */
export function provisionInBackground(addonId: string): Promise<void> {
  let job = running.get(addonId);
  if (!job) {
    job = provision(addonId).finally(() => running.delete(addonId));
    running.set(addonId, job);
  }
  return job;
}

async function setProgress(addonId: string, progress: string) {
  await db.addon.updateMany({ where: { id: addonId, state: "provisioning" }, data: { progress } });
  addonChanged({ addonId, appIds: await appIdsOf(addonId) });
}

async function provision(addonId: string) {
  const row = await db.addon.findUnique({
    where: { id: addonId },
    select: { id: true, name: true, service: true, plan: true, node: true, state: true, configEnc: true, createdById: true, attachments: { select: { app: { select: { id: true, name: true } } } } },
  });
  if (!row || row.state !== "provisioning") return;
  const { provider, target } = await targetOf(row);
  try {
    // Under swarm: a node of its own, chosen once and recorded before anything is made there
    // (a resumed provisioning finds it and goes on where it was).
    if (!target.node) {
      const node = await chooseAddonNode();
      if (node) {
        await db.addon.updateMany({ where: { id: addonId, state: "provisioning", node: null }, data: { node } });
        target.node = (await db.addon.findUnique({ where: { id: addonId }, select: { node: true } }))?.node ?? node;
      }
    }
    await provider.provision(target, credentialsOf(row), (step) => setProgress(addonId, step));
    await setProgress(addonId, "Attaching to apps");
    for (const { app } of row.attachments) await connectToApp(provider, target, app);
    if (!(await stillProvisioning(addonId))) return void (await removeAddonResources(target));
    await publishAttachments(addonId, row.createdById, (names) => names.map((n) => `Attach ${n} (@ref:${row.name})`).join(", "));
    const done = await db.addon.updateMany({
      where: { id: addonId, state: "provisioning" },
      data: { state: "available", progress: null, error: null, provisionedAt: new Date() },
    });
    // Destroyed meanwhile: what was just made must not outlive the row.
    if (done.count === 0) await removeAddonResources(target);
  } catch (err) {
    console.error(`slipway: provisioning add-on ${row.name} failed`, err);
    const message = err instanceof AppError ? err.message : "Provisioning failed on our side.";
    await removeAddonResources(target).catch((e) => console.error(`slipway: cleaning up add-on ${row.name} failed`, e));
    await db.addon.updateMany({ where: { id: addonId, state: "provisioning" }, data: { state: "failed", progress: null, error: message } });
  } finally {
    addonChanged({ addonId, appIds: await appIdsOf(addonId) });
  }
}

async function stillProvisioning(addonId: string) {
  return (await db.addon.count({ where: { id: addonId, state: "provisioning" } })) > 0;
}

/**
 * Deprovisioning after the row says so: config vars leave every attached app (a release
 * each), then container, volume, network and backups go, then the row.
 */
export async function deprovision(addonId: string, userId: string | null) {
  await running.get(addonId)?.catch(() => undefined);
  const row = await db.addon.findUnique({ where: { id: addonId }, select: { id: true, name: true, service: true, plan: true, node: true, attachments: { select: { appId: true, name: true } } } });
  if (!row) return;
  const { target } = await targetOf(row);
  const byApp = new Map<string, string[]>();
  for (const a of row.attachments) byApp.set(a.appId, [...(byApp.get(a.appId) ?? []), a.name]);
  const appIds = [...byApp.keys()];
  for (const [appId, names] of byApp) {
    await withReleaseTx(async (tx) => {
      await tx.addonAttachment.deleteMany({ where: { addonId, appId } });
      return applyConfigChanges(tx, {
        appId,
        userId,
        changes: Object.fromEntries(names.map((n) => [configKey(n), null])),
        description: names.map((n) => `Detach ${n} (@ref:${row.name})`).join(", "),
        addonPlanNames: await planNamesForApp(tx, appId),
      });
    });
    void pokeApp(appId);
  }
  await removeAddonResources(target);
  await fs.promises.rm(addonDataDir(addonId), { recursive: true, force: true });
  await db.addon.deleteMany({ where: { id: addonId } });
  addonChanged({ addonId, appIds });
}

/** Finishes a rotation whose new credentials were chosen but not yet everywhere. */
export async function finishRotation(addonId: string, userId: string | null) {
  const row = await db.addon.findUniqueOrThrow({ where: { id: addonId }, select: { id: true, name: true, service: true, plan: true, node: true, configEnc: true, pendingConfigEnc: true } });
  if (!row.pendingConfigEnc) return;
  const { provider, target } = await targetOf(row);
  const next = credentialsOf({ configEnc: row.pendingConfigEnc });
  await provider.rotateCredentials(target, next, credentialsOf(row));
  await db.addon.update({ where: { id: addonId }, data: { configEnc: encryptJson(next), pendingConfigEnc: null } });
  await publishAttachments(addonId, userId, (names) => names.map((n) => `Update ${n} by ${row.service}`).join(", "));
  addonChanged({ addonId, appIds: await appIdsOf(addonId) });
}

/**
 * At boot: provisioning resumes, destroys and rotations finish, interrupted backups are
 * marked failed, and Engine resources of this installation whose add-on no longer
 * exists (or failed) are removed.
 */
export async function resumeAddons() {
  const installation = await installationId();
  const rows = await db.addon.findMany({ where: { OR: [{ state: { in: ["provisioning", "deprovisioning"] } }, { pendingConfigEnc: { not: null } }] }, select: { id: true, state: true, pendingConfigEnc: true } });
  await db.addonBackup.updateMany({ where: { status: "running" }, data: { status: "failed", error: "Interrupted by a restart of the platform.", finishedAt: new Date() } });
  const live = new Set((await db.addon.findMany({ where: { state: { not: "failed" } }, select: { id: true } })).map((r) => r.id));
  for (const res of await listAddonResources(installation)) {
    if (!live.has(res.id)) {
      console.log(`slipway: removing leftovers of add-on ${res.name}`);
      await removeAddonResources(res).catch((err) => console.error(`slipway: could not remove leftovers of add-on ${res.name}`, err));
    }
  }
  for (const row of rows) {
    const work =
      row.state === "provisioning"
        ? provisionInBackground(row.id)
        : row.state === "deprovisioning"
          ? deprovision(row.id, null)
          : finishRotation(row.id, null);
    void work.catch((err) => console.error(`slipway: resuming add-on ${row.id} failed`, err));
  }
}
