// bench/addons — time from "add" to `available` per add-on service, on the real Engine,
// through the same services the dashboard and the CLI call (row written, container made,
// server answering with its credentials, app network attached, config var released).
//
//   npm run bench:addons                 (needs dockerd and the add-on images: npm run up / npm test build them)
//   npm run bench:addons -- --build      also times building both images from scratch (no cache)
//
// Prints, per service, the median of RUNS rounds and each provisioning step's share.
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { reportBench } from "@/bench/report";

process.env.SLIPWAY_DATA_DIR ??= fs.mkdtempSync(path.join(os.tmpdir(), "slipway-bench-"));
process.env.SLIPWAY_SECRET_KEY ??= "bench";

const RUNS = Number(process.env.RUNS ?? 3);
const root = path.join(path.dirname(new URL(import.meta.url).pathname), "..");

const { createTestDb } = await import("@/server/testing/test-db");
const testDb = await createTestDb();
(globalThis as unknown as { slipwayDb: unknown }).slipwayDb = testDb.db;

const { db } = await import("@/server/db");
const { addonBus } = await import("@/server/addons/events");
const { ensureAddonImages } = await import("@/server/testing/addon-images");
const { STACK_IMAGE, docker } = await import("@/server/runtime/docker");
const { buildImage } = await import("@/server/build/images");
const { createUser } = await import("@/server/services/users");
const { createApp } = await import("@/server/services/apps");
const { createAddon, destroyAddon } = await import("@/server/services/addons");
const { provisionInBackground } = await import("@/server/services/addon-provisioning");

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const installation = `bench-${crypto.randomBytes(4).toString("hex")}`;
await db.setting.create({ data: { key: "installation_id", value: installation } });
await ensureAddonImages();

if (process.argv.includes("--build")) {
  for (const service of ["postgres", "redis"]) {
    const tag = `slipway-bench/addon-${service}:${installation}`;
    const started = performance.now();
    await buildImage({ contextDir: path.join(root, "images", `addon-${service}`), tag, buildArgs: { STACK: STACK_IMAGE }, noCache: true });
    console.log(`image addon-${service}: built from scratch in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    await docker().getImage(tag).remove({ force: true });
  }
}

const user = await createUser({ email: `bench-${Date.now()}@example.com`, password: "password1" });
const app = await createApp({ userId: user.id });

async function once(service: string) {
  const started = performance.now();
  const steps: Array<[string, number]> = [];
  const addon = await createAddon({ appId: app.id, userId: user.id, service });
  const onChange = async (c: { addonId: string }) => {
    if (c.addonId !== addon.id) return;
    const at = performance.now();
    const row = await db.addon.findUnique({ where: { id: addon.id }, select: { progress: true } });
    if (row?.progress && steps.at(-1)?.[0] !== row.progress) steps.push([row.progress, at - started]);
  };
  addonBus.on("change", onChange);
  await provisionInBackground(addon.id);
  const total = performance.now() - started;
  addonBus.off("change", onChange);
  const row = await db.addon.findUniqueOrThrow({ where: { id: addon.id }, select: { state: true, error: true } });
  if (row.state !== "available") throw new Error(`${service} ended ${row.state}: ${row.error}`);
  await destroyAddon({ addonId: addon.id, userId: user.id });
  return { total, steps };
}

const headline: Record<string, string> = {};
try {
  for (const service of ["slipway-postgresql", "slipway-redis"]) {
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await once(service));
    const totals = runs.map((r) => r.total);
    console.log(`${service}: add → available median ${(median(totals) / 1000).toFixed(2)} s (runs: ${totals.map((t) => (t / 1000).toFixed(2)).join(", ")} s)`);
    headline[service.replace("slipway-", "")] = `${(median(totals) / 1000).toFixed(2)} s`;
    const mid = runs.find((r) => r.total === median(totals))!;
    for (let i = 0; i < mid.steps.length; i++) {
      const [step, at] = mid.steps[i]!;
      const until = mid.steps[i + 1]?.[1] ?? mid.total;
      console.log(`  ${step.padEnd(48)} ${((until - at) / 1000).toFixed(2)} s`);
    }
  }
} finally {
  for (const a of await db.addon.findMany({ select: { id: true } })) await destroyAddon({ addonId: a.id, userId: user.id }).catch(() => undefined);
  await testDb.close();
}
reportBench({ bench: "addons", figures: headline, goal: "none set (add → available, per service)", met: null });
process.exit(0);
