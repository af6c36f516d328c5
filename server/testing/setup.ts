// Runs before every test file: a throwaway data dir and secret key, and a fresh database
// that server/db picks up instead of opening the real one.
//
// The unit tier and the Engine tier run their files without isolation (vitest.config.ts): one
// worker process runs file after file, keeping the modules it imported. Its database is made
// once per worker and emptied before each file instead (server/db exports the client it found
// first, and loading PGlite again per file was most of each file's fixed cost), and what the
// last file left running or changed is put back (leaveNothingBehind, below).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, inject } from "vitest";
import type {} from "@/server/testing/pglite-template"; // its ProvidedContext type
import { reloadEnv } from "@/server/env";
import { createTestDb, emptyTestDb, type TestDb } from "@/server/testing/test-db";

const newDataDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "slipway-test-"));
process.env.SLIPWAY_DATA_DIR ??= newDataDir();
process.env.SLIPWAY_SECRET_KEY ??= "test-secret-key";
// bcrypt at cost 4, not 12: ~1 ms a hash or sign-in instead of ~0.4 s (server/env.ts).
process.env.SLIPWAY_PASSWORD_COST ??= "4";

const holder = globalThis as unknown as {
  slipwayDb?: unknown;
  slipwayTestDb?: TestDb;
  slipwayTestEnv?: NodeJS.ProcessEnv;
  slipwayLogging?: { stop(): void };
  slipwayDriver?: unknown;
  slipwayDocker?: unknown;
};
if (process.env.SLIPWAY_TEST_SHARED_DB && holder.slipwayTestDb) {
  await leaveNothingBehind(holder.slipwayTestEnv!);
  await emptyTestDb(holder.slipwayTestDb);
} else {
  const testDb = await createTestDb({ template: inject("pgliteTemplate") });
  holder.slipwayDb = testDb.db;
  if (process.env.SLIPWAY_TEST_SHARED_DB) {
    holder.slipwayTestDb = testDb;
    holder.slipwayTestEnv = { ...process.env };
  } else {
    afterAll(async () => {
      await testDb.close();
    });
  }
}

// The installation each file's database gets (settings.installationId) when neither the
// test nor the environment names one: test-*, like every test installation, so what a test
// leaves in the Engine (a build's network, say) is swept by scripts/test.sh's next run
// instead of staying for good. Set after the shared worker's settings are kept (and put back,
// above), so each file has one of its own.
if (!process.env.SLIPWAY_INSTALLATION_ID) {
  process.env.SLIPWAY_INSTALLATION_ID = `test-${Math.random().toString(36).slice(2, 10)}`;
  reloadEnv();
}

/**
 * What one file of a shared worker may have left for the next (the Engine tier's files start
 * runtimes, change settings, point the Engine client elsewhere): the settings as the worker
 * began, a data dir of its own, and no runtime, log collector, driver or Engine client left
 * over. Each is made again, from these settings, by whoever asks for it next.
 */
async function leaveNothingBehind(settings: NodeJS.ProcessEnv) {
  // Imported only here: a static import would load the runtime's modules into every test
  // process; a file that used a runtime has them loaded already.
  const { stopRuntime } = await import("@/server/runtime");
  await stopRuntime().catch((err: unknown) => console.error("slipway test setup: the last file's runtime did not close", err));
  holder.slipwayLogging?.stop();
  for (const key of Object.keys(process.env)) if (!(key in settings)) delete process.env[key];
  Object.assign(process.env, settings, { SLIPWAY_DATA_DIR: newDataDir() });
  reloadEnv();
  holder.slipwayDriver = undefined;
  holder.slipwayDocker = undefined;
}
