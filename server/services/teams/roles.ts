import "server-only";
import { isTeamRole, roleAtLeast, type TeamRole } from "@/server/auth/permissions";
import { db } from "@/server/db";
import { AppError } from "@/server/errors";

// What a team role may do on the team itself (its members, invitations, settings), the
// team-level half of Heroku Teams' rules; what a role may do on the team's apps is in
// server/auth/permissions.ts. Every team door (tRPC's teamProcedure, the Platform API's
// team routes) asks requireTeamRole, so no handler compares roles.

export { roleAtLeast };

const REFUSAL: Record<TeamRole, string> = {
  viewer: "You are not a member of this team.",
  member: "Viewers cannot make changes to this team. Ask a team admin.",
  admin: "Only team admins can do that.",
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const teamSelect = { id: true, name: true, createdAt: true, updatedAt: true, defaultPermissions: true } as const;

/**
 * The team named `teamName` if `userId` holds at least `minRole` in it. Teams they are not
 * in are NOT_FOUND (never revealed); a role too low is FORBIDDEN, with who may do it.
 */
export async function requireTeamRole(input: { userId: string; teamName: string; minRole: TeamRole }) {
  const membership = await db.teamMember.findFirst({
    // By name, or by id as the CLI sends it for a pipeline's owner (pipelines:info).
    where: { userId: input.userId, team: UUID.test(input.teamName) ? { id: input.teamName } : { name: input.teamName } },
    select: { role: true, team: { select: teamSelect } },
  });
  if (!membership) throw new AppError("NOT_FOUND", "Couldn't find that team.", { resource: "team" });
  const role: TeamRole = isTeamRole(membership.role) ? membership.role : "viewer";
  if (!roleAtLeast(role, input.minRole)) throw new AppError("FORBIDDEN", REFUSAL[input.minRole]);
  return { ...membership.team, role };
}

export type TeamWithRole = Awaited<ReturnType<typeof requireTeamRole>>;
