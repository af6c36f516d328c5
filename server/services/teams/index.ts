import "server-only";
import { normalizePermissions, type Permission } from "@/server/auth/permissions";
import { db } from "@/server/db";
import { AppError, isUniqueViolation } from "@/server/errors";
import { accessChanged } from "@/server/runtime/events";
import { recordActivity } from "@/server/services/activity";
import { teamNameSchema } from "@/server/services/names";
import { requireTeamRole, teamSelect } from "@/server/services/teams/roles";

export { requireTeamRole, roleAtLeast, type TeamWithRole } from "@/server/services/teams/roles";
export { addOrUpdateTeamMember, addTeamMember, leaveTeam, listTeamMembers, removeTeamMember, setTeamMemberRole } from "@/server/services/teams/members";

export async function createTeam(input: { userId: string; name: string }) {
  const parsed = teamNameSchema.safeParse(input.name);
  if (!parsed.success) {
    const message = parsed.error.issues[0]?.message ?? "Invalid name.";
    throw new AppError("BAD_REQUEST", message, { fieldErrors: { name: message } });
  }
  try {
    const team = await db.team.create({
      data: { name: parsed.data, members: { create: { userId: input.userId, role: "admin" } } },
      select: teamSelect,
    });
    await recordActivity({ kind: "team.created", message: `Created team ${team.name}`, teamId: team.id, userId: input.userId });
    return team;
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError("CONFLICT", "That team name is taken.", { fieldErrors: { name: "That team name is taken." } });
    throw err;
  }
}

export async function listTeams(userId: string) {
  const memberships = await db.teamMember.findMany({
    where: { userId },
    select: { role: true, team: { select: teamSelect } },
    orderBy: { team: { name: "asc" } },
  });
  return memberships.map((m) => ({ ...m.team, role: m.role }));
}

/** Every app the team owns, locked ones too: what stands between an admin and deleting it. */
export function countTeamApps(teamId: string) {
  return db.app.count({ where: { teamId } });
}

/** The team, if the user is a member (any role); another team is NOT_FOUND. */
export function getTeamForMember(input: { userId: string; teamName: string }) {
  return requireTeamRole({ ...input, minRole: "viewer" });
}

/**
 * What members get on the team's unlocked apps without a grant of their own. `view` is
 * always included (every permission implies it). Shrinking it ends access at once.
 */
export async function setTeamDefaultPermissions(input: { teamId: string; permissions: readonly string[] }) {
  const permissions: Permission[] = normalizePermissions(input.permissions);
  const before = await db.team.findUniqueOrThrow({ where: { id: input.teamId }, select: { name: true, defaultPermissions: true } });
  const team = await db.team.update({ where: { id: input.teamId }, data: { defaultPermissions: permissions }, select: teamSelect });
  await recordActivity({
    kind: "team.defaults_changed",
    message: `Set ${team.name}'s default member permissions to ${permissions.join(", ")}`,
    teamId: team.id,
    data: { from: before.defaultPermissions, to: permissions },
  });
  if (before.defaultPermissions.some((p) => !permissions.includes(p as Permission))) accessChanged({ teamId: team.id });
  return team;
}

/** Deletes a team that owns no apps; the caller types its name, as for apps. */
export async function deleteTeam(input: { teamId: string; confirm?: string }) {
  const team = await db.team.findUniqueOrThrow({ where: { id: input.teamId }, select: { id: true, name: true, _count: { select: { apps: true } } } });
  if (input.confirm !== undefined && input.confirm !== team.name) {
    throw new AppError("BAD_REQUEST", "Type the team's name to confirm.", { fieldErrors: { confirm: `Type ${team.name} to confirm.` } });
  }
  const apps = team._count.apps;
  if (apps > 0) {
    throw new AppError(
      "CONFLICT",
      `Team ${team.name} still owns ${apps} app${apps === 1 ? "" : "s"}. Delete or transfer ${apps === 1 ? "it" : "them"} before deleting the team.`,
    );
  }
  await db.team.delete({ where: { id: team.id } });
  // The team row is gone, so the event names it instead of pointing at it.
  await recordActivity({ kind: "team.deleted", message: `Deleted team ${team.name}`, data: { team: team.name, teamId: team.id } });
  accessChanged({ teamId: team.id });
  return { id: team.id, name: team.name };
}
