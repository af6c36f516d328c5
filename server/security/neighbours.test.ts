// Noisy neighbours with real containers: beside a well-behaved web app under steady load
// through the real router, other owners' dynos hog memory, processes, CPU and disk. Each
// hog must be contained in its own dyno, and the well-behaved app's dyno must never
// restart or fail a request. Latencies are the bench's business (bench/neighbours.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reloadEnv } from "@/server/env";
import { bus } from "@/server/runtime/events";
import { updateFormation } from "@/server/services/formation";
import { diskLimitSupport } from "@/server/services/quotas-disk";
import { HOGS, startNeighbourhood } from "@/server/security/neighbours-fixture";
import { cleanupInstallation, ensureFixtureImage, testRuntimeOptions, waitFor } from "@/server/testing/runtime";

const opts = testRuntimeOptions();
let hood: Awaited<ReturnType<typeof startNeighbourhood>>;
let load: ReturnType<typeof hood.load>;
let before: Awaited<ReturnType<typeof hood.goodDynos>>;
const logs: { appId: string; dyno: string | null; message: string }[] = [];
const onLog = (l: { appId: string; dyno: string | null; message: string }) => logs.push(l);

beforeAll(async () => {
  process.env.SLIPWAY_QUOTA_DYNO_DISK_MB = "128"; // a small cap, where the host can have one
  reloadEnv();
  bus.on("log", onLog);
  hood = await startNeighbourhood(opts, await ensureFixtureImage());
  await hood.ready();
  before = await hood.goodDynos();
  load = hood.load(1);
}, 180_000);

afterAll(async () => {
  await load?.stop();
  bus.off("log", onLog);
  await hood?.stop();
  await cleanupInstallation(opts.installation);
  delete process.env.SLIPWAY_QUOTA_DYNO_DISK_MB;
  reloadEnv();
});

/** The well-behaved app: same container, never restarted, up, every request answered. */
async function expectGoodUntouched() {
  const now = await hood.goodDynos();
  expect(now.containers).toEqual(before.containers);
  expect(now.rows).toEqual([{ name: "web.1", state: "up", restartCount: 0 }]);
  expect(load.failures).toEqual([]);
}

type CpuStats = { cpu_usage: { total_usage: number }; system_cpu_usage?: number; online_cpus?: number; throttling_data?: { throttled_periods: number } };
type Stats = { pids_stats?: { current?: number }; cpu_stats: CpuStats; precpu_stats: CpuStats };

