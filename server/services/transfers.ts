import "server-only";
import { assertAllowed, type AccessibleApp } from "@/server/services/access";
import { db, type Prisma } from "@/server/db";
import { AppError } from "@/server/errors";
import { accessChanged } from "@/server/runtime/events";
import { recordActivity } from "@/server/services/activity";
import { findUserByIdentity, PERSONAL_DEFAULT_PERMISSIONS } from "@/server/services/collaborators";

// Moving an app between owners, as Heroku does:
// - personal → team: the owner, who must be able to create apps in that team (admin or
//   member; a viewer cannot). Collaborators stay, as per-app grants on the team app.
// - team → personal: an admin of the team, to an admin of the team (themselves included).
//   Every grant goes ("All collaborators will be removed from this app", the CLI warns).
// - team → team: an admin of both teams. Grants stay, cut to what the new team allows.
// - personal → another person: a request the recipient accepts or declines
//   (/account/app-transfers); on acceptance the previous owner stays on as a collaborator.
// The app's add-ons, domains, config, releases and dynos are rows of the app and follow it.
// Add-ons shared across apps are the exception: Slipway lets an add-on attach only to apps
// of its billing app's owner, so an app whose add-ons are attached to apps staying behind
// (or which uses theirs) is refused until those attachments are removed.

type AppRef = Pick<AccessibleApp, "id" | "name" | "ownerId" | "teamId" | "team" | "owner" | "permissions" | "teamRole">;
type Destination = { ownerId: string; teamId: null } | { ownerId: null; teamId: string };

const transferSelect = {
  id: true,
  state: true,
  createdAt: true,
  updatedAt: true,
  app: { select: { id: true, name: true } },
  senderId: true,
  recipientId: true,
} as const;

const isEmail = (s: string) => s.includes("@");

/** Add-on attachments that cross the app's boundary: they would join apps of two owners. */
async function assertNoSharedAddons(tx: Prisma.TransactionClient, app: { id: string; name: string }) {
  const crossing = await tx.addonAttachment.findMany({
    where: { OR: [{ addon: { appId: app.id }, appId: { not: app.id } }, { appId: app.id, addon: { appId: { not: app.id } } }] },
    select: { name: true, app: { select: { name: true } }, addon: { select: { name: true, app: { select: { name: true } } } } },
    take: 3,
  });
  if (!crossing.length) return;
  const list = crossing.map((a) => `${a.addon.name} (billed to ${a.addon.app.name}) attached to ${a.app.name} as ${a.name}`).join("; ");
  throw new AppError(
    "UNPROCESSABLE",
    `${app.name} shares add-ons with apps that stay with their owner: ${list}. Detach them first: an add-on can only be attached to apps of one owner.`,
  );
}

/** Moves the app and keeps only the grants that still make sense under its new owner. */
async function moveApp(app: AppRef, to: Destination, previousOwnerId: string | null, acceptedTransferId?: string) {
  await db.$transaction(async (tx) => {
    await assertNoSharedAddons(tx, app);
    await tx.app.update({ where: { id: app.id }, data: { ownerId: to.ownerId, teamId: to.teamId, locked: false } });
    // Offers made by the old owner lapse; the accepted one is marked by the caller.
    await tx.appTransfer.updateMany({ where: { appId: app.id, state: "pending", id: { not: acceptedTransferId } }, data: { state: "declined" } });
    if (to.ownerId) {
      // A team app becomes personal without its team's grants; a personal app keeps its
      // collaborators, with the previous owner among them.
      if (app.teamId) await tx.collaborator.deleteMany({ where: { appId: app.id } });
      else await tx.collaborator.deleteMany({ where: { appId: app.id, userId: to.ownerId } });
      if (previousOwnerId && previousOwnerId !== to.ownerId) {
        await tx.collaborator.create({ data: { appId: app.id, userId: previousOwnerId, permissions: PERSONAL_DEFAULT_PERMISSIONS } });
      }
    } else if (to.teamId) {
      // On a team, admins need no grant and viewers may hold view only.
      const members = await tx.teamMember.findMany({ where: { teamId: to.teamId, role: { in: ["admin", "viewer"] } }, select: { userId: true, role: true } });
      const admins = members.filter((m) => m.role === "admin").map((m) => m.userId);
      const viewers = members.filter((m) => m.role === "viewer").map((m) => m.userId);
      await tx.collaborator.deleteMany({ where: { appId: app.id, userId: { in: admins } } });
      await tx.collaborator.updateMany({ where: { appId: app.id, userId: { in: viewers } }, data: { permissions: ["view"] } });
    }
  });
  accessChanged({ appId: app.id });
}

