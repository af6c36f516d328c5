import "server-only";
// Quotas: what one owner (a team, or a user's personal apps — Heroku's "account") and the
// whole installation may reserve. Checked at the shared services every door calls
// (formation, one-offs, add-ons, backups, builds), so the dashboard, the CLI and git pushes
// meet the same limits. A refusal names the limit and the current use, as a 422 with the
// Heroku id "quota_exceeded". Limits come from SLIPWAY_QUOTA_* settings (server/env.ts).
//
// Counts are read, then written by the caller: two requests racing can both pass by one
// step. That is accepted: quotas bound abuse, they are not a billing ledger.
import { formatMemory } from "@/app/(dashboard)/apps/[name]/resources/_components/format";
import { db, type Prisma } from "@/server/db";
import { env } from "@/server/env";
import { AppError } from "@/server/errors";
import { dynoSize } from "@/server/runtime/sizes";

type Owner = { ownerId: string | null; teamId: string | null; team?: { name: string } | null };

async function ownerOf(appId: string): Promise<Owner> {
  const app = await db.app.findUnique({ where: { id: appId }, select: { ownerId: true, teamId: true, team: { select: { name: true } } } });
  if (!app) throw new AppError("NOT_FOUND", "Couldn't find that app.", { resource: "app" });
  return app;
}

/** The apps that share an owner's quota. */
function ownerApps(owner: Owner) {
  return owner.teamId ? { teamId: owner.teamId } : { ownerId: owner.ownerId, teamId: null };
}

function whose(owner: Owner) {
  return owner.teamId ? `team ${owner.team?.name ?? ""}'s`.replace(" 's", "'s") : "your";
}

function refuse(message: string): never {
  throw new AppError("QUOTA_EXCEEDED", message);
}

const memoryOf = (size: string) => dynoSize(size)?.memoryMb ?? 0;

/**
 * Memory reserved by formation (quantity × size), and besides it (`otherMb`) by running
 * one-off dynos and by standby pools (pool size × the web size: a paused standby holds what
 * it booted with, and a tenant must not park memory outside the quota that way).
 */
async function memoryInUse(apps: Prisma.AppWhereInput | undefined) {
  const [formation, oneOffs, pools] = await Promise.all([
    db.formation.findMany({ where: apps ? { app: apps } : {}, select: { id: true, quantity: true, size: true } }),
    db.dyno.findMany({ where: { type: "run", ...(apps ? { app: apps } : {}) }, select: { size: true } }),
    db.app.findMany({ where: { ...apps, standbyDynos: { gt: 0 } }, select: { standbyDynos: true, formation: { where: { type: "web" }, select: { size: true } } } }),
  ]);
  const oneOffMb = oneOffs.reduce((sum, d) => sum + memoryOf(d.size), 0);
  const standbyMb = pools.reduce((sum, a) => sum + (a.formation[0] ? a.standbyDynos * memoryOf(a.formation[0].size) : 0), 0);
  return { formation, otherMb: oneOffMb + standbyMb };
}

/** All the dyno memory one memoryInUse() reading reserves. */
const reservedMb = (use: Awaited<ReturnType<typeof memoryInUse>>) => use.formation.reduce((s, r) => s + r.quantity * memoryOf(r.size), use.otherMb);

/** `addMb` more of dyno memory stays within the owner's and the installation's limits. */
async function checkAddedMemory(owner: Owner, addMb: number) {
  const e = env();
  for (const [apps, limit, who] of [
    [ownerApps(owner), e.SLIPWAY_QUOTA_DYNO_MEMORY_MB, whose(owner)],
    [undefined, e.SLIPWAY_QUOTA_TOTAL_DYNO_MEMORY_MB, "this installation's"],
  ] as const) {
    const now = reservedMb(await memoryInUse(apps));
    checkMemory(now, now + addMb, limit, who);
  }
}

function checkMemory(inUseMb: number, wouldMb: number, limitMb: number, who: string) {
  if (wouldMb > limitMb && wouldMb > inUseMb) {
    refuse(`This would use ${formatMemory(wouldMb)} of dyno memory; ${who} limit is ${formatMemory(limitMb)} (${formatMemory(inUseMb)} in use).`);
  }
}

/**
 * A formation change (rows by id, their new quantity and size) stays within the dyno
 * quotas: memory first (the owner's, then the installation's), then dynos per type.
 */
export async function checkFormationQuota(input: { appId: string; next: { id: string; quantity: number; size: string }[] }) {
  const e = env();
  const owner = await ownerOf(input.appId);
  const next = new Map(input.next.map((w) => [w.id, w]));
  const typeOf = new Map((await db.formation.findMany({ where: { id: { in: input.next.map((w) => w.id) } }, select: { id: true, type: true } })).map((r) => [r.id, r.type]));
  const sums = (rows: { id: string; quantity: number; size: string }[], extra: number) => {
    const now = rows.reduce((s, r) => s + r.quantity * memoryOf(r.size), extra);
    const would = rows.reduce((s, r) => s + (next.get(r.id) ?? r).quantity * memoryOf((next.get(r.id) ?? r).size), extra);
    return { now, would };
  };
  const mine = await memoryInUse(ownerApps(owner));
  const own = sums(mine.formation, mine.otherMb);
  checkMemory(own.now, own.would, e.SLIPWAY_QUOTA_DYNO_MEMORY_MB, whose(owner));
  const all = await memoryInUse(undefined);
  const total = sums(all.formation, all.otherMb);
  checkMemory(total.now, total.would, e.SLIPWAY_QUOTA_TOTAL_DYNO_MEMORY_MB, "this installation's");
  const perType = e.SLIPWAY_QUOTA_DYNOS_PER_PROCESS_TYPE;
  for (const w of input.next) {
    const row = mine.formation.find((r) => r.id === w.id);
    if (row && w.quantity > perType && w.quantity > row.quantity) {
      refuse(`You can run at most ${perType} dynos per process type; ${typeOf.get(w.id) ?? "this type"} would have ${w.quantity} (${row.quantity} running).`);
    }
  }
}

