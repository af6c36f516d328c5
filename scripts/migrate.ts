// Applies prisma/migrations to the configured database (embedded PGlite by default,
// DATABASE_URL when set) with `prisma migrate deploy` on the JS schema engine.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { PGLITE_PLACEHOLDER_URL } from "../server/env";

const require = createRequire(import.meta.url);
const prismaCli = require.resolve("prisma/build/index.js");
const command = process.argv[2] ?? "deploy";
if (!["deploy", "status"].includes(command)) {
  console.error(`usage: migrate.ts [deploy|status]`);
  process.exit(2);
}
const result = spawnSync(process.execPath, [prismaCli, "migrate", command], {
  stdio: "inherit",
  env: { ...process.env, DATABASE_URL: process.env.DATABASE_URL || PGLITE_PLACEHOLDER_URL },
});
process.exit(result.status ?? 1);
