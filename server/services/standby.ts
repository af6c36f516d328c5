import "server-only";
// The app's standby pool setting (server/runtime/standby-pool.ts): how many booted web
// dynos of the current release are held ready for a scale-up, and what they hold now.
import { db } from "@/server/db";
import { AppError } from "@/server/errors";
import { getRuntime, pokeApp } from "@/server/runtime";
import { recordActivity } from "@/server/services/activity";
import { checkStandbyQuota } from "@/server/services/quotas";

/** Bounded per app; the memory a pool holds counts in the owner's dyno memory quota (quotas.ts). */
export const MAX_STANDBY_DYNOS = 10;

export type StandbyPoolView = {
  /** The setting: how many the pool should hold (0 = no pool). */
  size: number;
  max: number;
  /** Standbys ready now (booted and frozen). */
  ready: number;
  /** Standbys being prepared. */
  preparing: number;
  /** Memory the ready and preparing standbys hold now; null when the runtime cannot say. */
  memoryBytes: number | null;
  /** False when the runtime has no standby pool (swarm): the setting is kept but ignored. */
  supported: boolean;
};

export async function getStandbyPool(appId: string): Promise<StandbyPoolView> {
  const app = await db.app.findUnique({ where: { id: appId }, select: { standbyDynos: true } });
  if (!app) throw new AppError("NOT_FOUND", "Couldn't find that app.", { resource: "app" });
  const view: StandbyPoolView = { size: app.standbyDynos, max: MAX_STANDBY_DYNOS, ready: 0, preparing: 0, memoryBytes: null, supported: true };
  const runtime = getRuntime();
  if (!runtime) return view;
  const driver = runtime.driver;
  view.supported = !!driver.pauseDyno && !!driver.promoteDyno;
  const standbys = (await driver.listDynos(runtime.opts.installation, appId, { standbys: true })).filter((c) => c.standby);
  view.ready = standbys.filter((c) => c.status === "paused" || c.status === "created").length;
  view.preparing = standbys.length - view.ready;
  const where = { installation: runtime.opts.installation, appId };
  const stats = await Promise.all(standbys.map((c) => driver.dynoStats(c.id, where).catch(() => null)));
  const known = stats.filter((s) => s?.memoryBytes != null);
  view.memoryBytes = standbys.length === 0 ? 0 : known.length ? known.reduce((sum, s) => sum + s!.memoryBytes!, 0) : null;
  return view;
}

export async function setStandbyPool(input: { appId: string; size: number }) {
  if (!Number.isInteger(input.size) || input.size < 0 || input.size > MAX_STANDBY_DYNOS) {
    throw new AppError("BAD_REQUEST", `A standby pool holds 0 to ${MAX_STANDBY_DYNOS} dynos.`, { fieldErrors: { size: `0 to ${MAX_STANDBY_DYNOS}.` } });
  }
  const before = await db.app.findUnique({ where: { id: input.appId }, select: { standbyDynos: true } });
  if (!before) throw new AppError("NOT_FOUND", "Couldn't find that app.", { resource: "app" });
  if (before.standbyDynos !== input.size) {
    await checkStandbyQuota({ appId: input.appId, from: before.standbyDynos, to: input.size });
    await db.app.update({ where: { id: input.appId }, data: { standbyDynos: input.size } });
    await recordActivity({
      kind: "formation.standby",
      message: `Set the standby pool from ${before.standbyDynos} to ${input.size} web dynos`,
      appId: input.appId,
      data: { from: before.standbyDynos, to: input.size },
    });
    void pokeApp(input.appId);
  }
  return getStandbyPool(input.appId);
}
