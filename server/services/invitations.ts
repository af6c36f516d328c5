import "server-only";
import crypto from "node:crypto";
import { isTeamRole, type TeamRole } from "@/server/auth/permissions";
import { db } from "@/server/db";
import { publicUrl } from "@/server/env";
import { AppError, isUniqueViolation } from "@/server/errors";
import { recordActivity } from "@/server/services/activity";
import { createUser, emailSchema } from "@/server/services/users";

// Team invitations. Until accounts have email delivery, an invitation is a link the admin
// is shown once and passes on: only the token's SHA-256 is stored, so neither the database
// nor the pending list can give the link away again. It lasts 7 days, works once, and only
// for the invited email (signed in as it, or signing up with it).

export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

const hashToken = (token: string) => crypto.createHash("sha256").update(token).digest("hex");

const invitationSelect = {
  id: true,
  email: true,
  role: true,
  createdAt: true,
  expiresAt: true,
  invitedBy: { select: { id: true, email: true, name: true } },
  team: { select: { id: true, name: true } },
} as const;

const pendingWhere = () => ({ acceptedAt: null, revokedAt: null, expiresAt: { gt: new Date() } });

export function invitationUrl(token: string) {
  return `${publicUrl()}/invite/${token}`;
}

export function listPendingInvitations(teamId: string) {
  return db.teamInvitation.findMany({ where: { teamId, ...pendingWhere() }, select: invitationSelect, orderBy: { createdAt: "asc" } });
}

/** Creates an invitation and returns its link, the only time the link exists in the clear. */
export async function createInvitation(input: { teamId: string; email: string; role: TeamRole; invitedById: string }) {
  const email = emailSchema.parse(input.email);
  const member = await db.teamMember.findFirst({ where: { teamId: input.teamId, user: { email } }, select: { id: true } });
  if (member) throw new AppError("CONFLICT", `${email} is already a member of this team.`, { fieldErrors: { email: "Already a member." } });
  const token = crypto.randomBytes(32).toString("base64url");
  const invitation = await db.$transaction(async (tx) => {
    // A new invitation replaces a pending one for the same email: the old link stops working.
    await tx.teamInvitation.updateMany({ where: { teamId: input.teamId, email, ...pendingWhere() }, data: { revokedAt: new Date() } });
    return tx.teamInvitation.create({
      data: { teamId: input.teamId, email, role: input.role, tokenHash: hashToken(token), invitedById: input.invitedById, expiresAt: new Date(Date.now() + INVITATION_TTL_MS) },
      select: invitationSelect,
    });
  });
  await recordActivity({ kind: "invitation.created", message: `Invited ${email} to join as ${input.role}`, teamId: input.teamId, data: { email, role: input.role } });
  return { invitation, token, url: invitationUrl(token) };
}

/** Revokes a pending invitation, named by id or by email (the CLI's members:remove uses the email). */
export async function revokeInvitation(input: { teamId: string; invitation: string }) {
  const byEmail = emailSchema.safeParse(input.invitation);
  const where = byEmail.success ? { email: byEmail.data } : { id: input.invitation };
  const found = await db.teamInvitation.findFirst({ where: { teamId: input.teamId, ...pendingWhere(), ...where }, select: invitationSelect });
  if (!found) throw new AppError("NOT_FOUND", "Couldn't find a pending invitation for that.", { resource: "team_invitation" });
  await db.teamInvitation.update({ where: { id: found.id }, data: { revokedAt: new Date() } });
  await recordActivity({ kind: "invitation.revoked", message: `Revoked the invitation of ${found.email}`, teamId: input.teamId, data: { email: found.email } });
  return found;
}

export type InvitationStatus = "pending" | "expired" | "revoked" | "accepted" | "invalid";

