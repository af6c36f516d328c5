import path from "node:path";
import { defineConfig } from "prisma/config";
import { adapterFor } from "./server/db/adapter";
import { dbTarget } from "./server/env";

// The JS schema engine with a driver adapter: nothing is downloaded (ENVIRONMENT.md).
export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", "schema.prisma"),
  migrations: { path: path.join("prisma", "migrations") },
  adapter: async () => adapterFor(dbTarget(), { forMigrations: true }).adapter,
});
