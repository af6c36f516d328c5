import "server-only";
import { z } from "zod";
import { assertAllowed, type AccessibleApp } from "@/server/services/access";
import { DEFAULT_MEMBER_PERMISSIONS, effectivePermissions, isTeamRole, normalizePermissions, PERMISSIONS, type Permission, type TeamRole } from "@/server/auth/permissions";
import { db } from "@/server/db";
import { AppError, isUniqueViolation } from "@/server/errors";
import { accessChanged } from "@/server/runtime/events";
import { recordActivity } from "@/server/services/activity";

// Who may use an app besides its owner. A personal app's owner shares it with collaborators
// (Heroku's personal collaborators: view, deploy and operate by default, never manage — the
// owner keeps that, and transfers the app to give it away). A team app's admins grant each
// person a set of permissions per app: a member (on top of the team's defaults, which is
// what still counts on a locked app) or someone who is not on the team at all.

export const permissionListSchema = z.array(z.enum(PERMISSIONS)).max(PERMISSIONS.length);

/** What a personal app's collaborator gets unless the owner chooses otherwise. */
export const PERSONAL_DEFAULT_PERMISSIONS: Permission[] = ["view", "deploy", "operate"];

type AppRef = Pick<AccessibleApp, "id" | "name" | "ownerId" | "teamId" | "team" | "permissions">;

const grantSelect = { id: true, permissions: true, createdAt: true, updatedAt: true, user: { select: { id: true, email: true } } } as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A user by email (any case) or id. */
export async function findUserByIdentity(identity: string) {
  const value = identity.trim();
  const user = await db.user.findFirst({ where: UUID.test(value) ? { id: value } : { email: value.toLowerCase() }, select: { id: true, email: true } });
  if (!user) {
    const message = "No Slipway account uses that email. Ask them to sign up first.";
    throw new AppError("NOT_FOUND", message, { resource: "user", fieldErrors: { email: message } });
  }
  return user;
}

async function teamRoleOf(teamId: string, userId: string): Promise<TeamRole | null> {
  const member = await db.teamMember.findUnique({ where: { teamId_userId: { teamId, userId } }, select: { role: true } });
  return member && isTeamRole(member.role) ? member.role : null;
}

/** The permissions a grant may hold for this person on this app; refuses what the rules forbid. */
async function checkGrant(app: AppRef, user: { id: string; email: string }, requested: readonly string[]): Promise<Permission[]> {
  const permissions = normalizePermissions(requested);
  if (app.ownerId === user.id) throw new AppError("CONFLICT", `${user.email} owns ${app.name} and has every permission.`);
  if (!app.teamId) {
    if (permissions.includes("manage")) {
      const message = `Collaborators on a personal app cannot have the manage permission; transfer ${app.name} instead.`;
      throw new AppError("BAD_REQUEST", message, { fieldErrors: { permissions: message } });
    }
    return permissions;
  }
  const role = await teamRoleOf(app.teamId, user.id);
  if (role === "admin") throw new AppError("CONFLICT", `${user.email} is an admin of ${app.team?.name} and already has every permission on its apps.`);
  if (role === "viewer" && permissions.some((p) => p !== "view")) {
    const message = `${user.email} is a viewer of ${app.team?.name}: viewers cannot be granted more than view.`;
    throw new AppError("BAD_REQUEST", message, { fieldErrors: { permissions: message } });
  }
  return permissions;
}

/** The app's grants (personal collaborators or team grants) as rows. */
export function listGrants(appId: string) {
  return db.collaborator.findMany({ where: { appId }, orderBy: { createdAt: "asc" }, select: grantSelect });
}

export type AccessEntry = {
  userId: string;
  email: string;
  /** owner (personal apps), the team role, or collaborator (a grant, not on the team). */
  role: "owner" | TeamRole | "collaborator";
  /** What they may do on the app now. */
  permissions: Permission[];
  /** Their own grant on the app, if any. */
  grant: Permission[] | null;
};

/**
 * Everyone who can use the app and what they may do: the owner and collaborators of a
 * personal app; a team app's admins, members and viewers (with the team's defaults, or
 * nothing on a locked app, plus their grant) and its outside collaborators.
 */
