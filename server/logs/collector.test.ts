// When the log collector lists the dynos to find ones to follow: every scan interval while
// the dyno manager's Engine events are not flowing, and while they flow only when a dyno
// starts (a `container` event), when the stream connects again, and now and then. A narrow
// unit test with a scripted runtime driver (following real dynos' output is logs.test.ts's).
import { afterEach, describe, expect, it } from "vitest";
import { LogCollector } from "@/server/logs/collector";
import type { RuntimeDriver } from "@/server/runtime/driver";
import { bus } from "@/server/runtime/events";
import { waitFor } from "@/server/testing/runtime";

function scriptedDriver() {
  const calls = { list: 0 };
  const driver = {
    listDynos: async () => (calls.list++, []),
    onBeforeRemove: () => () => undefined,
  } as unknown as RuntimeDriver;
  return { driver, calls };
}

let collector: LogCollector | undefined;
afterEach(() => {
  collector?.close();
  bus.emit("runtimeEvents", { connected: false });
});

describe("the log collector's scans", () => {
  it("list dynos every interval while the Engine's events are not flowing, and only on events while they flow", async () => {
    const { driver, calls } = scriptedDriver();
    collector = new LogCollector("scans", 50, driver);
    await collector.start();
    await waitFor("periodic scans", async () => calls.list >= 3, 10_000);

    // Connected (again): one scan at once, then none on a timer for far longer than the interval.
    const before = calls.list;
    bus.emit("runtimeEvents", { connected: true });
    expect(calls.list).toBe(before + 1);
    await new Promise((r) => setTimeout(r, 500)); // ten scan intervals
    expect(calls.list).toBe(before + 1);
    // A dyno starting is looked for at once.
    bus.emit("container", { appId: "a", id: "c", action: "start" });
    expect(calls.list).toBe(before + 2);

    // The stream breaks: periodic scans again.
    bus.emit("runtimeEvents", { connected: false });
    await waitFor("periodic scans again", async () => calls.list >= before + 4, 10_000);
  });
});
