// bench/neighbours — a well-behaved web app's p99 through the router, alone and then
// beside noisy neighbours (other owners' dynos hogging CPU, processes and memory), on the
// real Engine and router.
//
//   npm run bench:neighbours     (needs dockerd and the stack image: npm run up / npm test set them up)
//
// Each phase runs WINDOW_MS of back-to-back requests from CLIENTS clients. Goal (issue 12):
// p99 with the neighbours within 2× of p99 alone, and no failed request.
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { reportBench } from "@/bench/report";

process.env.SLIPWAY_DATA_DIR ??= fs.mkdtempSync(path.join(os.tmpdir(), "slipway-bench-"));
process.env.SLIPWAY_SECRET_KEY ??= "bench";

const WINDOW_MS = Number(process.env.WINDOW_MS ?? 8_000);
const CLIENTS = Number(process.env.CLIENTS ?? 2);

const { createTestDb } = await import("@/server/testing/test-db");
const testDb = await createTestDb();
(globalThis as unknown as { slipwayDb: unknown }).slipwayDb = testDb.db;

const { ensureFixtureImage } = await import("@/server/testing/fixture-image");
const { cleanupInstallation, testRuntimeOptions } = await import("@/server/testing/runtime");
const { HOGS, percentile, startNeighbourhood } = await import("@/server/security/neighbours-fixture");
const { updateFormation } = await import("@/server/services/formation");

// The platform's own crash cool-off (20 s doubling to 20 min, as Heroku), not the tests'
// short one: a crash-looping neighbour costs what it costs in production.
const { env } = await import("@/server/env");
const opts = {
  ...testRuntimeOptions(),
  installation: `bench-${crypto.randomBytes(4).toString("hex")}`,
  crashBackoffBaseMs: env().SLIPWAY_CRASH_BACKOFF_BASE_MS,
  crashBackoffMaxMs: env().SLIPWAY_CRASH_BACKOFF_MAX_MS,
};
const hood = await startNeighbourhood(opts, await ensureFixtureImage());

async function phase(name: string) {
  const load = hood.load(CLIENTS);
  await new Promise((r) => setTimeout(r, WINDOW_MS));
  await load.stop();
  const [p50, p99] = [percentile(load.latencies, 50), percentile(load.latencies, 99)];
  console.log(`${name.padEnd(28)} ${String(load.latencies.length).padStart(6)} requests  p50 ${p50.toFixed(1).padStart(6)} ms  p99 ${p99.toFixed(1).padStart(6)} ms  failed ${load.failures.length}`);
  return { p99, failures: load.failures.length };
}

// HOGS=cpu,forks,memory (the default: all three) picks the neighbours, to see which one costs what.
const ALL = { cpu: ["cpuhog", HOGS.cpu], forks: ["forkbomb", HOGS.forks], memory: ["memhog", HOGS.memory] } as const;
const chosen = (process.env.HOGS ?? "cpu,forks,memory").split(",").map((k) => ALL[k.trim() as keyof typeof ALL]).filter(Boolean);
const hogs: { id: string }[] = [];
try {
  await hood.ready();
  await phase("warm-up");
  const alone = await phase("alone");
  for (const [prefix, command] of chosen) hogs.push(await hood.deploy(prefix, { worker: command }, { worker: 1 }));
  // Let the hogs get going (the memory hog reaches its limit and crash-loops, the fork bomb fills its pids).
  await new Promise((r) => setTimeout(r, 3_000));
  const noisy = await phase(`with ${chosen.map(([p]) => p).join("+")}`);
  const before = await hood.goodDynos();
  console.log(`p99 ratio: ${(noisy.p99 / alone.p99).toFixed(2)}×   (goal: ≤ 2×); well-behaved dyno restarts: ${before.rows[0]?.restartCount ?? "?"}`);
  reportBench({
    bench: "neighbours",
    figures: { "p99 alone": `${alone.p99.toFixed(1)} ms`, "p99 with neighbours": `${noisy.p99.toFixed(1)} ms`, ratio: `${(noisy.p99 / alone.p99).toFixed(2)}×` },
    goal: "p99 beside noisy neighbours ≤ 2× alone, no failed request",
    met: noisy.p99 / alone.p99 <= 2 && noisy.failures === 0,
  });
} finally {
  for (const hog of hogs) await updateFormation({ appId: hog.id, updates: [{ type: "worker", quantity: 0 }] }).catch(() => undefined);
  await hood.stop();
  await cleanupInstallation(opts.installation);
  await testDb.close();
}
