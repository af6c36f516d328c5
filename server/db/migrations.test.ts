// The embedded database's migrations (scripts/migrate.ts): applied in order with Prisma's
// history rows, only the pending ones on a second run, nothing half-applied on a failure,
// and on disk once the database is closed.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { afterAll, describe, expect, it } from "vitest";
import { applyMigrations, listMigrations, migrationState } from "@/server/db/migrations";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-migrations-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function migrationsDir(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(tmp, "m-"));
  for (const [name, sql] of Object.entries(files)) {
    fs.mkdirSync(path.join(dir, name));
    fs.writeFileSync(path.join(dir, name, "migration.sql"), sql);
  }
  return dir;
}

describe("applyMigrations", () => {
  it("applies pending migrations in order, each once, with checksummed history rows", async () => {
    const dir = migrationsDir({
      "2_second": `ALTER TABLE "Thing" ADD COLUMN "size" INTEGER NOT NULL DEFAULT 1;`,
      "1_first": `CREATE TABLE "Thing" ("id" TEXT PRIMARY KEY);`,
    });
    const pglite = new PGlite();
    expect(await applyMigrations(pglite, undefined, listMigrations(dir))).toEqual(["1_first", "2_second"]);
    expect(await applyMigrations(pglite, undefined, listMigrations(dir))).toEqual([]);

    fs.mkdirSync(path.join(dir, "3_third"));
    fs.writeFileSync(path.join(dir, "3_third", "migration.sql"), `CREATE INDEX "Thing_size" ON "Thing" ("size");`);
    expect(await applyMigrations(pglite, undefined, listMigrations(dir))).toEqual(["3_third"]);

    const { rows } = await pglite.query<{ migration_name: string; checksum: string; applied_steps_count: number }>(
      `SELECT migration_name, checksum, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name`,
    );
    expect(rows.map((r) => r.migration_name)).toEqual(["1_first", "2_second", "3_third"]);
    expect(rows.map((r) => r.checksum)).toEqual(listMigrations(dir).map((m) => m.checksum));
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.checksum) && r.applied_steps_count === 1)).toBe(true);
    await pglite.close();
  });

  it("leaves nothing of a failed migration behind and names it", async () => {
    const dir = migrationsDir({
      "1_ok": `CREATE TABLE "A" ("id" TEXT PRIMARY KEY);`,
      "2_broken": `CREATE TABLE "B" ("id" TEXT PRIMARY KEY); ALTER TABLE "Missing" ADD COLUMN "x" TEXT;`,
    });
    const pglite = new PGlite();
    await expect(applyMigrations(pglite, undefined, listMigrations(dir))).rejects.toThrow(/migration 2_broken failed: .*Missing/);
    const state = await migrationState(pglite, listMigrations(dir));
    expect(state.applied).toEqual(["1_ok"]);
    expect(state.pending.map((m) => m.name)).toEqual(["2_broken"]);
    expect((await pglite.query(`SELECT to_regclass('public."B"') AS b`)).rows).toEqual([{ b: null }]);
    await pglite.close();
  });

  it("the repository's migrations are on disk after a clean close", async () => {
    const dataDir = path.join(tmp, "db");
    let pglite = new PGlite(dataDir);
    expect((await applyMigrations(pglite)).length).toBe(listMigrations().length);
    await pglite.close();
    pglite = new PGlite(dataDir);
    expect((await migrationState(pglite)).pending).toEqual([]);
    expect((await pglite.query(`SELECT to_regclass('public."User"')::text AS t`)).rows).toEqual([{ t: '"User"' }]);
    await pglite.close();
  });
});
