import "server-only";
// The storage limit of PostgreSQL plans, enforced: a database past its plan's size turns
// read-only for the app (new sessions; open ones are ended), and writable again once it is
// back under 90 % (after the app deletes rows and VACUUM FULL, or a bigger plan).
import { addonChanged } from "@/server/addons/events";
import { db } from "@/server/db";
import { appIdsOf, credentialsOf, targetOf } from "@/server/services/addon-records";

const INTERVAL_MS = 60_000;
let timer: NodeJS.Timeout | undefined;

export async function checkStorageLimits() {
  const rows = await db.addon.findMany({ where: { state: "available" }, select: { id: true, name: true, service: true, plan: true, node: true, configEnc: true, readOnly: true } });
  for (const row of rows) {
    try {
      const { provider, target } = await targetOf(row);
      const limitBytes = (target.plan.storageMb ?? 0) * 1024 * 1024;
      if (!provider.setReadOnly || !limitBytes) continue;
      const credentials = credentialsOf(row);
      const stats = await provider.stats(target, credentials);
      const size = stats.storageBytes ?? 0;
      const over = size > limitBytes;
      const wantReadOnly = row.readOnly ? size > limitBytes * 0.9 : over;
      if (wantReadOnly !== row.readOnly || wantReadOnly !== stats.readOnly) {
        console.log(`slipway: ${row.name} is ${wantReadOnly ? "over" : "back under"} its storage limit; making it ${wantReadOnly ? "read-only" : "writable"}`);
        await provider.setReadOnly(target, credentials, wantReadOnly);
        await db.addon.update({ where: { id: row.id }, data: { readOnly: wantReadOnly } });
        addonChanged({ addonId: row.id, appIds: await appIdsOf(row.id) });
      }
    } catch (err) {
      console.error(`slipway: checking the storage of add-on ${row.name} failed`, err);
    }
  }
}

export function startAddonMonitor() {
  if (timer) return;
  timer = setInterval(() => void checkStorageLimits(), INTERVAL_MS);
  timer.unref();
}
