import "server-only";
// Attachments: an add-on reachable from an app's network under its name, and the app's
// <NAME>_URL config var set through the same release path as any config change (so it
// makes a release and the dyno manager restarts the dynos onto it).
import { z } from "zod";
import { addonChanged } from "@/server/addons/events";
import type { AddonProvider, AddonTarget } from "@/server/addons/types";
import { db, type Prisma } from "@/server/db";
import { AppError, isUniqueViolation } from "@/server/errors";
import { pokeApp } from "@/server/runtime";
import { runtimeDriver } from "@/server/runtime/driver";
import { appIdsOf, configKey, credentialsOf, planNamesForApp, targetOf } from "@/server/services/addon-records";
import { recordActivity } from "@/server/services/activity";
import { applyConfigChanges } from "@/server/services/config-vars";
import { withReleaseTx } from "@/server/services/releases";

export const attachmentNameSchema = z
  .string()
  .trim()
  .min(1, "Name is required.")
  .max(50, "Name is too long.")
  .regex(/^[A-Z][A-Z0-9_]*$/, "Use capital letters, digits and underscores, starting with a letter.")
  .refine((n) => !n.endsWith("_URL"), "Leave out _URL: it is added to the name.");

const COLORS = ["AMBER", "BLUE", "BRONZE", "COBALT", "COPPER", "CRIMSON", "GOLD", "GRAY", "GREEN", "IVORY", "JADE", "MAROON", "NAVY", "OLIVE", "ONYX", "ORANGE", "PINK", "PURPLE", "RED", "SILVER", "TEAL", "WHITE", "YELLOW"];

/**
 * The first PostgreSQL of an app is DATABASE, the first Redis REDIS; later ones get a
 * color (POSTGRESQL_BLUE → POSTGRESQL_BLUE_URL), as Heroku names them.
 */
export async function defaultAttachmentName(tx: Prisma.TransactionClient, appId: string, provider: AddonProvider): Promise<string> {
  const [attachments, vars] = await Promise.all([
    tx.addonAttachment.findMany({ where: { appId }, select: { name: true } }),
    tx.configVar.findMany({ where: { appId }, select: { key: true } }),
  ]);
  const taken = (name: string) => attachments.some((a) => a.name === name) || vars.some((v) => v.key === configKey(name));
  if (!taken(provider.info.defaultAttachment)) return provider.info.defaultAttachment;
  const prefix = provider.info.namePrefix.toUpperCase();
  const color = COLORS.find((c) => !taken(`${prefix}_${c}`));
  if (!color) throw new AppError("CONFLICT", "This app has too many add-ons of that kind; name the attachment yourself.");
  return `${prefix}_${color}`;
}

/** Refuses a name whose config var the app already has for another reason. */
export async function checkAttachmentName(tx: Prisma.TransactionClient, appId: string, name: string) {
  const [attachment, variable] = await Promise.all([
    tx.addonAttachment.findUnique({ where: { appId_name: { appId, name } }, select: { id: true } }),
    tx.configVar.findUnique({ where: { appId_key: { appId, key: configKey(name) } }, select: { id: true } }),
  ]);
  if (attachment || variable) {
    const message = `${name} is already used on this app (its config var ${configKey(name)} exists); choose another name.`;
    throw new AppError("CONFLICT", message, { fieldErrors: { as: message } });
  }
}

/** The Engine side: the add-on joins the app's network, under its own name. */
export async function connectToApp(provider: AddonProvider, target: AddonTarget, app: { id: string; name: string }) {
  const network = await runtimeDriver().ensureAppNetwork(target.installation, app.id, app.name);
  await provider.attach(target, network);
}

/** Leaves the app's network once no attachment of that app to the add-on remains. */
export async function disconnectIfUnused(provider: AddonProvider, target: AddonTarget, appId: string) {
  const left = await db.addonAttachment.count({ where: { addonId: target.id, appId } });
  if (left === 0) await provider.detach(target, runtimeDriver().appNetworkName(appId));
}

/**
 * Sets every attachment's <NAME>_URL to the add-on's current URL: one release per app
 * whose config changes (none when it already has them), then the dynos restart.
 */
export async function publishAttachments(addonId: string, userId: string | null, describe: (names: string[]) => string) {
  const addon = await db.addon.findUniqueOrThrow({
    where: { id: addonId },
    select: { id: true, name: true, service: true, plan: true, node: true, configEnc: true, attachments: { select: { appId: true, name: true } } },
  });
  const { provider, target } = await targetOf(addon);
  const url = provider.url(target, credentialsOf(addon));
  const byApp = new Map<string, string[]>();
  for (const a of addon.attachments) byApp.set(a.appId, [...(byApp.get(a.appId) ?? []), a.name]);
  for (const [appId, names] of byApp) {
    await withReleaseTx(async (tx) =>
      applyConfigChanges(tx, {
        appId,
        userId,
        changes: Object.fromEntries(names.map((n) => [configKey(n), url])),
        description: describe(names),
        addonPlanNames: await planNamesForApp(tx, appId),
      }),
    );
    void pokeApp(appId);
  }
}

