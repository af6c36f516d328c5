import "server-only";
import { db } from "@/server/db";
import { AppError } from "@/server/errors";
import { effectivePermissions, isTeamRole, OPERATIONS, type Operation, type Permission } from "@/server/auth/permissions";

export type { Operation, Permission } from "@/server/auth/permissions";

// Every door asks here: may this user perform this operation on this app? The rules are in
// server/auth/permissions.ts (the one table); this module only gathers the facts from the
// database. Apps the user may not see are NOT_FOUND; seen but not allowed is FORBIDDEN.

export const appSelect = {
  id: true,
  name: true,
  region: true,
  stack: true,
  maintenance: true,
  acm: true,
  locked: true,
  createdAt: true,
  updatedAt: true,
  releasedAt: true,
  slugSize: true,
  repoSize: true,
  ownerId: true,
  teamId: true,
  owner: { select: { id: true, email: true } },
  team: { select: { id: true, name: true } },
} as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Where clause: an app by name or id. */
export function appWhere(app: string) {
  return UUID.test(app) ? { id: app } : { name: app };
}

/** The apps a user can possibly see (a superset: locked team apps are filtered by effectivePermissions). */
export function visibleAppsWhere(userId: string) {
  return {
    OR: [
      { ownerId: userId },
      { collaborators: { some: { userId } } },
      { team: { members: { some: { userId } } } },
    ],
  };
}

/** What `userId` may do on the app; null when they may not see it. */
export async function appPermissions(input: { userId: string; app: string }) {
  const app = await db.app.findFirst({
    where: { ...appWhere(input.app), ...visibleAppsWhere(input.userId) },
    select: {
      ...appSelect,
      collaborators: { where: { userId: input.userId }, select: { permissions: true } },
      team: { select: { id: true, name: true, defaultPermissions: true, members: { where: { userId: input.userId }, select: { role: true } } } },
    },
  });
  if (!app) return null;
  const role = app.team?.members[0]?.role ?? null;
  const permissions = effectivePermissions({
    isOwner: app.ownerId === input.userId,
    isTeamApp: app.teamId !== null,
    teamRole: role && isTeamRole(role) ? role : null,
    teamDefaults: app.team?.defaultPermissions ?? [],
    grant: app.collaborators[0]?.permissions ?? null,
    locked: app.locked,
  });
  if (!permissions) return null;
  const { collaborators: _c, team, ...rest } = app;
  return {
    ...rest,
    team: team ? { id: team.id, name: team.name } : null,
    teamRole: role,
    permissions,
    /** Kept for the dashboard: may manage (rename, destroy, domains, access). */
    isOwner: permissions.includes("manage"),
  };
}

/**
 * Loads an app by name or id if the user may perform `operation` on it. Apps they cannot
 * see are NOT_FOUND (never FORBIDDEN); seen but not allowed is FORBIDDEN, in Heroku's words.
 */
export async function findAppForUser(input: { userId: string; app: string; operation: Operation }) {
  const app = await appPermissions(input);
  if (!app) throw new AppError("NOT_FOUND", `Couldn't find that app.`, { resource: "app" });
  assertAllowed(app, input.operation);
  return app;
}

export function assertAllowed(app: { name: string; permissions: Permission[] }, operation: Operation) {
  const needed = OPERATIONS[operation];
  if (!app.permissions.includes(needed)) {
    throw new AppError("FORBIDDEN", `You do not have access to the app ${app.name}: this needs the ${needed} permission.`);
  }
}

export type AccessibleApp = Awaited<ReturnType<typeof findAppForUser>>;

/** An app's own grants: personal apps' collaborators, team apps' per-user grants. */
export function listCollaborators(appId: string) {
  return db.collaborator.findMany({
    where: { appId },
    orderBy: { createdAt: "asc" },
    select: { id: true, permissions: true, createdAt: true, updatedAt: true, user: { select: { id: true, email: true } } },
  });
}
