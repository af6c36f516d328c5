import "server-only";
import type { TeamRole } from "@/server/auth/permissions";
import { db } from "@/server/db";
import type { Prisma } from "@/server/db/generated/client";
import { AppError, isUniqueViolation } from "@/server/errors";
import { accessChanged } from "@/server/runtime/events";
import { recordActivity } from "@/server/services/activity";
import { roleAtLeast } from "@/server/services/teams/roles";
import { emailSchema } from "@/server/services/users";

// Team membership: add, change role, remove, leave. A team always keeps an admin: the
// last one cannot leave, be demoted or be removed (checked inside the transaction that
// makes the change, so two admins demoting each other at once cannot both succeed).

const memberSelect = { id: true, role: true, createdAt: true, user: { select: { id: true, email: true, name: true } } } as const;
type Tx = Prisma.TransactionClient;

export function listTeamMembers(teamId: string) {
  return db.teamMember.findMany({ where: { teamId }, select: memberSelect, orderBy: { createdAt: "asc" } });
}

async function membershipByEmail(tx: Tx, teamId: string, email: string) {
  const parsed = emailSchema.safeParse(email);
  const member = parsed.success ? await tx.teamMember.findFirst({ where: { teamId, user: { email: parsed.data } }, select: memberSelect }) : null;
  if (!member) throw new AppError("NOT_FOUND", `${email} is not a member of this team.`, { resource: "team_member", fieldErrors: { email: "Not a member of this team." } });
  return member;
}

async function assertAnotherAdmin(tx: Tx, teamId: string, userId: string, doing: string) {
  const others = await tx.teamMember.count({ where: { teamId, role: "admin", userId: { not: userId } } });
  if (others === 0) throw new AppError("CONFLICT", `A team needs at least one admin: make someone else an admin before ${doing}.`);
}

/** Adds an existing account by email; invitations (server/services/invitations.ts) are for people without one. */
export async function addTeamMember(input: { teamId: string; email: string; role?: TeamRole }) {
  const email = emailSchema.parse(input.email);
  const role = input.role ?? "member";
  const user = await db.user.findUnique({ where: { email }, select: { id: true } });
  if (!user) {
    throw new AppError("NOT_FOUND", "No Slipway account uses that email. Invite them instead: the invitation link lets them sign up.", {
      fieldErrors: { email: "No account with this email." },
    });
  }
  try {
    const member = await db.teamMember.create({ data: { teamId: input.teamId, userId: user.id, role }, select: memberSelect });
    await recordActivity({ kind: "member.added", message: `Added ${email} to the team as ${role}`, teamId: input.teamId, data: { email, role } });
    return member;
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError("CONFLICT", "Already a member of this team.", { fieldErrors: { email: "Already a member." } });
    throw err;
  }
}

export async function setTeamMemberRole(input: { teamId: string; email: string; role: TeamRole }) {
  const { member, before } = await db.$transaction(async (tx) => {
    const found = await membershipByEmail(tx, input.teamId, input.email);
    if (found.role === "admin" && input.role !== "admin") await assertAnotherAdmin(tx, input.teamId, found.user.id, "changing the last admin's role");
    const updated = await tx.teamMember.update({ where: { id: found.id }, data: { role: input.role }, select: memberSelect });
    return { member: updated, before: found.role as TeamRole };
  });
  if (before !== input.role) {
    await recordActivity({
      kind: "member.role_changed",
      message: `Changed ${member.user.email}'s role from ${before} to ${input.role}`,
      teamId: input.teamId,
      data: { email: member.user.email, from: before, to: input.role },
    });
    if (!roleAtLeast(input.role, before)) accessChanged({ userId: member.user.id, teamId: input.teamId });
  }
  return member;
}

/**
 * Removes a member and their per-app grants on the team's apps, in one transaction: their
 * next request to any door finds nothing. `leaving` marks a member removing themselves.
 */
async function removeMembership(input: { teamId: string; email: string; leaving: boolean }) {
  const member = await db.$transaction(async (tx) => {
    const found = await membershipByEmail(tx, input.teamId, input.email);
    if (found.role === "admin") await assertAnotherAdmin(tx, input.teamId, found.user.id, input.leaving ? "leaving" : "removing the last admin");
    await tx.collaborator.deleteMany({ where: { userId: found.user.id, app: { teamId: input.teamId } } });
    await tx.teamMember.delete({ where: { id: found.id } });
    return found;
  });
  const email = member.user.email;
  await recordActivity(
    input.leaving
      ? { kind: "member.left", message: `${email} left the team`, teamId: input.teamId, data: { email } }
      : { kind: "member.removed", message: `Removed ${email} from the team`, teamId: input.teamId, data: { email, role: member.role } },
  );
  accessChanged({ userId: member.user.id, teamId: input.teamId });
  return member;
}

export function removeTeamMember(input: { teamId: string; email: string }) {
  return removeMembership({ ...input, leaving: false });
}

export async function leaveTeam(input: { teamId: string; userId: string }) {
  const me = await db.user.findUniqueOrThrow({ where: { id: input.userId }, select: { email: true } });
  return removeMembership({ teamId: input.teamId, email: me.email, leaving: true });
}

/** Heroku's PUT /teams/{team}/members: adds the account, or sets its role if already a member. */
export async function addOrUpdateTeamMember(input: { teamId: string; email: string; role: TeamRole }) {
  const email = emailSchema.parse(input.email);
  const existing = await db.teamMember.findFirst({ where: { teamId: input.teamId, user: { email } }, select: { id: true } });
  return existing ? setTeamMemberRole({ ...input, email }) : addTeamMember({ ...input, email });
}
