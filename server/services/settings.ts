import "server-only";
import crypto from "node:crypto";
import { db } from "@/server/db";
import { env } from "@/server/env";

/**
 * This installation's id. Every container it starts carries it as a label, so two
 * installations (or a test run next to a dev server) on one Engine never touch each
 * other's dynos.
 */
export async function installationId(): Promise<string> {
  const existing = await db.setting.findUnique({ where: { key: "installation_id" } });
  if (existing) return existing.value;
  // A fresh database may be given its id (scripts/test.sh does, to clean up after itself).
  const value = env().SLIPWAY_INSTALLATION_ID ?? crypto.randomBytes(8).toString("hex");
  await db.setting.createMany({ data: [{ key: "installation_id", value }], skipDuplicates: true });
  return (await db.setting.findUniqueOrThrow({ where: { key: "installation_id" } })).value;
}
