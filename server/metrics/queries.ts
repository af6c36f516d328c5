import "server-only";
// What the Metrics page reads: one app, one range, a fixed number of points per series
// (1 h and 6 h in 1-minute points, 24 h and 7 days in 10-minute points), columns aligned
// on one time axis with null where nothing was measured. Every query names the app and a
// time range on the (appId, resolution, at) keys, so it reads only the rows it returns.
import { z } from "zod";
import { db } from "@/server/db";
import { COARSE, FINE, MINUTE_MS, bucketStart, type DynoBucket } from "@/server/metrics/aggregate";
import { rollUpDynoRows, rollUpRouterRows, routerFields } from "@/server/metrics/store";
import { dynoSize } from "@/server/runtime/sizes";

export const METRIC_RANGES = {
  "1h": { minutes: 60, step: FINE },
  "6h": { minutes: 6 * 60, step: FINE },
  "24h": { minutes: 24 * 60, step: COARSE },
  "7d": { minutes: 7 * 24 * 60, step: COARSE },
} as const;
export type MetricRange = keyof typeof METRIC_RANGES;
export const metricRangeSchema = z.enum(["1h", "6h", "24h", "7d"]);

const MARKER_LIMIT = 100;
const series = z.array(z.number().nullable());

export const metricsSchema = z.object({
  range: metricRangeSchema,
  stepMinutes: z.number().int(),
  /** Start of the first bucket and end of the last (ms since the epoch). */
  from: z.number(),
  to: z.number(),
  /** Start of each bucket; every series below has one value per bucket. */
  times: z.array(z.number()),
  processTypes: z.array(
    z.object({
      type: z.string(),
      size: z.string().nullable(),
      memoryQuotaMb: z.number().nullable(),
      cpuQuota: z.number().nullable(),
      /** Per dyno: the mean of all samples and the largest single one. */
      memoryAvgMb: series,
      memoryMaxMb: series,
      cpuAvg: series,
      cpuMax: series,
      dynos: series,
    }),
  ),
  router: z.object({
    totalRequests: z.number(),
    totalErrors: z.number(),
    /** Requests per minute by status class ("2xx"…). */
    throughput: z.array(z.object({ status: z.string(), perMinute: series })),
    p50: series,
    p95: series,
    p99: series,
    /** Router errors per bucket by H-code. */
    errors: z.array(z.object({ code: z.string(), counts: series })),
  }),
  markers: z.array(z.object({ at: z.number(), kind: z.enum(["deploy", "restart", "crash"]), label: z.string() })),
});
export type Metrics = z.infer<typeof metricsSchema>;

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;
const MB = 1024 * 1024;

const TYPE_ORDER = (a: string, b: string) => (a === "web" ? -1 : b === "web" ? 1 : a.localeCompare(b));

/** Rows of `step`-minute buckets in [from, to): stored rollups, then the 1-minute rows after the last one merged on the fly. */
async function dynoBuckets(appId: string, from: number, to: number, step: number) {
  const range = (gte: number) => ({ appId, at: { gte: new Date(gte), lt: new Date(to) } });
  if (step === FINE) return rollUpDynoRows(await db.dynoMetric.findMany({ where: { ...range(from), resolution: FINE } }), FINE);
  const coarse = await db.dynoMetric.findMany({ where: { ...range(from), resolution: COARSE }, orderBy: { at: "asc" } });
  const rolledUntil = coarse.length ? coarse[coarse.length - 1]!.at.getTime() + COARSE * MINUTE_MS : from;
  const fine = await db.dynoMetric.findMany({ where: { ...range(rolledUntil), resolution: FINE } });
  return [...rollUpDynoRows(coarse, COARSE), ...rollUpDynoRows(fine, COARSE)];
}

async function routerBuckets(appId: string, from: number, to: number, step: number) {
  const range = (gte: number) => ({ appId, at: { gte: new Date(gte), lt: new Date(to) } });
  if (step === FINE) return rollUpRouterRows(await db.routerMetric.findMany({ where: { ...range(from), resolution: FINE } }), FINE);
  const coarse = await db.routerMetric.findMany({ where: { ...range(from), resolution: COARSE }, orderBy: { at: "asc" } });
  const rolledUntil = coarse.length ? coarse[coarse.length - 1]!.at.getTime() + COARSE * MINUTE_MS : from;
  const fine = await db.routerMetric.findMany({ where: { ...range(rolledUntil), resolution: FINE } });
  return [...rollUpRouterRows(coarse, COARSE), ...rollUpRouterRows(fine, COARSE)];
}