export async function listAppAccess(app: AppRef & { locked: boolean; owner: { id: string; email: string } | null }) {
  const grants = await listGrants(app.id);
  const entries: AccessEntry[] = [];
  if (!app.teamId) {
    if (app.owner) entries.push({ userId: app.owner.id, email: app.owner.email, role: "owner", permissions: [...PERMISSIONS], grant: null });
    for (const g of grants) {
      entries.push({ userId: g.user.id, email: g.user.email, role: "collaborator", permissions: normalizePermissions(g.permissions), grant: normalizePermissions(g.permissions) });
    }
    return { entries, teamDefaults: null };
  }
  const team = await db.team.findUniqueOrThrow({
    where: { id: app.teamId },
    select: { defaultPermissions: true, members: { orderBy: { createdAt: "asc" }, select: { role: true, user: { select: { id: true, email: true } } } } },
  });
  const byUser = new Map(grants.map((g) => [g.user.id, g]));
  const facts = (role: TeamRole | null, grant: string[] | null) =>
    effectivePermissions({ isOwner: false, isTeamApp: true, teamRole: role, teamDefaults: team.defaultPermissions, grant, locked: app.locked });
  for (const m of team.members) {
    const role = isTeamRole(m.role) ? m.role : "member";
    const grant = byUser.get(m.user.id)?.permissions ?? null;
    byUser.delete(m.user.id);
    entries.push({ userId: m.user.id, email: m.user.email, role, permissions: facts(role, grant) ?? [], grant: grant && normalizePermissions(grant) });
  }
  for (const g of byUser.values()) {
    entries.push({ userId: g.user.id, email: g.user.email, role: "collaborator", permissions: facts(null, g.permissions) ?? [], grant: normalizePermissions(g.permissions) });
  }
  return { entries, teamDefaults: normalizePermissions(team.defaultPermissions) };
}

/** Adds a collaborator (personal app) or grants permissions to someone (team app). */
export async function addCollaborator(input: { app: AppRef; email: string; permissions?: readonly string[] | null }) {
  const { app } = input;
  assertAllowed(app, "access:write");
  const user = await findUserByIdentity(input.email);
  const defaults = app.teamId
    ? ((await db.team.findUnique({ where: { id: app.teamId }, select: { defaultPermissions: true } }))?.defaultPermissions ?? DEFAULT_MEMBER_PERMISSIONS)
    : PERSONAL_DEFAULT_PERMISSIONS;
  const permissions = await checkGrant(app, user, input.permissions?.length ? input.permissions : defaults);
  try {
    const row = await db.collaborator.create({ data: { appId: app.id, userId: user.id, permissions }, select: grantSelect });
    await recordActivity({ kind: "access.granted", appId: app.id, message: `Gave ${user.email} access (${permissions.join(", ")})`, data: { email: user.email, permissions } });
    return row;
  } catch (err) {
    if (isUniqueViolation(err)) {
      const message = `${user.email} is already a collaborator on ${app.name}.`;
      throw new AppError("CONFLICT", message, { fieldErrors: { email: message } });
    }
    throw err;
  }
}

/**
 * Sets someone's grant on the app. A team member without a grant of their own gets one
 * (ticking a box on the Access tab); anyone else must already be a collaborator.
 */
export async function updateCollaborator(input: { app: AppRef; user: string; permissions: readonly string[] }) {
  const { app } = input;
  assertAllowed(app, "access:write");
  const user = await findUserByIdentity(input.user);
  const permissions = await checkGrant(app, user, input.permissions);
  const existing = await db.collaborator.findUnique({ where: { appId_userId: { appId: app.id, userId: user.id } }, select: { permissions: true } });
  if (!existing && !(app.teamId && (await teamRoleOf(app.teamId, user.id)))) {
    throw new AppError("NOT_FOUND", `${user.email} is not a collaborator on ${app.name}.`, { resource: "collaborator" });
  }
  const row = await db.collaborator.upsert({
    where: { appId_userId: { appId: app.id, userId: user.id } },
    create: { appId: app.id, userId: user.id, permissions },
    update: { permissions },
    select: grantSelect,
  });
  const before = normalizePermissions(existing?.permissions ?? []);
  await recordActivity({
    kind: "access.updated",
    appId: app.id,
    message: `Changed ${user.email}'s permissions to ${permissions.join(", ")}`,
    data: { email: user.email, permissions, previous: existing ? before : null },
  });
  if (before.some((p) => !permissions.includes(p))) accessChanged({ userId: user.id, appId: app.id });
  return row;
}

