import "server-only";
// Add-ons as users see them: the marketplace, an app's add-ons, adding one (provisioning
// then runs in the background), destroying, credentials (reveal, rotate) and live stats.
import { z } from "zod";
import { addonChanged } from "@/server/addons/events";
import { PROVIDERS, resolvePlan } from "@/server/addons/registry";
import { encryptJson } from "@/server/crypto";
import { db } from "@/server/db";
import { AppError, isUniqueViolation } from "@/server/errors";
import { runtimeDriver } from "@/server/runtime/driver";
import { attachmentNameSchema, checkAttachmentName, defaultAttachmentName } from "@/server/services/addon-attachments";
import { addonSelect, appIdsOf, credentialsOf, targetOf, type AddonRow } from "@/server/services/addon-records";
import { deprovision, finishRotation, provisionInBackground } from "@/server/services/addon-provisioning";
import { findAppForUser, type Operation } from "@/server/services/access";
import { recordActivity } from "@/server/services/activity";
import { randomAddonName } from "@/server/services/names";
import { checkAddonQuota } from "@/server/services/quotas";

export const addonNameSchema = z
  .string()
  .trim()
  .min(3, "Name must be at least 3 characters.")
  // It is the add-on's hostname on app networks: one DNS label.
  .max(63, "Name must be at most 63 characters.")
  .regex(/^[a-z][a-z0-9-]*$/, "Use lowercase letters, digits and dashes, starting with a letter.")
  .refine((n) => !n.endsWith("-"), "Name must not end with a dash.");

/** The marketplace: every service with its plans and their limits. */
export function listAddonServices() {
  return PROVIDERS.map(({ info }) => ({
    name: info.name,
    label: info.label,
    aliases: info.aliases,
    defaultPlan: info.defaultPlan,
    defaultAttachment: info.defaultAttachment,
    supportsBackups: info.supportsBackups,
    plans: info.plans.map((p) => ({ ...p })),
  }));
}

/** With the plan's limits and service label, for lists and pages. */
export function describeAddon(row: AddonRow) {
  const { provider, plan } = resolvePlan(row.service, row.plan);
  return { ...row, serviceLabel: provider.info.label, planLimits: plan, supportsBackups: provider.info.supportsBackups };
}

/** Add-ons billed to the app or attached to it. */
export async function listAddonsForApp(appId: string) {
  const rows = await db.addon.findMany({
    where: { OR: [{ appId }, { attachments: { some: { appId } } }] },
    orderBy: { createdAt: "asc" },
    select: addonSelect,
  });
  return rows.map(describeAddon);
}

const attachmentSelect = {
  id: true,
  name: true,
  createdAt: true,
  app: { select: { id: true, name: true } },
  addon: { select: { id: true, name: true, service: true, plan: true, app: { select: { id: true, name: true } } } },
} as const;

/** Every attachment the given apps have (the CLI's `addons` lists them). */
export function listAttachmentsForApps(appIds: string[]) {
  return db.addonAttachment.findMany({ where: { appId: { in: appIds } }, orderBy: { createdAt: "asc" }, select: attachmentSelect });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * An add-on by name, id or (as the CLI allows) attachment name, seen from an app: billed
 * to it or attached to it. Others are NOT_FOUND.
 */
export async function findAddonForApp(input: { appId: string; addon: string }) {
  const key = input.addon.trim();
  const byKey = UUID.test(key) ? { id: key } : { name: key.toLowerCase() };
  const seenFrom = { OR: [{ appId: input.appId }, { attachments: { some: { appId: input.appId } } }] };
  const row =
    (await db.addon.findFirst({ where: { ...byKey, ...seenFrom }, select: addonSelect })) ??
    (await db.addon.findFirst({ where: { attachments: { some: { appId: input.appId, name: key.toUpperCase() } } }, select: addonSelect }));
  if (!row) throw new AppError("NOT_FOUND", "Couldn't find that add-on.", { resource: "add_on" });
  return describeAddon(row);
}

/**
 * Adds an add-on to an app: the row (with fresh credentials, encrypted) and its first
 * attachment are written at once; the container is provisioned in the background.
 */
export async function createAddon(input: { appId: string; userId: string; service: string; plan?: string | null; name?: string | null; as?: string | null }) {
  const { provider, plan } = resolvePlan(input.service, input.plan);
  await checkAddonQuota({ appId: input.appId });
  const explicit = input.name?.trim() ? parseOrFieldError(addonNameSchema, input.name, "name") : null;
  const as = input.as?.trim() ? parseOrFieldError(attachmentNameSchema, input.as, "as") : null;
  const configEnc = encryptJson(provider.newCredentials());
  for (let attempt = 0; attempt < 5; attempt++) {
    const name = explicit ?? randomAddonName(provider.info.namePrefix);
    try {
      const row = await db.$transaction(async (tx) => {
        const attachment = as ?? (await defaultAttachmentName(tx, input.appId, provider));
        await checkAttachmentName(tx, input.appId, attachment);
        const addon = await tx.addon.create({
          data: { name, appId: input.appId, service: provider.info.name, plan: plan.name, configEnc, createdById: input.userId, progress: "Queued" },
          select: { id: true },
        });
        await tx.addonAttachment.create({ data: { addonId: addon.id, appId: input.appId, name: attachment } });
        return tx.addon.findUniqueOrThrow({ where: { id: addon.id }, select: addonSelect });
      });
      void provisionInBackground(row.id);
      addonChanged({ addonId: row.id, appIds: [input.appId] });
      await recordActivity({
        kind: "addons.created",
        message: `Created add-on ${row.name} (${row.service}:${row.plan})`,
        appId: input.appId,
        userId: input.userId,
        data: { addon: row.name, service: row.service, plan: row.plan },
      });
      return describeAddon(row);
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      if (explicit) throw new AppError("CONFLICT", `An add-on named ${explicit} already exists.`, { fieldErrors: { name: "Already taken." } });
    }
  }
  throw new AppError("CONFLICT", "Could not find a free random name; please pick one.");
}

function parseOrFieldError<T>(schema: z.ZodType<T>, value: string, field: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const message = parsed.error.issues[0]!.message;
    throw new AppError("BAD_REQUEST", message, { fieldErrors: { [field]: message } });
  }
  return parsed.data;
}

