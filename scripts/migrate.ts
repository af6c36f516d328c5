// Applies prisma/migrations to the configured database.
//
// Embedded PGlite (the default): in this process, one database instance, closed cleanly
// (server/db/migrations.ts says why not the Prisma CLI), then opened again to check that
// every migration is there.
//
// PostgreSQL (DATABASE_URL): `prisma migrate deploy` on the JS schema engine. Its output is
// watched for the final status line; if the process is still alive a moment after printing
// it, it is ended and its result stands.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { applyMigrations, listMigrations, migrationState } from "../server/db/migrations";
import { dbTarget } from "../server/env";

const require = createRequire(import.meta.url);
const prismaCli = require.resolve("prisma/build/index.js");
const command = process.argv[2] ?? "deploy";
if (!["deploy", "status"].includes(command)) {
  console.error("usage: migrate.ts [deploy|status]");
  process.exit(2);
}

const target = dbTarget();
if (target.kind === "pglite") {
  const { openPglite } = await import("../server/db/adapter");
  const migrations = listMigrations();
  try {
    let pglite = openPglite(target.dir);
    if (command === "status") {
      const state = await migrationState(pglite, migrations);
      console.log(`${migrations.length} migrations; ${state.applied.length} applied to ${target.dir}`);
      for (const m of state.pending) console.log(`  pending: ${m.name}`);
      for (const name of state.failed) console.log(`  failed: ${name}`);
      await pglite.close();
      process.exit(state.pending.length || state.failed.length ? 1 : 0);
    }
    const applied = await applyMigrations(pglite, (line) => console.log(line), migrations);
    await pglite.close();
    // Opened again: what the server will see.
    pglite = openPglite(target.dir);
    const state = await migrationState(pglite, migrations);
    await pglite.close();
    if (state.pending.length) {
      throw new Error(`after applying, ${state.pending.length} migration(s) are still missing from ${target.dir}: ${state.pending.map((m) => m.name).join(", ")}`);
    }
    console.log(applied.length ? `All migrations have been successfully applied (${applied.length} new, ${migrations.length} in all).` : `No pending migrations to apply (${migrations.length} applied).`);
    process.exit(0);
  } catch (err) {
    console.error(`migrate.ts: ${(err as Error).message}`);
    process.exit(1);
  }
}

const DONE = /No pending migrations to apply|All migrations have been successfully applied|Database schema is up to date/;
const GRACE_MS = 2_000;
const LIMIT_MS = 10 * 60_000;

const child = spawn(process.execPath, [prismaCli, "migrate", command], {
  stdio: ["ignore", "pipe", "pipe"],
  env: process.env,
});

let finishedOk = false;
let graceTimer: NodeJS.Timeout | undefined;
const watch = (chunk: Buffer, out: NodeJS.WriteStream) => {
  out.write(chunk);
  if (!finishedOk && DONE.test(chunk.toString("utf8"))) {
    finishedOk = true;
    graceTimer = setTimeout(() => child.kill("SIGTERM"), GRACE_MS);
  }
};
child.stdout.on("data", (c: Buffer) => watch(c, process.stdout));
child.stderr.on("data", (c: Buffer) => watch(c, process.stderr));

const limit = setTimeout(() => {
  console.error(`migrate.ts: prisma migrate ${command} did not finish within ${LIMIT_MS / 60_000} minutes; stopping it.`);
  child.kill("SIGKILL");
}, LIMIT_MS);

child.on("exit", (code, signal) => {
  clearTimeout(graceTimer);
  clearTimeout(limit);
  if (finishedOk) process.exit(0);
  process.exit(code ?? (signal ? 1 : 0));
});