/**
 * Removes someone's grant. Those who may manage access remove anyone; anyone removes
 * themselves (`heroku apps:leave`). Their access ends on their next request.
 */
export async function removeCollaborator(input: { app: AppRef; actorUserId: string; user: string }) {
  const { app } = input;
  const user = await findUserByIdentity(input.user).catch(() => null);
  const leaving = user?.id === input.actorUserId;
  if (!leaving) assertAllowed(app, "access:write");
  const row = user && (await db.collaborator.findUnique({ where: { appId_userId: { appId: app.id, userId: user.id } }, select: grantSelect }));
  if (!user || !row) {
    throw new AppError("NOT_FOUND", `${user?.email ?? input.user} is not a collaborator on ${app.name}.`, { resource: "collaborator" });
  }
  await db.collaborator.delete({ where: { id: row.id } });
  await recordActivity(
    leaving
      ? { kind: "app.left", appId: app.id, message: `${user.email} left the app`, data: { email: user.email } }
      : { kind: "access.revoked", appId: app.id, message: `Removed ${user.email}'s access`, data: { email: user.email, permissions: row.permissions } },
  );
  accessChanged({ userId: user.id, appId: app.id });
  return row;
}

/**
 * `heroku apps:join`: a team member adds themselves to a team app with the team's default
 * permissions (a viewer with view). A locked app refuses anyone without a grant already.
 * Apps of teams the caller is not on are NOT_FOUND, as every door reports them.
 */
export async function joinApp(input: { userId: string; app: string }) {
  const app = await db.app.findFirst({
    where: { ...(UUID.test(input.app) ? { id: input.app } : { name: input.app }), team: { members: { some: { userId: input.userId } } } },
    select: { id: true, name: true, locked: true, team: { select: { id: true, name: true, defaultPermissions: true, members: { where: { userId: input.userId }, select: { role: true } } } } },
  });
  if (!app?.team) throw new AppError("NOT_FOUND", "Couldn't find that app.", { resource: "app" });
  const existing = await db.collaborator.findUnique({ where: { appId_userId: { appId: app.id, userId: input.userId } }, select: grantSelect });
  if (existing) return { app, grant: existing };
  const role = app.team.members[0]?.role;
  // Admins keep every permission on a locked app; only they may still join it without a grant.
  if (app.locked && role !== "admin") {
    throw new AppError("FORBIDDEN", `You do not have access to the app ${app.name}: it is locked. Ask an admin of ${app.team.name} to grant you access.`);
  }
  const permissions = role === "viewer" ? (["view"] as Permission[]) : normalizePermissions(app.team.defaultPermissions);
  const grant = await db.collaborator.create({ data: { appId: app.id, userId: input.userId, permissions }, select: grantSelect });
  await recordActivity({ kind: "app.joined", appId: app.id, message: `${grant.user.email} joined the app`, data: { email: grant.user.email, permissions } });
  return { app, grant };
}

/** `heroku apps:lock`: members of the team without a grant of their own lose the app. */
export async function setAppLocked(input: { app: AppRef & { locked: boolean }; locked: boolean }) {
  const { app } = input;
  assertAllowed(app, "app:lock");
  if (!app.teamId) throw new AppError("BAD_REQUEST", `${app.name} is a personal app: only team apps can be locked.`);
  if (app.locked === input.locked) return db.app.findUniqueOrThrow({ where: { id: app.id }, select: { id: true, locked: true } });
  const updated = await db.app.update({ where: { id: app.id }, data: { locked: input.locked }, select: { id: true, locked: true } });
  await recordActivity({ kind: input.locked ? "app.locked" : "app.unlocked", appId: app.id, message: input.locked ? "Locked the app" : "Unlocked the app" });
  if (input.locked) accessChanged({ appId: app.id });
  return updated;
}