async function teamForTransfer(userId: string, teamName: string, allowedRoles: string[], why: string) {
  const membership = await db.teamMember.findFirst({ where: { userId, team: { name: teamName } }, select: { role: true, team: { select: { id: true, name: true } } } });
  if (!membership) throw new AppError("NOT_FOUND", "Couldn't find that team.", { resource: "team" });
  if (!allowedRoles.includes(membership.role)) throw new AppError("FORBIDDEN", why);
  return membership.team;
}

/**
 * `heroku apps:transfer RECIPIENT` and the Access tab's transfer card. RECIPIENT is a team
 * name or an email; a personal app sent to a person becomes a pending request.
 */
export async function transferApp(input: { app: AppRef; actorUserId: string; recipient: string }) {
  const { app } = input;
  assertAllowed(app, "app:transfer");
  const recipient = input.recipient.trim();
  if (!app.teamId && isEmail(recipient)) return { state: "pending" as const, transfer: await requestTransfer({ app, actorUserId: input.actorUserId, recipient }) };
  if (app.teamId && app.teamRole !== "admin") throw new AppError("FORBIDDEN", `Only an admin of ${app.team?.name} can transfer its apps.`);
  if (!app.teamId && app.ownerId !== input.actorUserId) throw new AppError("FORBIDDEN", `Only the owner of ${app.name} can transfer it.`);

  let to: Destination;
  let toLabel: string;
  if (isEmail(recipient)) {
    const user = await findUserByIdentity(recipient);
    const role = await db.teamMember.findUnique({ where: { teamId_userId: { teamId: app.teamId!, userId: user.id } }, select: { role: true } });
    if (role?.role !== "admin") {
      throw new AppError("BAD_REQUEST", `${user.email} is not an admin of ${app.team?.name}: a team app can only be transferred to one of its admins.`, {
        fieldErrors: { recipient: "Not an admin of this team." },
      });
    }
    to = { ownerId: user.id, teamId: null };
    toLabel = user.email;
  } else {
    const team = app.teamId
      ? await teamForTransfer(input.actorUserId, recipient, ["admin"], `Only an admin of ${recipient} can move apps into it.`)
      : await teamForTransfer(input.actorUserId, recipient, ["admin", "member"], `Viewers of ${recipient} cannot create apps there, so cannot transfer apps to it.`);
    if (team.id === app.teamId) throw new AppError("BAD_REQUEST", `${app.name} already belongs to ${team.name}.`, { fieldErrors: { recipient: "Already its owner." } });
    to = { ownerId: null, teamId: team.id };
    toLabel = team.name;
  }
  const fromLabel = app.team?.name ?? app.owner?.email ?? "its owner";
  await moveApp(app, to, null);
  await recordActivity({
    kind: "app.transferred",
    appId: app.id,
    teamId: to.teamId ?? app.teamId,
    message: `Transferred the app from ${fromLabel} to ${toLabel}`,
    data: { from: fromLabel, to: toLabel },
  });
  return { state: "accepted" as const, transfer: null };
}

/** A personal app offered to another person: nothing moves until they accept. */
export async function requestTransfer(input: { app: AppRef; actorUserId: string; recipient: string }) {
  const { app } = input;
  assertAllowed(app, "app:transfer");
  if (app.teamId) throw new AppError("BAD_REQUEST", `${app.name} belongs to a team: transfer it with the team's name or to one of its admins.`);
  if (app.ownerId !== input.actorUserId) throw new AppError("FORBIDDEN", `Only the owner of ${app.name} can transfer it.`);
  const recipient = await findUserByIdentity(input.recipient);
  if (recipient.id === app.ownerId) throw new AppError("BAD_REQUEST", `You already own ${app.name}.`, { fieldErrors: { recipient: "That is you." } });
  const pending = await db.appTransfer.findFirst({ where: { appId: app.id, state: "pending" }, select: { id: true } });
  if (pending) throw new AppError("CONFLICT", `A transfer of ${app.name} is already pending.`);
  const transfer = await db.appTransfer.create({ data: { appId: app.id, senderId: input.actorUserId, recipientId: recipient.id }, select: transferSelect });
  await recordActivity({ kind: "transfer.requested", appId: app.id, message: `Offered the app to ${recipient.email}`, data: { recipient: recipient.email } });
  return withPeople(transfer);
}

