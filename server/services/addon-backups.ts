import "server-only";
// Add-on backups (PostgreSQL: pg_dump; Redis: an RDB snapshot) run inside the add-on's container and stream
// to a file under the control plane's data dir (b001.dump, …); a restore streams one back
// into the provider (pg_restore, or a Redis load). Backups go only when the add-on is destroyed.
import fs from "node:fs";
import path from "node:path";
import { finished } from "node:stream/promises";
import { addonChanged } from "@/server/addons/events";
import { db } from "@/server/db";
import { AppError, isUniqueViolation } from "@/server/errors";
import { recordActivity } from "@/server/services/activity";
import { appIdsOf, credentialsOf, targetOf } from "@/server/services/addon-records";
import { addonDataDir } from "@/server/services/addon-provisioning";
import { checkBackupQuota } from "@/server/services/quotas";

const backupSelect = { id: true, number: true, status: true, sizeBytes: true, error: true, createdAt: true, finishedAt: true } as const;

/** Heroku names backups b001, b002, … */
export function backupName(number: number) {
  return `b${String(number).padStart(3, "0")}`;
}

function backupPath(addonId: string, number: number) {
  return path.join(addonDataDir(addonId), "backups", `${backupName(number)}.dump`);
}

function shape(row: { id: string; number: number; status: string; sizeBytes: bigint | null; error: string | null; createdAt: Date; finishedAt: Date | null }) {
  return { ...row, name: backupName(row.number), sizeBytes: row.sizeBytes === null ? null : Number(row.sizeBytes) };
}

async function backupCapable(addonId: string) {
  const row = await db.addon.findUniqueOrThrow({ where: { id: addonId }, select: { id: true, name: true, service: true, plan: true, node: true, state: true, configEnc: true, appId: true } });
  const { provider, target } = await targetOf(row);
  if (!provider.backup || !provider.restore) throw new AppError("UNPROCESSABLE", `${provider.info.label} add-ons have no backups.`);
  if (row.state !== "available") throw new AppError("CONFLICT", `${row.name} is ${row.state}; backups work once it is available.`);
  return { provider, target, credentials: credentialsOf(row), addon: { name: row.name, appId: row.appId } };
}

export async function listBackups(addonId: string) {
  const rows = await db.addonBackup.findMany({ where: { addonId }, orderBy: { number: "desc" }, select: backupSelect });
  return rows.map(shape);
}

/** Starts a backup; it runs on while the caller gets the row (status running). */
export async function captureBackup(input: { addonId: string; scheduled?: boolean }) {
  const { provider, target, credentials, addon } = await backupCapable(input.addonId);
  await checkBackupQuota({ addonId: input.addonId });
  let row: Awaited<ReturnType<typeof db.addonBackup.create>> | undefined;
  for (let attempt = 0; !row; attempt++) {
    const last = await db.addonBackup.findFirst({ where: { addonId: input.addonId }, orderBy: { number: "desc" }, select: { number: true } });
    try {
      row = await db.addonBackup.create({ data: { addonId: input.addonId, number: (last?.number ?? 0) + 1, scheduled: input.scheduled ?? false } });
    } catch (err) {
      if (attempt >= 4 || !isUniqueViolation(err)) throw err;
    }
  }
  const { id, number } = row;
  const file = backupPath(input.addonId, number);
  const done = (async () => {
    try {
      await fs.promises.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
      const partial = `${file}.partial`;
      const out = fs.createWriteStream(partial, { mode: 0o600 });
      try {
        await provider.backup!(target, credentials, out);
      } catch (err) {
        out.destroy();
        throw err;
      }
      // Every byte on disk and the file closed before it is renamed and measured (the
      // provider writes into `out` but does not end it).
      out.end();
      await finished(out);
      await fs.promises.rename(partial, file);
      const { size } = await fs.promises.stat(file);
      await db.addonBackup.update({ where: { id }, data: { status: "completed", sizeBytes: BigInt(size), finishedAt: new Date() } });
    } catch (err) {
      console.error(`slipway: backup ${backupName(number)} of ${target.name} failed`, err);
      await fs.promises.rm(`${file}.partial`, { force: true });
      const message = err instanceof AppError ? err.message : "The backup failed on our side.";
      await db.addonBackup.updateMany({ where: { id }, data: { status: "failed", error: message, finishedAt: new Date() } });
    } finally {
      addonChanged({ addonId: input.addonId, appIds: await appIdsOf(input.addonId) });
    }
  })();
  addonChanged({ addonId: input.addonId, appIds: await appIdsOf(input.addonId) });
  const name = backupName(number);
  await recordActivity({ kind: "addons.backup_captured", message: `Started backup ${name} of ${addon.name}`, appId: addon.appId, data: { addon: addon.name, backup: name } });
  return { backup: shape({ ...row, sizeBytes: null }), done };
}

async function completedBackup(addonId: string, backup: string) {
  const number = Number(backup.replace(/^b/i, ""));
  const row = Number.isInteger(number) ? await db.addonBackup.findFirst({ where: { addonId, number }, select: backupSelect }) : null;
  if (!row) throw new AppError("NOT_FOUND", `Couldn't find backup ${backup}.`, { resource: "backup" });
  if (row.status !== "completed") throw new AppError("CONFLICT", `Backup ${backupName(row.number)} is ${row.status}.`);
  const file = backupPath(addonId, row.number);
  if (!fs.existsSync(file)) throw new AppError("NOT_FOUND", `The file of backup ${backupName(row.number)} is missing.`, { resource: "backup" });
  return { row: shape(row), file };
}

/** A completed backup's file, for download. */
export async function openBackup(input: { addonId: string; backup: string }) {
  const { row, file } = await completedBackup(input.addonId, input.backup);
  return { backup: row, file, stream: () => fs.createReadStream(file) };
}

/** Replaces the database's contents with a backup's; open sessions are ended first. */
export async function restoreBackup(input: { addonId: string; backup: string; fromAddonId?: string }) {
  const { provider, target, credentials, addon } = await backupCapable(input.addonId);
  // Another add-on's backup (pg:backups:restore OTHER_APP::b003): the caller checked access to it.
  const { row, file } = await completedBackup(input.fromAddonId ?? input.addonId, input.backup);
  await provider.restore!(target, credentials, fs.createReadStream(file));
  await recordActivity({ kind: "addons.backup_restored", message: `Restored ${addon.name} from backup ${row.name}`, appId: addon.appId, data: { addon: addon.name, backup: row.name } });
  return { restored: row.name };
}


/** Retention: keeps the newest `retain` completed scheduled backups, removes older ones and their files. */
export async function pruneScheduledBackups(input: { addonId: string; retain: number }) {
  const old = await db.addonBackup.findMany({
    where: { addonId: input.addonId, scheduled: true, status: "completed" },
    orderBy: { number: "desc" },
    skip: input.retain,
    select: { id: true, number: true },
  });
  for (const row of old) {
    await fs.promises.rm(backupPath(input.addonId, row.number), { force: true });
    await db.addonBackup.deleteMany({ where: { id: row.id } });
  }
  return old.map((r) => backupName(r.number));
}

/** A backup by its id (the data API's transfer uuid), with the add-on it belongs to. */
export function findBackupById(id: string) {
  return db.addonBackup.findUnique({ where: { id }, select: { ...backupSelect, addonId: true, scheduled: true } });
}