/**
 * Destroys an add-on: every attachment's config var goes (a release per app), then its
 * container, data volume and backups. The caller types its name, as for apps.
 */
export async function destroyAddon(input: { addonId: string; userId: string; confirm?: string | null }) {
  const row = await db.addon.findUniqueOrThrow({ where: { id: input.addonId }, select: { id: true, name: true, state: true, appId: true, service: true, plan: true } });
  if (input.confirm !== undefined && input.confirm !== row.name) {
    throw new AppError("BAD_REQUEST", `Type the add-on's name (${row.name}) to confirm.`, { fieldErrors: { confirm: "Does not match the add-on's name." } });
  }
  await db.addon.update({ where: { id: row.id }, data: { state: "deprovisioning", progress: "Removing" } });
  addonChanged({ addonId: row.id, appIds: await appIdsOf(row.id) });
  await deprovision(row.id, input.userId);
  await recordActivity({ kind: "addons.destroyed", message: `Destroyed add-on ${row.name}`, appId: row.appId, userId: input.userId, data: { addon: row.name, service: row.service, plan: row.plan } });
  return { id: row.id, name: row.name, state: "deprovisioned" as const };
}

/**
 * New credentials: recorded as pending first, set on the server, then stored and given to
 * every attached app (a release each, dynos restart). A restart half-way finishes it.
 */
export async function rotateAddonCredentials(input: { addonId: string; userId: string }) {
  const row = await db.addon.findUniqueOrThrow({ where: { id: input.addonId }, select: { id: true, name: true, service: true, plan: true, node: true, state: true, configEnc: true, pendingConfigEnc: true, appId: true } });
  if (row.state !== "available") throw new AppError("CONFLICT", `${row.name} is ${row.state}; credentials can be rotated once it is available.`);
  if (!row.pendingConfigEnc) {
    const { provider } = await targetOf(row);
    const next = provider.rotatedCredentials(credentialsOf(row));
    const claimed = await db.addon.updateMany({ where: { id: row.id, pendingConfigEnc: null }, data: { pendingConfigEnc: encryptJson(next) } });
    if (claimed.count === 0) throw new AppError("CONFLICT", "A rotation of these credentials is already under way.");
  }
  await finishRotation(row.id, input.userId);
  await recordActivity({ kind: "addons.credentials_rotated", message: `Rotated the credentials of ${row.name}`, appId: row.appId, userId: input.userId, data: { addon: row.name } });
  return { rotated: true };
}

