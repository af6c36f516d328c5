// bench/pipeline — what promotion saves: `git push` of the zero-dependency Node fixture to a
// staging app until its web dyno first answers, against promoting that release to a
// production app until production's dyno first answers (same image, no build). Then a
// review app: a branch push until the push returns (the app made, built and released) and
// until its dyno answers, and the branch delete until the app is gone. Real Engine, real git.
//
//   npm run bench:pipeline      (needs dockerd and the builder image: npm run up / npm test set them up)
//
// Prints medians of RUNS rounds.
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { reportBench } from "@/bench/report";

process.env.SLIPWAY_DATA_DIR ??= fs.mkdtempSync(path.join(os.tmpdir(), "slipway-bench-"));
process.env.SLIPWAY_SECRET_KEY ??= "bench";

const RUNS = Number(process.env.RUNS ?? 3);

const { createTestDb } = await import("@/server/testing/test-db");
const testDb = await createTestDb();
(globalThis as unknown as { slipwayDb: unknown }).slipwayDb = testDb.db;

const { startRuntime, getRuntime } = await import("@/server/runtime");
const { cleanupInstallation } = await import("@/server/testing/runtime");
const { commitAll, dynoAnswer, fixtureRepo, git, push, remoteUrl } = await import("@/server/testing/git-push");
const { gitRoute, serveRoutes } = await import("@/server/testing/route-server");
const { createUser } = await import("@/server/services/users");
const { createApiKey } = await import("@/server/services/api-keys");
const { createApp } = await import("@/server/services/apps");
const { createPipeline, coupleApp } = await import("@/server/services/pipelines");
const { promote, getPromotion } = await import("@/server/services/pipelines/promotion");
const { enableReviewApps } = await import("@/server/services/pipelines/review-apps");
const { findPipelineForUser } = await import("@/server/services/pipelines/access");
const { removeBuildArtifacts } = await import("@/server/build/cleanup");
const { db } = await import("@/server/db");

async function until<T>(check: () => Promise<T | null | false>, timeoutMs = 180_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await check();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error("timed out");
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const installation = `bench-${crypto.randomBytes(4).toString("hex")}`;
await startRuntime({ installation, bootTimeoutMs: 60_000, stopTimeoutSeconds: 3, crashBackoffBaseMs: 1_000, crashBackoffMaxMs: 10_000, sweepIntervalMs: 5_000, port: 5000 });
const server = await serveRoutes([await gitRoute()]);
const user = await createUser({ email: `bench-${Date.now()}@example.com`, password: "password1" });
const key = (await createApiKey({ userId: user.id, description: "bench" })).token;
const answers = (appId: string, mark: string) => until(async () => ((await dynoAnswer(installation, appId))?.includes(mark) ? true : null));
const tag = () => crypto.randomBytes(3).toString("hex");
const appIds: string[] = [];
const figures = { push: [] as number[], promote: [] as number[], reviewPush: [] as number[], reviewAnswer: [] as number[], reviewDelete: [] as number[] };

try {
  for (let round = 0; round < RUNS; round++) {
    const staging = await createApp({ userId: user.id, name: `bp-stg-${tag()}` });
    const production = await createApp({ userId: user.id, name: `bp-prd-${tag()}` });
    appIds.push(staging.id, production.id);
    const pipelineRow = await createPipeline({ userId: user.id, name: `bp-${tag()}`, app: staging.name, stage: "staging" });
    await coupleApp({ userId: user.id, pipeline: pipelineRow.id, app: production.name, stage: "production" });
    const mark = `round-${round}-${tag()}`;
    const dir = await fixtureRepo("node-zero", (d) => fs.writeFileSync(path.join(d, "server.js"), `require("node:http").createServer((q, s) => s.end("${mark}\\n")).listen(process.env.PORT);\n`));

    let t = performance.now();
    const pushed = await push(dir, remoteUrl(server.url, staging.name, key));
    if (pushed.code !== 0) throw new Error(pushed.output);
    await answers(staging.id, mark);
    figures.push.push(performance.now() - t);

    t = performance.now();
    const promotion = await promote({ userId: user.id, pipeline: pipelineRow.id, source: staging.name });
    await until(async () => (await getPromotion({ userId: user.id, promotion: promotion.id })).status === "completed");
    await answers(production.id, mark);
    figures.promote.push(performance.now() - t);

    const pipeline = await findPipelineForUser({ userId: user.id, pipeline: pipelineRow.id, operation: "pipeline:review-apps" });
    await enableReviewApps({ userId: user.id, pipeline, parent: staging.name });
    await git(dir, ["checkout", "-q", "-b", "feature-x"]);
    await commitAll(dir, "feature");
    t = performance.now();
    const branch = await push(dir, remoteUrl(server.url, staging.name, key), "feature-x");
    if (branch.code !== 0) throw new Error(branch.output);
    figures.reviewPush.push(performance.now() - t);
    const reviewApp = await db.app.findUniqueOrThrow({ where: { name: `${staging.name}-pr-feature-x` }, select: { id: true } });
    appIds.push(reviewApp.id);
    await answers(reviewApp.id, mark);
    figures.reviewAnswer.push(performance.now() - t);
    t = performance.now();
    const deleted = await push(dir, remoteUrl(server.url, staging.name, key), ":feature-x");
    if (deleted.code !== 0) throw new Error(deleted.output);
    figures.reviewDelete.push(performance.now() - t);
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  console.log(`pipeline bench, median of ${RUNS} rounds (node-zero fixture)`);
  console.log(`  git push to staging → first 200:           ${s(median(figures.push))}`);
  console.log(`  promote staging → production, first 200:  ${s(median(figures.promote))}  (${(median(figures.promote) / median(figures.push)).toFixed(2)}× the push)`);
  console.log(`  review app: branch push returns:           ${s(median(figures.reviewPush))}`);
  console.log(`  review app: branch push → first 200:       ${s(median(figures.reviewAnswer))}`);
  console.log(`  review app: branch delete returns:         ${s(median(figures.reviewDelete))}`);
  reportBench({
    bench: "pipeline",
    figures: {
      "push → 200": s(median(figures.push)),
      "promote → 200": `${s(median(figures.promote))} (${(median(figures.promote) / median(figures.push)).toFixed(2)}× the push)`,
      "review app push → 200": s(median(figures.reviewAnswer)),
    },
    goal: "promotion faster than a push (no rebuild)",
    met: median(figures.promote) < median(figures.push),
  });
} finally {
  await server.close();
  await getRuntime()?.close();
  await cleanupInstallation(installation);
  for (const id of appIds) await removeBuildArtifacts(id).catch(() => undefined);
  await testDb.close();
}
