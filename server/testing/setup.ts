// Runs before every test file: a throwaway data dir and secret key, and a fresh database
// that server/db picks up instead of opening the real one.
//
// The unit tier runs its files without isolation (vitest.config.ts): one worker process
// runs file after file, keeping the modules it imported. Its database is made once per
// worker and emptied before each file instead (server/db exports the client it found first,
// and loading PGlite again per file was most of each file's fixed cost).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, inject } from "vitest";
import type {} from "@/server/testing/pglite-template"; // its ProvidedContext type
import { createTestDb, emptyTestDb, type TestDb } from "@/server/testing/test-db";

process.env.SLIPWAY_DATA_DIR ??= fs.mkdtempSync(path.join(os.tmpdir(), "slipway-test-"));
process.env.SLIPWAY_SECRET_KEY ??= "test-secret-key";
// bcrypt at cost 4, not 12: ~1 ms a hash or sign-in instead of ~0.4 s (server/env.ts).
process.env.SLIPWAY_PASSWORD_COST ??= "4";

const holder = globalThis as unknown as { slipwayDb?: unknown; slipwayTestDb?: TestDb };
if (process.env.SLIPWAY_TEST_SHARED_DB && holder.slipwayTestDb) {
  await emptyTestDb(holder.slipwayTestDb);
} else {
  const testDb = await createTestDb({ template: inject("pgliteTemplate") });
  holder.slipwayDb = testDb.db;
  if (process.env.SLIPWAY_TEST_SHARED_DB) holder.slipwayTestDb = testDb;
  else afterAll(async () => {
    await testDb.close();
  });
}
