// The arithmetic on its own: what docker's stats mean, counter deltas, percentiles.
import { describe, expect, it } from "vitest";
import { BUCKETS } from "@/server/router/counters";
import { bucketStart, counterDelta, cpuCores, memoryUsed, percentile } from "@/server/metrics/aggregate";

describe("metrics arithmetic", () => {
  it("counts memory like the docker CLI: usage minus the inactive page cache (cgroup v1 and v2)", () => {
    expect(memoryUsed({ usage: 100, stats: { total_inactive_file: 30, inactive_file: 10 } })).toBe(70);
    expect(memoryUsed({ usage: 100, stats: { inactive_file: 10 } })).toBe(90);
    expect(memoryUsed({ usage: 100, stats: { total_inactive_file: 200 } })).toBe(100);
    expect(memoryUsed({ usage: 100 })).toBe(100);
    expect(memoryUsed({})).toBeNull(); // a stopped container has no reading
  });

  it("turns two CPU readings into cores used", () => {
    // 0.5 s of container CPU while the 2-CPU host ran 2 s of CPU time (1 s of wall time).
    expect(cpuCores({ total: 1e9, system: 10e9, onlineCpus: 2 }, { total: 1.5e9, system: 12e9, onlineCpus: 2 })).toBe(0.5);
    expect(cpuCores({ total: 1e9, system: 10e9, onlineCpus: 2 }, { total: 1.5e9, system: 10e9, onlineCpus: 2 })).toBeNull();
  });

  it("takes deltas of cumulative counters, all of them when the counters went down", () => {
    const prev = { status: { "2xx": 10 }, codes: {}, latency: [10, 0] };
    expect(counterDelta(prev, { status: { "2xx": 14, "5xx": 1 }, codes: { H12: 1 }, latency: [14, 1] })).toEqual({
      requests: 5, statuses: { "2xx": 4, "5xx": 1 }, errors: { H12: 1 }, latency: [4, 1],
    });
    expect(counterDelta(prev, prev)).toBeNull();
    expect(counterDelta(prev, { status: { "2xx": 3 }, codes: {}, latency: [3, 0] })).toMatchObject({ requests: 3, latency: [3, 0] });
  });

  it("estimates percentiles inside the histogram's buckets", () => {
    const h = BUCKETS.map(() => 0).concat(0);
    expect(percentile(h, BUCKETS, 0.5)).toBeNull();
    h[0] = 50; // ≤ 5 ms
    h[4] = 50; // 50–100 ms
    expect(percentile(h, BUCKETS, 0.5)).toBe(5);
    expect(percentile(h, BUCKETS, 0.99)).toBe(99);
    h[BUCKETS.length] = 1000; // slower than the largest bound
    expect(percentile(h, BUCKETS, 0.99)).toBe(30000);
  });

  it("aligns buckets on the minute and on ten minutes", () => {
    const t = Date.UTC(2026, 10, 28, 12, 17, 42);
    expect(new Date(bucketStart(t, 1)).toISOString()).toBe("2026-11-28T12:17:00.000Z");
    expect(new Date(bucketStart(t, 10)).toISOString()).toBe("2026-11-28T12:10:00.000Z");
  });
});
