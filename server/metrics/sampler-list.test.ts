// When the metrics sampler asks the runtime for its dyno list: each round while the
// runtime's event stream is down, else once and again only after a container event (a
// start, an exit, a promotion), a dyno gone from under it, or a minute. A narrow unit test
// with a counting driver; sampler.test.ts samples real dynos on the Engine.
import { afterEach, describe, expect, it, vi } from "vitest";
import { DynoSampler } from "@/server/metrics/sampler";
import type { Dyno, RuntimeDriver } from "@/server/runtime/driver";
import { bus } from "@/server/runtime/events";

vi.mock("@/server/metrics/store", () => ({ addDynoSamples: async () => undefined, addRouterDeltas: async () => 0 }));

function countingDriver(ids: string[]) {
  const calls = { list: 0 };
  const gone = new Set<string>();
  const dyno = (id: string) => ({ id, appId: "app-1", type: "web", dyno: `web.${id}`, size: "standard-1x", status: "running", oneOff: false }) as unknown as Dyno;
  const driver = {
    listDynos: async () => {
      calls.list++;
      return ids.filter((id) => !gone.has(id)).map(dyno);
    },
    dynoStats: async (id: string) => (gone.has(id) ? null : { memoryBytes: 1024, cpu: null }),
    cpuCap: () => 2,
  } as unknown as RuntimeDriver;
  return { driver, calls, gone };
}

let sampler: DynoSampler | undefined;
afterEach(() => {
  sampler?.close();
  bus.emit("runtimeEvents", { connected: false });
  vi.useRealTimers();
});

describe("DynoSampler's dyno list", () => {
  it("is asked for every round while the runtime's events do not flow", async () => {
    const { driver, calls } = countingDriver(["a", "b"]);
    sampler = new DynoSampler("inst", driver);
    for (let i = 0; i < 3; i++) await sampler.sample();
    expect(calls.list).toBe(3);
  });

  it("is kept while events flow, and asked for again after a container event, a gone dyno or a minute", async () => {
    vi.useFakeTimers({ now: Date.parse("2026-12-07T03:00:00Z"), toFake: ["Date"] });
    const { driver, calls, gone } = countingDriver(["a", "b"]);
    bus.emit("runtimeEvents", { connected: true });
    sampler = new DynoSampler("inst", driver);
    expect((await sampler.sample()).map((s) => s.dyno)).toEqual(["web.a", "web.b"]);
    await sampler.sample();
    await sampler.sample();
    expect(calls.list).toBe(1);

    // A dyno started: the next round lists; one that soon after an event is not kept.
    bus.emit("container", { appId: "app-1", id: "c", action: "start" });
    await sampler.sample();
    expect(calls.list).toBe(2);
    await sampler.sample();
    expect(calls.list).toBe(3);
    vi.advanceTimersByTime(2_500);
    await sampler.sample();
    await sampler.sample();
    expect(calls.list).toBe(4);

    // A dyno removed without an event reaching this process: its read comes back empty.
    gone.add("b");
    expect((await sampler.sample()).map((s) => s.dyno)).toEqual(["web.a"]);
    await sampler.sample();
    expect(calls.list).toBe(5);

    vi.advanceTimersByTime(61_000);
    await sampler.sample();
    expect(calls.list).toBe(6);

    // The stream broke: every round lists again.
    bus.emit("runtimeEvents", { connected: false });
    await sampler.sample();
    await sampler.sample();
    expect(calls.list).toBe(8);
  });
});
