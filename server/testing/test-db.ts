// A fresh, migrated database per test file: in-memory PGlite by default, or a new
// database on the PostgreSQL server in SLIPWAY_TEST_DATABASE_URL (npm test runs the
// data-layer tests against both).
import crypto from "node:crypto";
import fs from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { postgresAdapter } from "@/server/db/adapter";
import { listMigrations } from "@/server/db/migrations";
import { PrismaClient } from "@/server/db/generated/client";

export function migrationSql(): string[] {
  return listMigrations().map((m) => m.sql);
}

export type TestDb = { db: PrismaClient; kind: "pglite" | "postgres"; close: () => Promise<void> };

/**
 * Empties every table (the migrations' own bookkeeping aside, whose names begin with "_"):
 * the next test file starts from what a fresh migrated database holds, which is nothing.
 */
export async function emptyTestDb(t: TestDb) {
  const tables = await t.db.$queryRawUnsafe<Array<{ name: string }>>(
    `SELECT quote_ident(tablename) AS name FROM pg_tables WHERE schemaname = current_schema() AND tablename NOT LIKE '\\_%'`,
  );
  if (tables.length) await t.db.$executeRawUnsafe(`TRUNCATE ${tables.map((r) => r.name).join(", ")} RESTART IDENTITY CASCADE`);
}

/**
 * `template`: a dump of an already migrated PGlite data dir (server/testing/pglite-template.ts),
 * loaded instead of running initdb and the migrations.
 */
export async function createTestDb(opts: { template?: string } = {}): Promise<TestDb> {
  const serverUrl = process.env.SLIPWAY_TEST_DATABASE_URL;
  if (!serverUrl) {
    const template = opts.template && fs.existsSync(opts.template) ? opts.template : undefined;
    const pglite = template ? new PGlite({ loadDataDir: new Blob([fs.readFileSync(template)]) }) : new PGlite();
    if (!template) for (const sql of migrationSql()) await pglite.exec(sql);
    const db = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
    return { db, kind: "pglite", close: async () => { await db.$disconnect(); await pglite.close(); } };
  }
  const name = `slipway_t_${crypto.randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const migrator = new pg.Client({ connectionString: url.toString() });
  await migrator.connect();
  for (const sql of migrationSql()) await migrator.query(sql);
  await migrator.end();
  const db = new PrismaClient({ adapter: postgresAdapter(url.toString()) });
  return {
    db,
    kind: "postgres",
    close: async () => {
      await db.$disconnect();
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