async function withPeople<T extends { senderId: string; recipientId: string }>(transfer: T) {
  const users = await db.user.findMany({ where: { id: { in: [transfer.senderId, transfer.recipientId] } }, select: { id: true, email: true } });
  const find = (id: string) => users.find((u) => u.id === id) ?? { id, email: "(deleted user)" };
  return { ...transfer, sender: find(transfer.senderId), recipient: find(transfer.recipientId) };
}

export type AppTransferRow = Awaited<ReturnType<typeof withPeople<Prisma.AppTransferGetPayload<{ select: typeof transferSelect }>>>>;

/** Pending transfers the user sent or may accept (GET /account/app-transfers). */
export async function listTransfers(input: { userId: string; direction?: "incoming" | "all" }) {
  const rows = await db.appTransfer.findMany({
    where: { state: "pending", ...(input.direction === "incoming" ? { recipientId: input.userId } : { OR: [{ recipientId: input.userId }, { senderId: input.userId }] }) },
    orderBy: { createdAt: "asc" },
    select: transferSelect,
  });
  return Promise.all(rows.map(withPeople));
}

/**
 * The recipient accepts (the app becomes theirs) or declines; the sender may withdraw
 * (decline) their own offer. Anyone else is NOT_FOUND.
 */
export async function respondToTransfer(input: { userId: string; transfer: string; state: "accepted" | "declined" }) {
  const transfer = await db.appTransfer.findFirst({
    where: { OR: [{ id: input.transfer }, { app: { name: input.transfer } }], state: "pending", AND: { OR: [{ recipientId: input.userId }, { senderId: input.userId }] } },
    select: { ...transferSelect, app: { select: { id: true, name: true, ownerId: true, teamId: true, owner: { select: { id: true, email: true } } } } },
  });
  if (!transfer) throw new AppError("NOT_FOUND", "Couldn't find that app transfer.", { resource: "app_transfer" });
  const isRecipient = transfer.recipientId === input.userId;
  if (input.state === "accepted" && !isRecipient) throw new AppError("FORBIDDEN", `Only the recipient can accept the transfer of ${transfer.app.name}.`);
  if (input.state === "accepted") {
    if (transfer.app.ownerId !== transfer.senderId || transfer.app.teamId) {
      await db.appTransfer.update({ where: { id: transfer.id }, data: { state: "declined" } });
      throw new AppError("CONFLICT", `${transfer.app.name} no longer belongs to the sender; the transfer was withdrawn.`);
    }
    const app: AppRef = { ...transfer.app, team: null, permissions: [], teamRole: null };
    await moveApp(app, { ownerId: transfer.recipientId, teamId: null }, transfer.senderId, transfer.id);
  }
  const updated = await db.appTransfer.update({ where: { id: transfer.id }, data: { state: input.state }, select: transferSelect });
  const people = await withPeople(updated);
  await recordActivity({
    kind: input.state === "accepted" ? "transfer.accepted" : "transfer.declined",
    appId: transfer.app.id,
    message:
      input.state === "accepted"
        ? `${people.recipient.email} accepted the app from ${people.sender.email}`
        : `${isRecipient ? people.recipient.email : people.sender.email} ${isRecipient ? "declined" : "withdrew"} the transfer to ${people.recipient.email}`,
    data: { sender: people.sender.email, recipient: people.recipient.email },
  });
  if (input.state === "accepted") {
    await recordActivity({ kind: "app.transferred", appId: transfer.app.id, message: `Transferred the app from ${people.sender.email} to ${people.recipient.email}`, data: { from: people.sender.email, to: people.recipient.email } });
  }
  return people;
}