/** The URL and its parts, for those allowed to see secrets. */
export async function revealAddonCredentials(addonId: string) {
  const row = await db.addon.findUniqueOrThrow({ where: { id: addonId }, select: { id: true, name: true, service: true, plan: true, node: true, state: true, configEnc: true } });
  if (row.state !== "available") throw new AppError("CONFLICT", `${row.name} is ${row.state}; its credentials are shown once it is available.`);
  const { provider, target } = await targetOf(row);
  const credentials = credentialsOf(row);
  const url = new URL(provider.url(target, credentials));
  return {
    url: url.toString(),
    host: url.hostname,
    port: Number(url.port),
    user: decodeURIComponent(url.username) || null,
    password: decodeURIComponent(url.password),
    database: url.pathname.replace(/^\//, "") || null,
  };
}

/** Container state, health and live figures (connections, size, memory). */
export async function addonStatus(addonId: string) {
  const row = await db.addon.findUniqueOrThrow({ where: { id: addonId }, select: { id: true, name: true, service: true, plan: true, node: true, state: true, configEnc: true, readOnly: true } });
  if (row.state !== "available") return { container: null, stats: null };
  const { provider, target } = await targetOf(row);
  const container = await provider.status(target);
  const stats = container.container === "running" ? await provider.stats(target, credentialsOf(row)).catch(() => null) : null;
  return { container, stats };
}

/**
 * Before an app is destroyed: add-ons billed to it are destroyed (other apps lose their
 * attachments), and add-ons billed elsewhere leave its network (which is removed next).
 */
export async function releaseAppAddons(input: { appId: string; userId: string | null }) {
  const billed = await db.addon.findMany({ where: { appId: input.appId }, select: { id: true } });
  for (const { id } of billed) {
    await db.addon.update({ where: { id }, data: { state: "deprovisioning", progress: "Removing" } });
    await deprovision(id, input.userId);
  }
  const elsewhere = await db.addonAttachment.findMany({ where: { appId: input.appId }, select: { id: true, addon: { select: { id: true, name: true, service: true, plan: true, node: true } } } });
  for (const { addon } of elsewhere) {
    const { provider, target } = await targetOf(addon);
    await provider.detach(target, runtimeDriver().appNetworkName(input.appId));
    addonChanged({ addonId: addon.id, appIds: await appIdsOf(addon.id) });
  }
}

/** Apps a user can see: their own, those they collaborate on, their teams'. */
function visibleTo(userId: string) {
  return { OR: [{ ownerId: userId }, { collaborators: { some: { userId } } }, { team: { members: { some: { userId } } } }] };
}

/** Every add-on the user can see through its billing app or an attached app (`heroku addons --all`). */
export async function listAddonsForUser(userId: string) {
  const rows = await db.addon.findMany({
    where: { OR: [{ app: visibleTo(userId) }, { attachments: { some: { app: visibleTo(userId) } } }] },
    orderBy: { createdAt: "asc" },
    select: addonSelect,
  });
  return rows.map(describeAddon);
}

export function listAttachmentsForUser(userId: string) {
  return db.addonAttachment.findMany({ where: { app: visibleTo(userId) }, orderBy: { createdAt: "asc" }, select: attachmentSelect });
}

/**
 * An add-on by name or id, with an app through which the user may act on it with
 * `permission`: its billing app first, else an attached app. Add-ons the user cannot see
 * are NOT_FOUND; seen but not allowed is FORBIDDEN.
 */
export async function findAddonForUser(input: { userId: string; addon: string; operation: Operation }) {
  const key = input.addon.trim();
  const row = await db.addon.findFirst({ where: UUID.test(key) ? { id: key } : { name: key.toLowerCase() }, select: addonSelect });
  let forbidden: unknown = null;
  for (const appId of row ? [row.appId, ...row.attachments.map((a) => a.app.id)] : []) {
    try {
      const app = await findAppForUser({ userId: input.userId, app: appId, operation: input.operation });
      return { addon: describeAddon(row!), app };
    } catch (err) {
      if (err instanceof AppError && err.code === "FORBIDDEN") forbidden = err;
      else if (!(err instanceof AppError && err.code === "NOT_FOUND")) throw err;
    }
  }
  if (forbidden) throw forbidden;
  throw new AppError("NOT_FOUND", "Couldn't find that add-on.", { resource: "add_on" });
}


/** An attachment by id, if the user may act on its app with `permission`. */
export async function findAttachmentForUser(input: { userId: string; attachmentId: string; operation: Operation }) {
  const row = await db.addonAttachment.findUnique({ where: { id: input.attachmentId }, select: attachmentSelect });
  if (!row) throw new AppError("NOT_FOUND", "Couldn't find that add-on attachment.", { resource: "add_on attachment" });
  await findAppForUser({ userId: input.userId, app: row.app.id, operation: input.operation });
  return row;
}

/** One of an app's attachments, by id or name (DATABASE). */
export async function findAttachment(input: { appId: string; attachment: string }) {
  const key = input.attachment.trim();
  const row = await db.addonAttachment.findFirst({
    // DATABASE or its config var DATABASE_URL, as Heroku's resolver takes either.
    where: { appId: input.appId, ...(UUID.test(key) ? { id: key } : { name: key.toUpperCase().replace(/_URL$/, "") }) },
    select: attachmentSelect,
  });
  if (!row) throw new AppError("NOT_FOUND", "Couldn't find that add-on attachment.", { resource: "add_on attachment" });
  return row;
}