export async function getMetrics(input: { appId: string; range: MetricRange; now?: number }): Promise<Metrics> {
  const { minutes, step } = METRIC_RANGES[input.range];
  const stepMs = step * MINUTE_MS;
  const to = bucketStart(input.now ?? Date.now(), step) + stepMs;
  const from = to - minutes * MINUTE_MS;
  const count = minutes / step;
  const times = Array.from({ length: count }, (_, i) => from + i * stepMs);
  const slot = (at: number) => Math.floor((at - from) / stepMs);
  const empty = () => new Array<number | null>(count).fill(null);
  const zeros = () => new Array<number | null>(count).fill(0);

  const [dyno, router, formation, releases, restarts] = await Promise.all([
    dynoBuckets(input.appId, from, to, step),
    routerBuckets(input.appId, from, to, step),
    db.formation.findMany({ where: { appId: input.appId }, select: { type: true, size: true } }),
    db.release.findMany({
      // Releases that ran code (not the initial release or config changes before a first deploy).
      where: { appId: input.appId, status: "succeeded", imageTag: { not: null }, createdAt: { gte: new Date(from), lt: new Date(to) } },
      orderBy: { createdAt: "desc" },
      take: MARKER_LIMIT,
      select: { version: true, description: true, createdAt: true },
    }),
    db.restartEvent.findMany({
      where: { appId: input.appId, at: { gte: new Date(from), lt: new Date(to) } },
      orderBy: { at: "desc" },
      take: MARKER_LIMIT,
      select: { kind: true, message: true, at: true },
    }),
  ]);

  const sizes = new Map(formation.map((f) => [f.type, f.size]));
  const byType = new Map<string, { at: number; bucket: DynoBucket }[]>();
  for (const r of dyno) byType.set(r.type, [...(byType.get(r.type) ?? []), r]);
  const processTypes = [...byType.keys()].sort(TYPE_ORDER).map((type) => {
    const rows = byType.get(type)!.sort((a, b) => a.at - b.at);
    const latest = rows[rows.length - 1]!.bucket;
    const s = { memoryAvgMb: empty(), memoryMaxMb: empty(), cpuAvg: empty(), cpuMax: empty(), dynos: empty() };
    for (const { at, bucket: b } of rows) {
      const i = slot(at);
      if (i < 0 || i >= count) continue;
      if (b.samples > 0) {
        s.memoryAvgMb[i] = round(b.memSum / b.samples / MB, 1);
        s.memoryMaxMb[i] = round(b.memMax / MB, 1);
      }
      if (b.cpuSamples > 0) {
        s.cpuAvg[i] = round(b.cpuSum / b.cpuSamples, 3);
        s.cpuMax[i] = round(b.cpuMax, 3);
      }
      s.dynos[i] = b.dynos;
    }
    // The quota in force at the newest sample; the formation's size when none was recorded.
    const size = dynoSize(sizes.get(type) ?? "");
    return {
      type,
      size: sizes.get(type) ?? null,
      memoryQuotaMb: latest.memQuota ? round(latest.memQuota / MB, 0) : (size?.memoryMb ?? null),
      cpuQuota: latest.cpuQuota || (size?.cpus ?? null),
      ...s,
    };
  });

  const statusSeries = new Map<string, (number | null)[]>();
  const errorSeries = new Map<string, (number | null)[]>();
  const p = { p50: empty(), p95: empty(), p99: empty() };
  let totalRequests = 0;
  let totalErrors = 0;
  for (const { at, bucket } of router) {
    const i = slot(at);
    if (i < 0 || i >= count) continue;
    totalRequests += bucket.requests;
    for (const [status, n] of Object.entries(bucket.statuses)) {
      const list = statusSeries.get(status) ?? zeros();
      list[i] = round((list[i] ?? 0) + n / step, 2);
      statusSeries.set(status, list);
    }
    for (const [code, n] of Object.entries(bucket.errors)) {
      const list = errorSeries.get(code) ?? zeros();
      list[i] = (list[i] ?? 0) + n;
      errorSeries.set(code, list);
      totalErrors += n;
    }
    const f = routerFields(bucket);
    p.p50[i] = f.p50;
    p.p95[i] = f.p95;
    p.p99[i] = f.p99;
  }

  const markers = [
    ...releases.map((r) => ({ at: r.createdAt.getTime(), kind: "deploy" as const, label: `v${r.version} · ${r.description}` })),
    ...restarts.map((r) => ({ at: r.at.getTime(), kind: r.kind === "crash" ? ("crash" as const) : ("restart" as const), label: r.message })),
  ].sort((a, b) => a.at - b.at);

  return {
    range: input.range,
    stepMinutes: step,
    from,
    to,
    times,
    processTypes,
    router: {
      totalRequests,
      totalErrors,
      throughput: [...statusSeries].sort(([a], [b]) => a.localeCompare(b)).map(([status, perMinute]) => ({ status, perMinute })),
      ...p,
      errors: [...errorSeries].sort(([a], [b]) => a.localeCompare(b)).map(([code, counts]) => ({ code, counts })),
    },
    markers,
  };
}
