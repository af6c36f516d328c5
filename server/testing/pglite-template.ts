// Vitest global set-up: one migrated PGlite database, dumped to a file that every test
// file's fresh database is loaded from (server/testing/setup.ts). A new in-memory PGlite
// runs initdb (about 2.5 s on this machine, once per test file: three minutes of a run);
// loading the dump takes about 0.6 s and needs no migrations.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import type { TestProject } from "vitest/node";
import { migrationSql } from "@/server/testing/test-db";

declare module "vitest" {
  export interface ProvidedContext {
    pgliteTemplate?: string;
  }
}

export default async function setup(project: TestProject) {
  if (process.env.SLIPWAY_TEST_DATABASE_URL) return; // each file gets a database on that server
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-pglite-"));
  const file = path.join(dir, "template.tar");
  const pglite = new PGlite();
  for (const sql of migrationSql()) await pglite.exec(sql);
  const dump = await pglite.dumpDataDir("none");
  fs.writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  await pglite.close();
  project.provide("pgliteTemplate", file);
  return () => fs.rmSync(dir, { recursive: true, force: true });
}
