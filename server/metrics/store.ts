import "server-only";
// Metric rows in the database: samples added into 1-minute buckets, 10-minute rollups and
// retention. The sampler is the only writer (one per control plane). Router buckets are read,
// merged and written back (their counts are JSON); dyno buckets, written every sampler
// round, are merged in one SQL statement.
import { db, Prisma } from "@/server/db";
import { BUCKETS } from "@/server/router/counters";
import {
  COARSE,
  FINE,
  MINUTE_MS,
  emptyDynoBucket,
  emptyRouterBucket,
  mergeDyno,
  mergeRouter,
  percentile,
  type DynoBucket,
  type RouterBucket,
} from "@/server/metrics/aggregate";

/** How long each resolution is kept. */
export const RETENTION_MS = { [FINE]: 24 * 60 * MINUTE_MS, [COARSE]: 7 * 24 * 60 * MINUTE_MS } as const;
/** A 10-minute window is rolled up this long after it ends: router deltas arrive up to a read interval late. */
export const ROLLUP_GRACE_MS = 2 * MINUTE_MS;

const dynoKey = (appId: string, type: string) => `${appId}\t${type}`;

/** Apps that still exist: samples of an app destroyed a moment ago are dropped, not an error. */
async function existingApps(appIds: Iterable<string>): Promise<Set<string>> {
  const ids = [...new Set(appIds)];
  if (ids.length === 0) return new Set();
  const rows = await db.app.findMany({ where: { id: { in: ids } }, select: { id: true } });
  return new Set(rows.map((r) => r.id));
}

function dynoFields(b: DynoBucket) {
  return {
    samples: b.samples, memSum: b.memSum, memMax: b.memMax, memQuota: b.memQuota,
    cpuSamples: b.cpuSamples, cpuSum: b.cpuSum, cpuMax: b.cpuMax, cpuQuota: b.cpuQuota, dynos: b.dynos,
  };
}

export function routerFields(b: RouterBucket) {
  return {
    requests: b.requests,
    statuses: b.statuses,
    errors: b.errors,
    latency: b.latency,
    p50: percentile(b.latency, BUCKETS, 0.5),
    p95: percentile(b.latency, BUCKETS, 0.95),
    p99: percentile(b.latency, BUCKETS, 0.99),
  };
}

export const rowToDyno = (r: DynoBucket): DynoBucket => ({ ...emptyDynoBucket(), ...dynoFields(r) });
export const rowToRouter = (r: { requests: number; statuses: unknown; errors: unknown; latency: number[] }): RouterBucket => ({
  requests: r.requests,
  statuses: (r.statuses ?? {}) as Record<string, number>,
  errors: (r.errors ?? {}) as Record<string, number>,
  latency: r.latency,
});

