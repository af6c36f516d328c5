import "server-only";
import { db } from "@/server/db";
import { AppError, isUniqueViolation } from "@/server/errors";
import { teamNameSchema } from "@/server/services/names";
import { emailSchema } from "@/server/services/users";

const teamSelect = { id: true, name: true, createdAt: true } as const;

export async function createTeam(input: { userId: string; name: string }) {
  const parsed = teamNameSchema.safeParse(input.name);
  if (!parsed.success) {
    const message = parsed.error.issues[0]?.message ?? "Invalid name.";
    throw new AppError("BAD_REQUEST", message, { fieldErrors: { name: message } });
  }
  try {
    return await db.team.create({
      data: { name: parsed.data, members: { create: { userId: input.userId, role: "admin" } } },
      select: teamSelect,
    });
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

/** The team, if the user is a member; another team is NOT_FOUND. */
export async function getTeamForMember(input: { userId: string; teamName: string }) {
  const membership = await db.teamMember.findFirst({
    where: { userId: input.userId, team: { name: input.teamName } },
    select: { role: true, team: { select: teamSelect } },
  });
  if (!membership) throw new AppError("NOT_FOUND", `Couldn't find that team.`, { resource: "team" });
  return { ...membership.team, role: membership.role };
}

export function listTeamMembers(teamId: string) {
  return db.teamMember.findMany({
    where: { teamId },
    select: { id: true, role: true, createdAt: true, user: { select: { id: true, email: true, name: true } } },
    orderBy: { createdAt: "asc" },
  });
}

export async function addTeamMember(input: { teamId: string; actorRole: string; email: string }) {
  if (input.actorRole !== "admin") throw new AppError("FORBIDDEN", "Only team admins can add members.");
  const email = emailSchema.parse(input.email);
  const user = await db.user.findUnique({ where: { email }, select: { id: true } });
  if (!user) {
    throw new AppError("NOT_FOUND", "No Slipway account uses that email. Ask them to sign up first.", { fieldErrors: { email: "No account with this email." } });
  }
  try {
    return await db.teamMember.create({
      data: { teamId: input.teamId, userId: user.id, role: "member" },
      select: { id: true, role: true, user: { select: { id: true, email: true, name: true } } },
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError("CONFLICT", "Already a member of this team.", { fieldErrors: { email: "Already a member." } });
    throw err;
  }
}
