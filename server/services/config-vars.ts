import "server-only";
import { apiLog } from "@/server/services/api-log";
import { z } from "zod";
import { decrypt, encrypt } from "@/server/crypto";
import { db, type Prisma } from "@/server/db";
import { AppError } from "@/server/errors";
import { recordActivity } from "@/server/services/activity";
import { appendRelease, withReleaseTx } from "@/server/services/releases";

// Same rule as most shells: letters, digits, underscores, not starting with a digit.
export const configKeySchema = z
  .string()
  .trim()
  .min(1, "Key is required.")
  .max(200, "Key is too long.")
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "Use letters, digits and underscores; don't start with a digit.");

export const configChangesSchema = z.record(z.string(), z.string().max(32_768, "Value is too long (32 KB max).").nullable());

export async function getConfigVars(appId: string): Promise<Record<string, string>> {
  const rows = await db.configVar.findMany({ where: { appId }, orderBy: { key: "asc" }, select: { key: true, valueEnc: true } });
  return Object.fromEntries(rows.map((r) => [r.key, decrypt(r.valueEnc)]));
}

export function describeConfigChange(set: string[], removed: string[]): string {
  const parts: string[] = [];
  if (set.length) parts.push(`Set ${set.join(", ")} config vars`);
  if (removed.length) parts.push(`${parts.length ? "remove" : "Remove"} ${removed.join(", ")} config vars`);
  return parts.join(" and ");
}

/**
 * Applies `changes` (value = set, null = remove) and records release vN+1 with the whole
 * new config. A change that changes nothing makes no release, like Heroku.
 */
export async function setConfigVars(input: { appId: string; userId: string | null; changes: Record<string, string | null> }) {
  const fieldErrors: Record<string, string> = {};
  for (const key of Object.keys(input.changes)) {
    const parsed = configKeySchema.safeParse(key);
    if (!parsed.success) fieldErrors[key] = parsed.error.issues[0]!.message;
  }
  const values = configChangesSchema.safeParse(input.changes);
  if (!values.success) for (const issue of values.error.issues) fieldErrors[String(issue.path[0])] = issue.message;
  if (Object.keys(fieldErrors).length) {
    throw new AppError("BAD_REQUEST", `Invalid config var: ${Object.entries(fieldErrors).map(([k, m]) => `${k}: ${m}`).join("; ")}`, { fieldErrors });
  }
  const result = await withReleaseTx((tx) => applyConfigChanges(tx, input));
  if (result.release) {
    if (result.set.length) await apiLog(input.appId, input.userId, `Set ${result.set.join(", ")} config vars`);
    if (result.removed.length) await apiLog(input.appId, input.userId, `Unset ${result.removed.join(", ")} config vars`);
    // Names only: a value never reaches the audit trail.
    const release = result.release.version;
    if (result.set.length) await recordActivity({ kind: "config.set", message: `Set ${result.set.join(", ")} config vars (v${release})`, appId: input.appId, userId: input.userId, data: { keys: result.set, release } });
    if (result.removed.length) await recordActivity({ kind: "config.unset", message: `Unset ${result.removed.join(", ")} config vars (v${release})`, appId: input.appId, userId: input.userId, data: { keys: result.removed, release } });
    await apiLog(input.appId, input.userId, `Release v${result.release.version} created`);
  }
  return { config: result.config, release: result.release };
}

/**
 * The release path of every config change, inside the caller's transaction (add-on
 * attachments use it with their own description and plan names). Keys must be valid.
 */
export async function applyConfigChanges(
  tx: Prisma.TransactionClient,
  input: { appId: string; userId: string | null; changes: Record<string, string | null>; description?: string; addonPlanNames?: string[] },
) {
  const rows = await tx.configVar.findMany({ where: { appId: input.appId }, select: { key: true, valueEnc: true } });
  const config = Object.fromEntries(rows.map((r) => [r.key, decrypt(r.valueEnc)]));
  const set: string[] = [];
  const removed: string[] = [];
  for (const [key, value] of Object.entries(input.changes)) {
    if (value === null) {
      if (key in config) {
        removed.push(key);
        delete config[key];
      }
    } else if (config[key] !== value) {
      set.push(key);
      config[key] = value;
    }
  }
  if (!set.length && !removed.length) return { config, release: null, set, removed };

  if (removed.length) await tx.configVar.deleteMany({ where: { appId: input.appId, key: { in: removed } } });
  for (const key of set) {
    const valueEnc = encrypt(config[key]!);
    await tx.configVar.upsert({
      where: { appId_key: { appId: input.appId, key } },
      create: { appId: input.appId, key, valueEnc },
      update: { valueEnc },
    });
  }
  const release = await appendRelease(tx, {
    appId: input.appId,
    userId: input.userId,
    description: input.description ?? describeConfigChange(set, removed),
    config,
    addonPlanNames: input.addonPlanNames,
  });
  return { config, release, set, removed };
}
