// The database of a test's child process (a control plane killed with -9 and started
// again): an embedded PGlite in DIR, migrated on first use, installed as the platform's db.
import fs from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { PrismaClient } from "@/server/db/generated/client";

export async function openChildDb(dir: string): Promise<{ db: PrismaClient; close: () => Promise<void> }> {
  const fresh = !fs.existsSync(path.join(dir, "PG_VERSION"));
  fs.mkdirSync(dir, { recursive: true });
  const pglite = new PGlite(dir);
  if (fresh) {
    const migrations = path.join(path.dirname(new URL(import.meta.url).pathname), "../../prisma/migrations");
    for (const d of fs.readdirSync(migrations).sort()) {
      const file = path.join(migrations, d, "migration.sql");
      if (fs.existsSync(file)) await pglite.exec(fs.readFileSync(file, "utf8"));
    }
  }
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
