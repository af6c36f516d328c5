// The database of a test's child process (a control plane killed with -9 and started
// again): an embedded PGlite in DIR, migrated on first use, installed as the platform's db.
import fs from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { applyMigrations } from "@/server/db/migrations";
import { PrismaClient } from "@/server/db/generated/client";

export async function openChildDb(dir: string): Promise<{ db: PrismaClient; close: () => Promise<void> }> {
  const fresh = !fs.existsSync(path.join(dir, "PG_VERSION"));
  fs.mkdirSync(dir, { recursive: true });
  const pglite = new PGlite(dir);
  if (fresh) await applyMigrations(pglite);
  const db = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
  (globalThis as unknown as { slipwayDb: PrismaClient }).slipwayDb = db;
  return {
    db,
    close: async () => {
      await db.$disconnect();
      await pglite.close();
    },
  };
}
