import "server-only";
import { removeBuildArtifacts } from "@/server/build/cleanup";
import { removeAppLogs } from "@/server/logs/store";
import { db, type Prisma } from "@/server/db";
import { AppError, isUniqueViolation } from "@/server/errors";
import { pokeApp } from "@/server/runtime";
import { bus } from "@/server/runtime/events";
import { effectivePermissions, isTeamRole } from "@/server/auth/permissions";
import { appSelect, visibleAppsWhere } from "@/server/services/access";
import { releaseAppAddons } from "@/server/services/addons";
import { appNameSchema, randomAppName } from "@/server/services/names";
import { recordActivity } from "@/server/services/activity";
import { appendRelease } from "@/server/services/releases";
import { requireTeamRole } from "@/server/services/teams/roles";

function nameError(message: string) {
  return new AppError("BAD_REQUEST", message, { fieldErrors: { name: message } });
}

export function validateAppName(name: string): string {
  const parsed = appNameSchema.safeParse(name);
  if (!parsed.success) throw nameError(parsed.error.issues[0]!.message);
  return parsed.data;
}

/** Creates an app owned by the user, or by a team in which they are a member or admin (viewers change nothing), with release v1. */
export async function createApp(input: { userId: string; name?: string | null; teamName?: string | null }) {
  const team = input.teamName ? await requireTeamRole({ userId: input.userId, teamName: input.teamName, minRole: "member" }) : null;
  const explicit = input.name?.trim() ? validateAppName(input.name) : null;

  for (let attempt = 0; attempt < 5; attempt++) {
    const name = explicit ?? randomAppName();
    try {
      const created = await db.$transaction(async (tx) => {
        const app = await tx.app.create({
          data: { name, ownerId: team ? null : input.userId, teamId: team?.id ?? null },
          select: appSelect,
        });
        const v1 = await appendRelease(tx, { appId: app.id, userId: input.userId, description: "Initial release", config: {} });
        return { ...app, releasedAt: v1.createdAt };
      });
      await recordActivity({ kind: "app.created", message: `Created app ${name}${team ? ` in team ${team.name}` : ""}`, appId: created.id, userId: input.userId });
      // Routable now (its H14 page until it has a dyno), not at the next periodic table: the
      // router's one reload for a new app happens here, off the first push's path, and its
      // first dyno is then a runtime change.
      bus.emit("routes", { appId: created.id });
      return created;
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      if (explicit) throw nameError(`Name ${explicit} is already taken.`);
    }
  }
  throw new AppError("CONFLICT", "Could not find a free random name; please pick one.");
}

/**
 * Apps the user can see: their own, their teams', and those they collaborate on. A locked
 * team app is left out for members and viewers without a grant of their own (the one
 * permission table decides, as it does for every door).
 */
type ListScope = { userId: string; teamName?: string | null; scope?: "personal" | "all" };

function listWhere(input: ListScope): Prisma.AppWhereInput {
  return input.teamName
    ? { team: { name: input.teamName, members: { some: { userId: input.userId } } } }
    : input.scope === "all"
      ? visibleAppsWhere(input.userId)
      : { OR: [{ ownerId: input.userId }, { collaborators: { some: { userId: input.userId } } }] };
}

/** Rows as `where` finds them, each with what the one permission table needs, in one query (no per-app lookups). */
async function findVisibleApps(input: { userId: string; where: Prisma.AppWhereInput; take?: number }) {
  const rows = await db.app.findMany({
    where: input.where,
    orderBy: { name: "asc" },
    take: input.take,
    select: {
      ...appSelect,
      collaborators: { where: { userId: input.userId }, select: { permissions: true } },
      team: { select: { id: true, name: true, defaultPermissions: true, members: { where: { userId: input.userId }, select: { role: true } } } },
    },
  });
  const visible = rows.flatMap(({ collaborators, team, ...app }) => {
    const role = team?.members[0]?.role ?? null;
    const permissions = effectivePermissions({
      isOwner: app.ownerId === input.userId,
      isTeamApp: app.teamId !== null,
      teamRole: role && isTeamRole(role) ? role : null,
      teamDefaults: team?.defaultPermissions ?? [],
      grant: collaborators[0]?.permissions ?? null,
      locked: app.locked,
    });
    return permissions ? [{ ...app, team: team ? { id: team.id, name: team.name } : null }] : [];
  });
  return { visible, fetched: rows.length, last: rows.at(-1)?.name ?? null };
}

/**
 * Apps the user can see: their own, their teams', and those they collaborate on. A locked
 * team app is left out for members and viewers without a grant of their own (the one
 * permission table decides, as it does for every door).
 */