/** Attaches an available add-on to another app of the same owner. */
export async function attachAddon(input: { addonId: string; appId: string; userId: string; name?: string | null }) {
  const addon = await db.addon.findUniqueOrThrow({
    where: { id: input.addonId },
    select: { id: true, name: true, service: true, plan: true, node: true, state: true, configEnc: true, app: { select: { ownerId: true, teamId: true } } },
  });
  if (addon.state !== "available") throw new AppError("CONFLICT", `${addon.name} is ${addon.state}; attach it once it is available.`);
  const app = await db.app.findUniqueOrThrow({ where: { id: input.appId }, select: { id: true, name: true, ownerId: true, teamId: true } });
  if (app.ownerId !== addon.app.ownerId || app.teamId !== addon.app.teamId) {
    throw new AppError("UNPROCESSABLE", `${addon.name} can only be attached to apps with the same owner as its billing app.`);
  }
  const { provider, target } = await targetOf(addon);
  let requested: string | null = null;
  if (input.name?.trim()) {
    const parsed = attachmentNameSchema.safeParse(input.name);
    if (!parsed.success) throw new AppError("BAD_REQUEST", parsed.error.issues[0]!.message, { fieldErrors: { as: parsed.error.issues[0]!.message } });
    requested = parsed.data;
  }
  // Reachable before the config var lands: restarted dynos can connect at once.
  await connectToApp(provider, target, app);
  const url = provider.url(target, credentialsOf(addon));
  try {
    const result = await withReleaseTx(async (tx) => {
      const name = requested ?? (await defaultAttachmentName(tx, app.id, provider));
      await checkAttachmentName(tx, app.id, name);
      const attachment = await tx.addonAttachment.create({ data: { addonId: addon.id, appId: app.id, name }, select: { id: true, name: true, createdAt: true } });
      const { release } = await applyConfigChanges(tx, {
        appId: app.id,
        userId: input.userId,
        changes: { [configKey(name)]: url },
        description: `Attach ${name} (@ref:${addon.name})`,
        addonPlanNames: await planNamesForApp(tx, app.id),
      });
      return { attachment, release };
    });
    void pokeApp(app.id);
    addonChanged({ addonId: addon.id, appIds: await appIdsOf(addon.id) });
    const name = result.attachment.name;
    await recordActivity({ kind: "addons.attached", message: `Attached ${addon.name} as ${name}`, appId: app.id, userId: input.userId, data: { addon: addon.name, attachment: name } });
    return result;
  } catch (err) {
    await disconnectIfUnused(provider, target, app.id).catch((e) => console.error("slipway: could not undo an add-on network attach", e));
    if (isUniqueViolation(err)) throw new AppError("CONFLICT", "That attachment name is already used on this app.", { fieldErrors: { as: "Already used on this app." } });
    throw err;
  }
}

/** Removes one attachment: its config var goes (a release), then the network link if it was the app's last. */
export async function detachAddon(input: { addonId: string; attachmentId: string; userId: string }) {
  const attachment = await db.addonAttachment.findFirst({
    where: { id: input.attachmentId, addonId: input.addonId },
    select: { id: true, name: true, appId: true, addon: { select: { id: true, name: true, service: true, plan: true, node: true, appId: true, app: { select: { name: true } } } } },
  });
  if (!attachment) throw new AppError("NOT_FOUND", "Couldn't find that attachment.", { resource: "addon_attachment" });
  const { addon } = attachment;
  if (attachment.appId === addon.appId) {
    const others = await db.addonAttachment.count({ where: { addonId: addon.id, appId: addon.appId, id: { not: attachment.id } } });
    if (others === 0) throw new AppError("UNPROCESSABLE", `${addon.name} belongs to ${addon.app.name}: destroy it there instead of detaching it.`);
  }
  const release = await withReleaseTx(async (tx) => {
    await tx.addonAttachment.delete({ where: { id: attachment.id } });
    const { release } = await applyConfigChanges(tx, {
      appId: attachment.appId,
      userId: input.userId,
      changes: { [configKey(attachment.name)]: null },
      description: `Detach ${attachment.name} (@ref:${addon.name})`,
      addonPlanNames: await planNamesForApp(tx, attachment.appId),
    });
    return release;
  });
  void pokeApp(attachment.appId);
  const { provider, target } = await targetOf(addon);
  await disconnectIfUnused(provider, target, attachment.appId);
  addonChanged({ addonId: addon.id, appIds: [...new Set([attachment.appId, ...(await appIdsOf(addon.id))])] });
  await recordActivity({
    kind: "addons.detached",
    message: `Detached ${addon.name} (${attachment.name})`,
    appId: attachment.appId,
    userId: input.userId,
    data: { addon: addon.name, attachment: attachment.name },
  });
  return { release, attachment: { id: attachment.id, name: attachment.name } };
}