/** What the invitation page shows to whoever holds the link. */
export async function previewInvitation(token: string) {
  const found = await db.teamInvitation.findUnique({
    where: { tokenHash: hashToken(token) },
    select: { ...invitationSelect, acceptedAt: true, revokedAt: true },
  });
  if (!found) return { status: "invalid" as const };
  const status: InvitationStatus = found.acceptedAt ? "accepted" : found.revokedAt ? "revoked" : found.expiresAt <= new Date() ? "expired" : "pending";
  const hasAccount = status === "pending" ? (await db.user.count({ where: { email: found.email } })) > 0 : false;
  return { status, email: found.email, role: found.role, teamName: found.team.name, expiresAt: found.expiresAt, invitedBy: found.invitedBy?.email ?? null, hasAccount };
}

const UNUSABLE: Record<Exclude<InvitationStatus, "pending">, string> = {
  invalid: "This invitation link is not valid. Ask a team admin for a new one.",
  expired: "This invitation has expired. Ask a team admin for a new one.",
  revoked: "This invitation was revoked. Ask a team admin for a new one.",
  accepted: "This invitation has already been used.",
};

/** Joins the team as `userId`, who must be signed in with the invited email. */
export async function acceptInvitation(input: { token: string; userId: string }) {
  const user = await db.user.findUniqueOrThrow({ where: { id: input.userId }, select: { id: true, email: true } });
  const result = await db.$transaction(async (tx) => {
    const found = await tx.teamInvitation.findUnique({ where: { tokenHash: hashToken(input.token) }, select: { ...invitationSelect, acceptedAt: true, revokedAt: true } });
    const status: InvitationStatus = !found ? "invalid" : found.acceptedAt ? "accepted" : found.revokedAt ? "revoked" : found.expiresAt <= new Date() ? "expired" : "pending";
    if (!found || status !== "pending") throw new AppError(status === "invalid" ? "NOT_FOUND" : "CONFLICT", UNUSABLE[status as Exclude<InvitationStatus, "pending">]);
    if (found.email !== user.email) throw new AppError("FORBIDDEN", `This invitation is for ${found.email}. Sign in with that email to accept it.`);
    // Claimed with a condition, so a link clicked twice at once joins once.
    const claimed = await tx.teamInvitation.updateMany({ where: { id: found.id, acceptedAt: null, revokedAt: null }, data: { acceptedAt: new Date() } });
    if (claimed.count !== 1) throw new AppError("CONFLICT", UNUSABLE.accepted);
    const role: TeamRole = isTeamRole(found.role) ? found.role : "member";
    const existing = await tx.teamMember.findUnique({ where: { teamId_userId: { teamId: found.team.id, userId: user.id } }, select: { role: true } });
    if (!existing) await tx.teamMember.create({ data: { teamId: found.team.id, userId: user.id, role } });
    return { team: found.team, role: existing?.role ?? role, joined: !existing };
  });
  if (result.joined) {
    await recordActivity({
      kind: "invitation.accepted",
      message: `${user.email} accepted the invitation and joined as ${result.role}`,
      teamId: result.team.id,
      userId: user.id,
      data: { email: user.email, role: result.role },
    });
  }
  return { teamName: result.team.name, role: result.role };
}

/** Creates the invited email's account and joins the team: works even when open sign-up is closed. */
export async function signUpWithInvitation(input: { token: string; password: string; name?: string | null }) {
  const preview = await previewInvitation(input.token);
  if (preview.status !== "pending") throw new AppError(preview.status === "invalid" ? "NOT_FOUND" : "CONFLICT", UNUSABLE[preview.status]);
  let user;
  try {
    user = await createUser({ email: preview.email, password: input.password, name: input.name }, { viaInvitation: true });
  } catch (err) {
    if (err instanceof AppError && err.code === "CONFLICT") {
      throw new AppError("CONFLICT", "An account with this email already exists: sign in to accept the invitation.", { fieldErrors: { email: "Sign in instead." } });
    }
    if (isUniqueViolation(err)) throw new AppError("CONFLICT", "An account with this email already exists: sign in to accept the invitation.");
    throw err;
  }
  const joined = await acceptInvitation({ token: input.token, userId: user.id });
  return { email: user.email, ...joined };
}
