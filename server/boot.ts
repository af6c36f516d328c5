import "server-only";
import { env } from "@/server/env";
import { ensureAdmin } from "@/server/services/users";

let booted: Promise<void> | undefined;

export function boot(): Promise<void> {
  return (booted ??= (async () => {
    const e = env();
    const admin = await ensureAdmin(e.SLIPWAY_ADMIN_EMAIL, e.SLIPWAY_ADMIN_PASSWORD);
    if (admin === "created") console.log(`slipway: created admin account ${e.SLIPWAY_ADMIN_EMAIL}`);
  })());
}