describe("noisy neighbours", { timeout: 120_000 }, () => {
  it("a memory hog is killed alone, with R15 in its app's log", async () => {
    const hog = await hood.deploy("memhog", { worker: HOGS.memory }, { worker: 1 });
    await waitFor("R15 for the memory hog", async () => logs.some((l) => l.appId === hog.id && /Error R15 \(Memory quota vastly exceeded\)/.test(l.message)), 60_000);
    await updateFormation({ appId: hog.id, updates: [{ type: "worker", quantity: 0 }] });
    expect(new Set(logs.filter((l) => /R15/.test(l.message)).map((l) => l.appId))).toEqual(new Set([hog.id]));
    await expectGoodUntouched();
  });

  it("a fork bomb is stopped by its dyno's pids limit", async () => {
    const hog = await hood.deploy("forkbomb", { worker: HOGS.forks }, { worker: 1 });
    const container = await waitFor("the fork bomb's dyno", () => hood.containerOf(hog.id, "worker.1"));
    const pids = await waitFor("the fork bomb to reach its pids limit", async () => {
      const s = (await container.stats({ stream: false })) as Stats;
      return (s.pids_stats?.current ?? 0) >= 250 ? s.pids_stats!.current! : null;
    }, 60_000);
    expect(pids).toBeLessThanOrEqual(256);
    await updateFormation({ appId: hog.id, updates: [{ type: "worker", quantity: 0 }] });
    await waitFor("the fork bomb's dyno gone", async () => !(await hood.containerOf(hog.id, "worker.1")), 60_000);
    await expectGoodUntouched();
  });

  it("a CPU hog gets no more than its dyno's CPU share", async () => {
    const hog = await hood.deploy("cpuhog", { worker: HOGS.cpu }, { worker: 1 });
    const container = await waitFor("the CPU hog's dyno", () => hood.containerOf(hog.id, "worker.1"));
    expect((await container.inspect()).HostConfig.NanoCpus).toBe(1e9);
    // The Engine's one-shot stats carry two samples a second apart: the share of all cores used.
    const share = async () => {
      const s = (await container.stats({ stream: false })) as Stats;
      const cpu = s.cpu_stats.cpu_usage.total_usage - s.precpu_stats.cpu_usage.total_usage;
      const system = (s.cpu_stats.system_cpu_usage ?? 0) - (s.precpu_stats.system_cpu_usage ?? 0);
      return { cores: system > 0 ? (cpu / system) * (s.cpu_stats.online_cpus ?? 1) : 0, throttled: s.cpu_stats.throttling_data?.throttled_periods ?? 0 };
    };
    await waitFor("the CPU hog busy", async () => (await share()).cores > 0.2, 60_000);
    const samples = [await share(), await share(), await share()];
    console.log(`cpu hog with 4 busy loops (its size allows 1 CPU): ${samples.map((x) => x.cores.toFixed(2)).join(", ")} cores; throttled periods ${samples.at(-1)!.throttled}`);
    for (const x of samples) expect(x.cores).toBeLessThan(1.25);
    await updateFormation({ appId: hog.id, updates: [{ type: "worker", quantity: 0 }] });
    await expectGoodUntouched();
  });

  it("an app's many busy dynos take no more CPU than another app's one: CPU is split per app, not per container", async () => {
    const busy = `node -e "for(;;){}"`;
    const greedy = await hood.deploy("greedy", { worker: busy }, { worker: 4 });
    const modest = await hood.deploy("modest", { worker: busy }, { worker: 1 });
    const greedyDynos = await Promise.all([1, 2, 3, 4].map((n) => waitFor(`greedy worker.${n}`, () => hood.containerOf(greedy.id, `worker.${n}`), 60_000)));
    const modestDyno = await waitFor("modest worker.1", () => hood.containerOf(modest.id, "worker.1"), 60_000);
    // CPU time each container used over the same 3 s, from the Engine's counters.
    const used = async () => Promise.all([...greedyDynos, modestDyno].map(async (c) => ((await c.stats({ stream: false })) as Stats).cpu_stats.cpu_usage.total_usage));
    await waitFor("all five busy", async () => (await used()).every((ns) => ns > 2e8), 60_000);
    const t0 = await used();
    await new Promise((r) => setTimeout(r, 3_000)); // a measuring window, not a wait for an event
    const t1 = await used();
    const delta = t1.map((ns, i) => ns - t0[i]);
    const greedyNs = delta.slice(0, 4).reduce((a, b) => a + b, 0);
    const share = delta[4] / (greedyNs + delta[4]);
    console.log(`4 busy dynos vs 1: the lone dyno's app got ${(share * 100).toFixed(0)} % of their CPU (per container it would be 20 %, per app 50 %)`);
    expect(share).toBeGreaterThan(0.3); // per container ≈ 0.2 (measured 0.17 on the old code), per app ≈ 0.5
    expect((await modestDyno.inspect()).HostConfig.CgroupParent).toBe(`/slipway-${opts.installation}/${modest.id}`);
    await updateFormation({ appId: greedy.id, updates: [{ type: "worker", quantity: 0 }] });
    await updateFormation({ appId: modest.id, updates: [{ type: "worker", quantity: 0 }] });
    await expectGoodUntouched();
  });

  it("a disk filler hits the dyno's disk cap, or the platform says clearly that this host cannot cap disk", async () => {
    const support = await diskLimitSupport();
    const hog = await hood.deploy("diskfill", { worker: HOGS.disk(support.supported ? 512 : 32) }, { worker: 1 });
    const container = await waitFor("the disk filler's dyno", () => hood.containerOf(hog.id, "worker.1"));
    const opt = (await container.inspect()).HostConfig.StorageOpt;
    const storageOpt = opt && Object.keys(opt).length ? opt : null;
    if (support.supported) {
      expect(storageOpt).toEqual({ size: "128M" });
      await waitFor("ENOSPC in the filler's output", async () => {
        const out = await container.logs({ stdout: true, stderr: true });
        return /No space left on device/.test(out.toString());
      }, 60_000);
    } else {
      console.log(`disk: ${support.reason}`);
      expect(support.reason).toMatch(/^Dyno disk is not limited: the Engine's \S+ storage driver/);
      expect(support.reason).toMatch(/xfs mounted with pquota/);
      expect(storageOpt).toBeNull();
    }
    await updateFormation({ appId: hog.id, updates: [{ type: "worker", quantity: 0 }] });
    await expectGoodUntouched();
  });
});
