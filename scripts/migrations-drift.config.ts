// Prisma config for the migration drift check in scripts/test.sh:
//   DATABASE_URL=<a PostgreSQL server> prisma migrate diff --config scripts/migrations-drift.config.ts \
//     --from-migrations prisma/migrations --to-schema-datamodel prisma/schema.prisma --exit-code
// With a driver adapter Prisma refuses --shadow-database-url: the adapter provides the
// shadow database itself. adapter-pg's own connectToShadowDb opens it without our fix for
// Prisma issue 27403 (and keeps the main database name), so here a throwaway database on
// the same server is created, opened through postgresAdapter, and dropped afterwards.
import crypto from "node:crypto";
import path from "node:path";
import { ColumnTypeEnum } from "@prisma/driver-adapter-utils";
import pg from "pg";
import { defineConfig } from "prisma/config";
import { postgresAdapter } from "../server/db/adapter";

const root = path.join(path.dirname(new URL(import.meta.url).pathname), "..");

function databaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url?.startsWith("postgres")) throw new Error("migrations-drift.config.ts needs DATABASE_URL: a PostgreSQL server it may create databases on");
  return url;
}

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join(root, "prisma", "schema.prisma"),
  migrations: { path: path.join(root, "prisma", "migrations") },
  adapter: async () => {
    const url = databaseUrl();
    const factory = postgresAdapter(url, { forMigrations: true });
    return Object.assign(factory, {
      async connectToShadowDb() {
        const name = `slipway_shadow_${crypto.randomBytes(6).toString("hex")}`;
        const admin = new pg.Client({ connectionString: url });
        await admin.connect();
        await admin.query(`CREATE DATABASE "${name}"`);
        const shadowUrl = new URL(url);
        shadowUrl.pathname = `/${name}`;
        const shadow = await postgresAdapter(shadowUrl.toString(), { forMigrations: true }).connect();
        // The describer reads pg_constraint.contype (type "char") for CHECK constraints and
        // panics when it arrives as text, which is how our fix for 27403 reports it.
        const queryRaw = shadow.queryRaw.bind(shadow);
        shadow.queryRaw = async (query) => {
          const result = await queryRaw(query);
          result.columnNames.forEach((column, i) => {
            if (column === "constraint_type") result.columnTypes[i] = ColumnTypeEnum.Character;
          });
          return result;
        };
        const dispose = shadow.dispose.bind(shadow);
        shadow.dispose = async () => {
          await dispose();
          await admin.query(`DROP DATABASE IF EXISTS "${name}"`);
          await admin.end();
        };
        return shadow;
      },
    });
  },
});
