// prisma/migrations, applied to an embedded PGlite database in this process.
//
// Why not `prisma migrate deploy` for PGlite: the Prisma CLI opens the database through
// prisma.config.ts's adapter factory, may open it more than once (two WASM Postgres
// instances on one data folder), and never exits by itself afterwards (PGlite keeps timers
// alive), so it had to be killed once it printed success. One `npm run up` in about three
// then started a server that found no tables at all. Here one instance opens the folder,
// applies each pending migration and its `_prisma_migrations` row in one transaction, and
// shuts Postgres down cleanly. The rows are the ones Prisma writes (same table, SHA-256
// checksum of the file), so `prisma migrate status` and a later move to PostgreSQL with
// `prisma migrate deploy` see the same history.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { PGlite } from "@electric-sql/pglite";

export type Migration = { name: string; sql: string; checksum: string };

export const MIGRATIONS_DIR = path.join(path.dirname(new URL(import.meta.url).pathname), "../../prisma/migrations");

export function listMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return fs
    .readdirSync(dir)
    .filter((d) => fs.existsSync(path.join(dir, d, "migration.sql")))
    .sort()
    .map((name) => {
      const sql = fs.readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: crypto.createHash("sha256").update(sql).digest("hex") };
    });
}

// Prisma's own definition of its history table.
const HISTORY_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id"                  VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum"            VARCHAR(64) NOT NULL,
  "finished_at"         TIMESTAMPTZ,
  "migration_name"      VARCHAR(255) NOT NULL,
  "logs"                TEXT,
  "rolled_back_at"      TIMESTAMPTZ,
  "started_at"          TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

type Row = { migration_name: string; checksum: string; finished_at: Date | null; rolled_back_at: Date | null };

export type MigrationState = { applied: string[]; pending: Migration[]; failed: string[]; modified: string[] };

export async function migrationState(pglite: PGlite, migrations = listMigrations()): Promise<MigrationState> {
  await pglite.exec(HISTORY_TABLE);
  const { rows } = await pglite.query<Row>(
    `SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at`,
  );
  const done = new Map(rows.filter((r) => r.finished_at && !r.rolled_back_at).map((r) => [r.migration_name, r.checksum]));
  const failed = rows.filter((r) => !r.finished_at && !r.rolled_back_at).map((r) => r.migration_name);
  return {
    applied: [...done.keys()],
    pending: migrations.filter((m) => !done.has(m.name)),
    failed,
    modified: migrations.filter((m) => done.has(m.name) && done.get(m.name) !== m.checksum).map((m) => m.name),
  };
}

/**
 * Applies every pending migration, each with its history row in one transaction (a failed
 * migration leaves nothing half-applied and is reported with Postgres's error).
 */
export async function applyMigrations(
  pglite: PGlite,
  log: (line: string) => void = () => {},
  migrations = listMigrations(),
): Promise<string[]> {
  const state = await migrationState(pglite, migrations);
  if (state.failed.length) {
    throw new Error(
      `migration ${state.failed.join(", ")} started and did not finish (a row in _prisma_migrations with no finished_at); ` +
        `repair the database by hand, then delete that row`,
    );
  }
  for (const name of state.modified) log(`warning: migration ${name} was changed after it was applied`);
  const applied: string[] = [];
  for (const m of state.pending) {
    try {
      await pglite.transaction(async (tx) => {
        await tx.exec(m.sql);
        await tx.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
           VALUES ($1, $2, now(), $3, now(), 1)`,
          [crypto.randomUUID(), m.checksum, m.name],
        );
      });
    } catch (err) {
      throw new Error(`migration ${m.name} failed: ${(err as Error).message}`);
    }
    applied.push(m.name);
    log(`  applied ${m.name}`);
  }
  return applied;
}
