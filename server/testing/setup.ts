// Runs before every test file: a throwaway data dir and secret key, and a fresh database
// that server/db picks up instead of opening the real one.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, inject } from "vitest";
import type {} from "@/server/testing/pglite-template"; // its ProvidedContext type
import { createTestDb } from "@/server/testing/test-db";

process.env.SLIPWAY_DATA_DIR ??= fs.mkdtempSync(path.join(os.tmpdir(), "slipway-test-"));
process.env.SLIPWAY_SECRET_KEY ??= "test-secret-key";

const testDb = await createTestDb({ template: inject("pgliteTemplate") });
(globalThis as unknown as { slipwayDb?: unknown }).slipwayDb = testDb.db;

afterAll(async () => {
  await testDb.close();
});