/** Adds one sampler tick (per app and process type) into the 1-minute bucket starting at `at`. */
export async function addDynoSamples(at: Date, samples: Map<string, { appId: string; type: string; bucket: DynoBucket }>) {
  const rows = [...samples.values()];
  if (rows.length === 0) return 0;
  // One statement a round, merged in SQL as mergeDyno merges (sums add up, maxima, quotas and
  // dynos take the larger): the read, merge and one upsert per app and type that this was
  // cost ~100 ms of CPU a round for 50 apps (Prisma builds each query; in-process PGlite
  // runs it), two thirds of an idle control plane's CPU (bench/control-plane). Rows of an
  // app destroyed a moment ago are left out (the EXISTS), not an error.
  const values = Prisma.join(
    rows.map(
      ({ appId, type, bucket: b }) =>
        Prisma.sql`(${appId}, ${type}, ${b.samples}::int, ${b.memSum}::float8, ${b.memMax}::float8, ${b.memQuota}::float8, ${b.cpuSamples}::int, ${b.cpuSum}::float8, ${b.cpuMax}::float8, ${b.cpuQuota}::float8, ${b.dynos}::int)`,
    ),
  );
  return db.$executeRaw`
    INSERT INTO "DynoMetric" ("appId", "type", "resolution", "at", "samples", "memSum", "memMax", "memQuota", "cpuSamples", "cpuSum", "cpuMax", "cpuQuota", "dynos")
    SELECT v.app_id, v.type, ${FINE}::int, (${at.toISOString()}::timestamptz AT TIME ZONE 'UTC')::timestamp(3), v.samples, v.mem_sum, v.mem_max, v.mem_quota, v.cpu_samples, v.cpu_sum, v.cpu_max, v.cpu_quota, v.dynos
    FROM (VALUES ${values}) AS v (app_id, type, samples, mem_sum, mem_max, mem_quota, cpu_samples, cpu_sum, cpu_max, cpu_quota, dynos)
    WHERE EXISTS (SELECT 1 FROM "App" a WHERE a."id" = v.app_id)
    ON CONFLICT ("appId", "resolution", "at", "type") DO UPDATE SET
      "samples" = "DynoMetric"."samples" + EXCLUDED."samples",
      "memSum" = "DynoMetric"."memSum" + EXCLUDED."memSum",
      "memMax" = GREATEST("DynoMetric"."memMax", EXCLUDED."memMax"),
      "memQuota" = GREATEST("DynoMetric"."memQuota", EXCLUDED."memQuota"),
      "cpuSamples" = "DynoMetric"."cpuSamples" + EXCLUDED."cpuSamples",
      "cpuSum" = "DynoMetric"."cpuSum" + EXCLUDED."cpuSum",
      "cpuMax" = GREATEST("DynoMetric"."cpuMax", EXCLUDED."cpuMax"),
      "cpuQuota" = GREATEST("DynoMetric"."cpuQuota", EXCLUDED."cpuQuota"),
      "dynos" = GREATEST("DynoMetric"."dynos", EXCLUDED."dynos")`;
}

/** Adds router deltas (per app) into the 1-minute bucket starting at `at`. */
export async function addRouterDeltas(at: Date, deltas: Map<string, RouterBucket>) {
  const apps = await existingApps(deltas.keys());
  const wanted = [...deltas].filter(([appId]) => apps.has(appId));
  if (wanted.length === 0) return 0;
  const existing = await db.routerMetric.findMany({ where: { resolution: FINE, at, appId: { in: [...apps] } } });
  const byApp = new Map(existing.map((r) => [r.appId, rowToRouter(r)]));
  await db.$transaction(
    wanted.map(([appId, delta]) => {
      const merged = routerFields(mergeRouter(byApp.get(appId) ?? emptyRouterBucket(), delta));
      return db.routerMetric.upsert({
        where: { appId_resolution_at: { appId, resolution: FINE, at } },
        create: { appId, resolution: FINE, at, ...merged },
        update: merged,
      });
    }),
  );
  return wanted.length;
}

/**
 * Where rolling up should start: right after the newest 10-minute row, or at the oldest
 * 1-minute row when there is none yet. Never before what 1-minute retention still keeps.
 */
export async function firstWindowToRollUp(now: number): Promise<number> {
  const floor = now - RETENTION_MS[FINE];
  const [dynoCoarse, routerCoarse] = await Promise.all([
    db.dynoMetric.findFirst({ where: { resolution: COARSE }, orderBy: { at: "desc" }, select: { at: true } }),
    db.routerMetric.findFirst({ where: { resolution: COARSE }, orderBy: { at: "desc" }, select: { at: true } }),
  ]);
  const newest = Math.max(dynoCoarse?.at.getTime() ?? -Infinity, routerCoarse?.at.getTime() ?? -Infinity);
  if (newest > -Infinity) return Math.max(newest + COARSE * MINUTE_MS, floor - (floor % (COARSE * MINUTE_MS)));
  const [dynoFine, routerFine] = await Promise.all([
    db.dynoMetric.findFirst({ where: { resolution: FINE }, orderBy: { at: "asc" }, select: { at: true } }),
    db.routerMetric.findFirst({ where: { resolution: FINE }, orderBy: { at: "asc" }, select: { at: true } }),
  ]);
  const oldest = Math.min(dynoFine?.at.getTime() ?? Infinity, routerFine?.at.getTime() ?? Infinity);
  const start = oldest === Infinity ? now : Math.max(oldest, floor);
  return start - (start % (COARSE * MINUTE_MS));
}

