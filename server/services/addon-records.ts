import "server-only";
// What the add-on services share: how a row becomes a provider call, its credentials,
// the config var its attachments set, and the plan names a release records.
import { planOf, providerFor } from "@/server/addons/registry";
import type { AddonProvider, AddonTarget, Credentials } from "@/server/addons/types";
import { decryptJson } from "@/server/crypto";
import { db, type Prisma } from "@/server/db";
import { installationId } from "@/server/services/settings";

export const addonSelect = {
  id: true,
  name: true,
  appId: true,
  service: true,
  plan: true,
  state: true,
  progress: true,
  error: true,
  readOnly: true,
  node: true,
  createdAt: true,
  updatedAt: true,
  provisionedAt: true,
  app: { select: { id: true, name: true } },
  attachments: { orderBy: { createdAt: "asc" }, select: { id: true, name: true, createdAt: true, app: { select: { id: true, name: true } } } },
} as const satisfies Prisma.AddonSelect;

export type AddonRow = Prisma.AddonGetPayload<{ select: typeof addonSelect }>;

/** `node` is required: a caller that forgot to select it would send the add-on's calls to the wrong Engine. */
export async function targetOf(row: { id: string; name: string; service: string; plan: string; node: string | null }): Promise<{ provider: AddonProvider; target: AddonTarget }> {
  const provider = providerFor(row.service);
  return { provider, target: { installation: await installationId(), id: row.id, name: row.name, plan: planOf(provider, row.plan), node: row.node } };
}

export function credentialsOf(row: { configEnc: string }): Credentials {
  return decryptJson<Credentials>(row.configEnc);
}

/** DATABASE → DATABASE_URL, as on Heroku. */
export function configKey(attachmentName: string): string {
  return `${attachmentName}_URL`;
}

/** Heroku's addon_plan_names of a release: every plan attached to the app. */
export async function planNamesForApp(tx: Prisma.TransactionClient, appId: string): Promise<string[]> {
  const rows = await tx.addonAttachment.findMany({ where: { appId }, select: { addon: { select: { service: true, plan: true } } }, orderBy: { createdAt: "asc" } });
  return [...new Set(rows.map((r) => `${r.addon.service}:${r.addon.plan}`))];
}

/** Apps that see an add-on change: its billing app and every attached app. */
export async function appIdsOf(addonId: string): Promise<string[]> {
  const row = await db.addon.findUnique({ where: { id: addonId }, select: { appId: true, attachments: { select: { appId: true } } } });
  return row ? [...new Set([row.appId, ...row.attachments.map((a) => a.appId)])] : [];
}
