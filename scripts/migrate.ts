// Applies prisma/migrations to the configured database (embedded PGlite by default,
// DATABASE_URL when set) with `prisma migrate deploy` on the JS schema engine.
//
// With PGlite, the Prisma CLI sometimes finishes its work and then never exits: the
// embedded Postgres keeps timers alive (ENVIRONMENT.md). So the CLI's output is watched
// for its final status line; if the process is still alive a moment after printing it,
// it is ended and its result stands.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { PGLITE_PLACEHOLDER_URL } from "../server/env";

const require = createRequire(import.meta.url);
const prismaCli = require.resolve("prisma/build/index.js");
const command = process.argv[2] ?? "deploy";
if (!["deploy", "status"].includes(command)) {
  console.error("usage: migrate.ts [deploy|status]");
  process.exit(2);
}

const DONE = /No pending migrations to apply|All migrations have been successfully applied|Database schema is up to date/;
const GRACE_MS = 2_000;
const LIMIT_MS = 10 * 60_000;

const child = spawn(process.execPath, [prismaCli, "migrate", command], {
  stdio: ["ignore", "pipe", "pipe"],
  env: { ...process.env, DATABASE_URL: process.env.DATABASE_URL || PGLITE_PLACEHOLDER_URL },
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