/** Merges rows of one table into buckets of `minutes`, keyed by app (and process type). */
export function rollUpDynoRows<R extends DynoBucket & { appId: string; type: string; at: Date }>(rows: R[], minutes: number) {
  const out = new Map<string, { appId: string; type: string; at: number; bucket: DynoBucket }>();
  const ms = minutes * MINUTE_MS;
  for (const r of rows) {
    const at = Math.floor(r.at.getTime() / ms) * ms;
    const key = `${dynoKey(r.appId, r.type)}\t${at}`;
    const prev = out.get(key);
    out.set(key, { appId: r.appId, type: r.type, at, bucket: mergeDyno(prev?.bucket ?? emptyDynoBucket(), rowToDyno(r)) });
  }
  return [...out.values()];
}

export function rollUpRouterRows<R extends Parameters<typeof rowToRouter>[0] & { appId: string; at: Date }>(rows: R[], minutes: number) {
  const out = new Map<string, { appId: string; at: number; bucket: RouterBucket }>();
  const ms = minutes * MINUTE_MS;
  for (const r of rows) {
    const at = Math.floor(r.at.getTime() / ms) * ms;
    const key = `${r.appId}\t${at}`;
    out.set(key, { appId: r.appId, at, bucket: mergeRouter(out.get(key)?.bucket ?? emptyRouterBucket(), rowToRouter(r)) });
  }
  return [...out.values()];
}

/**
 * Rolls 1-minute rows up into 10-minute rows for every window from `from` that ended at
 * least ROLLUP_GRACE_MS before `now` (at most `maxWindows` per call, so one call stays
 * small after a long outage). Writing a window again gives the same row. Returns where
 * the next call should start.
 */
export async function rollUp(from: number, now: number, maxWindows = 36): Promise<number> {
  const windowMs = COARSE * MINUTE_MS;
  let start = from - (from % windowMs);
  for (let i = 0; i < maxWindows && start + windowMs + ROLLUP_GRACE_MS <= now; i++, start += windowMs) {
    const where = { resolution: FINE, at: { gte: new Date(start), lt: new Date(start + windowMs) } };
    const [dyno, router] = await Promise.all([db.dynoMetric.findMany({ where }), db.routerMetric.findMany({ where })]);
    if (dyno.length === 0 && router.length === 0) continue;
    const at = new Date(start);
    await db.$transaction([
      ...rollUpDynoRows(dyno, COARSE).map(({ appId, type, bucket }) =>
        db.dynoMetric.upsert({
          where: { appId_resolution_at_type: { appId, resolution: COARSE, at, type } },
          create: { appId, type, resolution: COARSE, at, ...dynoFields(bucket) },
          update: dynoFields(bucket),
        }),
      ),
      ...rollUpRouterRows(router, COARSE).map(({ appId, bucket }) => {
        const fields = routerFields(bucket);
        return db.routerMetric.upsert({
          where: { appId_resolution_at: { appId, resolution: COARSE, at } },
          create: { appId, resolution: COARSE, at, ...fields },
          update: fields,
        });
      }),
    ]);
  }
  return start;
}

/** Drops what retention no longer keeps: 1-minute rows after 24 h, 10-minute rows and markers after 7 days. */
export async function prune(now: number) {
  const fine = { resolution: FINE, at: { lt: new Date(now - RETENTION_MS[FINE]) } };
  const coarse = { resolution: COARSE, at: { lt: new Date(now - RETENTION_MS[COARSE]) } };
  const results = await Promise.all([
    db.dynoMetric.deleteMany({ where: fine }),
    db.dynoMetric.deleteMany({ where: coarse }),
    db.routerMetric.deleteMany({ where: fine }),
    db.routerMetric.deleteMany({ where: coarse }),
    db.restartEvent.deleteMany({ where: { at: { lt: new Date(now - RETENTION_MS[COARSE]) } } }),
  ]);
  return results.reduce((n, r) => n + r.count, 0);
}