/** A one-off dyno of this size may start: the owner's count of running one-offs, and memory. */
export async function checkOneOffQuota(input: { appId: string; size: string }) {
  const e = env();
  const owner = await ownerOf(input.appId);
  const running = await db.dyno.count({ where: { type: "run", name: { startsWith: "run." }, app: ownerApps(owner) } });
  if (running >= e.SLIPWAY_QUOTA_ONE_OFF_DYNOS) {
    refuse(`You can run at most ${e.SLIPWAY_QUOTA_ONE_OFF_DYNOS} one-off dynos at once; ${running} are running. Wait for one to finish or stop it.`);
  }
  await checkAddedMemory(owner, memoryOf(input.size));
}

/** A standby pool grown from `from` to `to` dynos: each holds a web dyno's memory. */
export async function checkStandbyQuota(input: { appId: string; from: number; to: number }) {
  if (input.to <= input.from) return;
  const owner = await ownerOf(input.appId);
  const web = await db.formation.findFirst({ where: { appId: input.appId, type: "web" }, select: { size: true } });
  if (web) await checkAddedMemory(owner, (input.to - input.from) * memoryOf(web.size));
}

/** One more add-on for this app's owner. */
export async function checkAddonQuota(input: { appId: string }) {
  const limit = env().SLIPWAY_QUOTA_ADDONS;
  const owner = await ownerOf(input.appId);
  const count = await db.addon.count({ where: { app: ownerApps(owner) } });
  if (count >= limit) refuse(`You can have at most ${limit} add-ons; ${count} exist. Destroy one to add another.`);
}

/** One more backup of this add-on (completed, failed and running ones all count, as they hold disk). */
export async function checkBackupQuota(input: { addonId: string }) {
  const limit = env().SLIPWAY_QUOTA_BACKUPS_PER_ADDON;
  const [count, running] = await Promise.all([
    db.addonBackup.count({ where: { addonId: input.addonId } }),
    db.addonBackup.count({ where: { addonId: input.addonId, status: "running" } }),
  ]);
  if (running > 0) refuse("A backup of this add-on is already running; wait for it to finish.");
  if (count >= limit) refuse(`An add-on keeps at most ${limit} backups; this one has ${count}.`);
}

/** One more queued build: per app and per owner (queued or building). */
export async function checkBuildQuota(input: { appId: string }) {
  const e = env();
  const owner = await ownerOf(input.appId);
  const pending = { status: { in: ["queued", "building"] } };
  const [forApp, forOwner] = await Promise.all([
    db.build.count({ where: { appId: input.appId, ...pending } }),
    db.build.count({ where: { app: ownerApps(owner), ...pending } }),
  ]);
  if (forApp >= e.SLIPWAY_QUOTA_QUEUED_BUILDS_PER_APP) {
    refuse(`An app can have at most ${e.SLIPWAY_QUOTA_QUEUED_BUILDS_PER_APP} builds queued or running; this one has ${forApp}. Wait for one to finish.`);
  }
  if (forOwner >= e.SLIPWAY_QUOTA_QUEUED_BUILDS) {
    refuse(`You can have at most ${e.SLIPWAY_QUOTA_QUEUED_BUILDS} builds queued or running; ${forOwner} are. Wait for one to finish.`);
  }
}

/** What the dashboard shows beside the slider and in the add-on dialog. */
export async function quotasForApp(appId: string) {
  const e = env();
  const owner = await ownerOf(appId);
  const [mine, all, addons] = await Promise.all([memoryInUse(ownerApps(owner)), memoryInUse(undefined), db.addon.count({ where: { app: ownerApps(owner) } })]);
  return {
    owner: owner.teamId ? { kind: "team" as const, name: owner.team?.name ?? "" } : { kind: "user" as const },
    dynoMemory: { usedMb: reservedMb(mine), limitMb: e.SLIPWAY_QUOTA_DYNO_MEMORY_MB },
    installationMemory: { usedMb: reservedMb(all), limitMb: e.SLIPWAY_QUOTA_TOTAL_DYNO_MEMORY_MB },
    dynosPerProcessType: e.SLIPWAY_QUOTA_DYNOS_PER_PROCESS_TYPE,
    oneOffDynos: e.SLIPWAY_QUOTA_ONE_OFF_DYNOS,
    addons: { used: addons, limit: e.SLIPWAY_QUOTA_ADDONS },
  };
}
export type AppQuotas = Awaited<ReturnType<typeof quotasForApp>>;