export async function listApps(input: ListScope) {
  return (await findVisibleApps({ userId: input.userId, where: listWhere(input) })).visible;
}

export const APP_PAGE_MAX = 100;

/** Prisma passes `contains` into LIKE as given: a typed % or _ must match itself. */
const likeLiteral = (text: string) => text.replace(/[\\%_]/g, "\\$&");

/**
 * One page of `listApps`, by name, optionally only names containing `q` (any case). The
 * cursor is the last name shown: names are unique, so a page never repeats or skips an app
 * when others are created or destroyed meanwhile. Apps the permission table hides (locked
 * team apps) are dropped after the read, so a page is topped up until it is full.
 */
export async function listAppsPage(input: ListScope & { q?: string | null; cursor?: string | null; limit?: number }) {
  const limit = Math.min(Math.max(input.limit ?? 50, 1), APP_PAGE_MAX);
  const q = input.q?.trim();
  const base: Prisma.AppWhereInput[] = [listWhere(input)];
  if (q) base.push({ name: { contains: likeLiteral(q), mode: "insensitive" } });
  const apps: Awaited<ReturnType<typeof findVisibleApps>>["visible"] = [];
  let after = input.cursor ?? null;
  for (;;) {
    const where = { AND: after ? [...base, { name: { gt: after } }] : base };
    const take = limit - apps.length + 1;
    const { visible, fetched, last } = await findVisibleApps({ userId: input.userId, where, take });
    apps.push(...visible);
    if (apps.length > limit) return { apps: apps.slice(0, limit), nextCursor: apps[limit - 1]!.name };
    if (fetched < take) return { apps, nextCursor: null };
    after = last;
  }
}

export async function renameApp(input: { appId: string; userId: string; newName: string }) {
  const name = validateAppName(input.newName);
  try {
    const before = await db.app.findUniqueOrThrow({ where: { id: input.appId }, select: { name: true } });
    const app = await db.app.update({ where: { id: input.appId }, data: { name }, select: appSelect });
    await recordActivity({ kind: "app.renamed", message: `Renamed app ${before.name} to ${name}`, appId: app.id, userId: input.userId, data: { from: before.name, to: name } });
    bus.emit("routes", { appId: app.id }); // its hostname changed
    return app;
  } catch (err) {
    if (isUniqueViolation(err)) throw nameError(`Name ${name} is already taken.`);
    throw err;
  }
}

/** Destroys an app; the caller must type its name, as in Heroku's dashboard. */
export async function destroyApp(input: { appId: string; appName: string; confirm: string }) {
  if (input.confirm !== input.appName) {
    throw new AppError("BAD_REQUEST", `Type the app's name (${input.appName}) to confirm.`, { fieldErrors: { confirm: "Does not match the app's name." } });
  }
  // Recorded while the app exists: the row keeps its name and team after it is gone.
  await recordActivity({ kind: "app.destroyed", message: `Destroyed app ${input.appName}`, appId: input.appId });
  // Its add-ons go first (their containers are on its network, which goes next).
  await releaseAppAddons({ appId: input.appId, userId: null });
  await db.app.delete({ where: { id: input.appId } });
  bus.emit("routes", { appId: input.appId });
  // Cascades removed the rows; the dyno manager now sees an app that no longer exists
  // and removes its containers and network; then the build leftovers can go.
  void pokeApp(input.appId)
    .then(() => removeBuildArtifacts(input.appId))
    .then(() => removeAppLogs(input.appId))
    .catch((err) => console.error("slipway: cleaning up after app", input.appId, err));
}

export async function getAppOverview(appId: string) {
  const [releases, configCount, latest] = await Promise.all([
    db.release.count({ where: { appId } }),
    db.configVar.count({ where: { appId } }),
    db.release.findFirst({ where: { appId }, orderBy: { version: "desc" }, select: { version: true, description: true, createdAt: true, user: { select: { email: true } } } }),
  ]);
  return { releaseCount: releases, configVarCount: configCount, latestRelease: latest };
}

export async function setAppMaintenance(input: { appId: string; userId: string; maintenance: boolean }) {
  const app = await db.app.update({ where: { id: input.appId }, data: { maintenance: input.maintenance }, select: appSelect });
  await recordActivity({
    kind: "app.maintenance",
    message: `Maintenance mode ${input.maintenance ? "enabled" : "disabled"}`,
    appId: app.id,
    userId: input.userId,
    data: { maintenance: input.maintenance },
  });
  bus.emit("routes", { appId: app.id });
  return app;
}

