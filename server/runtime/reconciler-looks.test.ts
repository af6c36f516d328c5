// How often the dyno manager sweeps: while the runtime's event stream is connected, its
// periodic look only compares the desired state (a pass for the apps that changed), and
// events trigger passes; while the stream is down every look is a full sweep, and a
// reconnect sweeps at once. A narrow unit test with a scripted runtime driver (what real
// dynos do when killed or removed is reconciler.test.ts's, on the Engine).
import { afterEach, describe, expect, it } from "vitest";
import { db } from "@/server/db";
import type { Dyno, DynoEvent, DynoEventHandlers, RuntimeDriver } from "@/server/runtime/driver";
import { Reconciler } from "@/server/runtime/reconciler";
import { createApp } from "@/server/services/apps";
import { releaseImage } from "@/server/services/deploys";
import { updateFormation } from "@/server/services/formation";
import { createUser } from "@/server/services/users";
import { unique } from "@/server/testing/callers";
import { waitFor } from "@/server/testing/runtime";

/** A runtime with no dynos that records its list calls and hands the test its event stream. */
function scriptedDriver() {
  const calls: (string | undefined)[] = []; // listDynos's appId: undefined is a full sweep's list
  let handlers: DynoEventHandlers | undefined;
  const failing = new Set<string>(); // apps whose list fails (the runtime erring)
  const containers: Dyno[] = []; // what the runtime lists (none unless a test adds some)
  const driver = {
    listDynos: async (_installation: string, appId?: string) => {
      calls.push(appId);
      if (appId && failing.has(appId)) throw new Error("the runtime erred");
      return containers.filter((c) => !appId || c.appId === appId);
    },
    removeApp: async () => undefined,
    removeDyno: async () => undefined,
    onBeforeRemove: () => () => undefined,
    inspectDyno: async () => null,
    watchEvents: (_installation: string, h: DynoEventHandlers) => {
      handlers = h;
      queueMicrotask(() => h.onConnected?.({ gap: false }));
      return { close: () => undefined };
    },
  } as unknown as RuntimeDriver;
  return {
    driver,
    fullSweeps: () => calls.filter((c) => c === undefined).length,
    passesOf: (appId: string) => calls.filter((c) => c === appId).length,
    stream: () => handlers!,
    failing,
    containers,
  };
}

let runtime: Reconciler | undefined;
afterEach(async () => {
  await runtime?.close();
  runtime = undefined;
});

async function appWithFormation() {
  const user = await createUser({ email: `looks-${unique()}@example.com`, password: "password1" });
  const app = await createApp({ userId: user.id });
  await releaseImage({ appId: app.id, userId: user.id, imageTag: `sha256:${"0".repeat(64)}` /* taken as is: no Engine asked */, processTypes: { worker: "sleep 1d" }, description: "looks" });
  await updateFormation({ appId: app.id, updates: [{ type: "worker", quantity: 0 }] });
  return app;
}

/** Changes the app's desired state the way no caller pokes the dyno manager about, and waits for the pass it causes. */
async function changeAndAwaitPass(s: ReturnType<typeof scriptedDriver>, appId: string, size: string) {
  const before = s.passesOf(appId);
  await db.formation.updateMany({ where: { appId }, data: { size } });
  await waitFor(`a pass of the app after its formation became ${size}`, async () => s.passesOf(appId) > before, 10_000);
}

/** A dyno manager on a scripted driver: a look every 50 ms, full sweeps 10 minutes apart while connected. */
async function startScripted() {
  const s = scriptedDriver();
  runtime = new Reconciler(
    { installation: `looks-${unique()}`, bootTimeoutMs: 1_000, stopTimeoutSeconds: 0, crashBackoffBaseMs: 1_000, crashBackoffMaxMs: 1_000, sweepIntervalMs: 50, connectedSweepIntervalMs: 600_000, port: 5000 },
    s.driver,
  );
  await runtime.start();
  return s;
}

describe("the dyno manager's periodic looks", () => {
  it("compare only the desired state while events flow, sweep fully while the stream is down, and sweep at once on reconnect", async () => {
    const app = await appWithFormation();
    const other = await appWithFormation();
    const s = await startScripted();
    expect(s.fullSweeps()).toBe(1); // the one at start

    // Connected: a desired-state change (no poke) gets a pass of its app alone, with no full sweep.
    const otherPasses = s.passesOf(other.id);
    await changeAndAwaitPass(s, app.id, "eco");
    await changeAndAwaitPass(s, app.id, "standard-2x");
    expect(s.fullSweeps()).toBe(1);
    expect(s.passesOf(other.id)).toBe(otherPasses);

    // Engine events pass over their app: exits, OOM kills and removals behind the platform's back.
    for (const action of ["die", "oom", "destroy"] as DynoEvent["action"][]) {
      const before = s.passesOf(other.id);
      s.stream().onEvent({ id: `c-${action}`, action, labels: { appId: other.id } as DynoEvent["labels"] });
      await waitFor(`a pass after ${action}`, async () => s.passesOf(other.id) > before, 10_000);
    }

    // The stream breaks: full sweeps every look until it is back.
    s.stream().onDisconnected?.(new Error("the Engine's event stream ended"));
    const atBreak = s.fullSweeps();
    await waitFor("two full sweeps while the stream is down", async () => s.fullSweeps() >= atBreak + 2, 10_000);

    // Back after a gap: one full sweep at once (its list is asked for in the same tick)…
    const beforeReconnect = s.fullSweeps();
    s.stream().onConnected?.({ gap: true });
    expect(s.fullSweeps()).toBe(beforeReconnect + 1);
    // …and then only desired-state looks again.
    await changeAndAwaitPass(s, app.id, "eco");
    await changeAndAwaitPass(s, app.id, "standard-2x");
    expect(s.fullSweeps()).toBe(beforeReconnect + 1);
  });

  it("tries a failed pass again at the next look, not at the next full sweep", async () => {
    const app = await appWithFormation();
    const s = await startScripted();
    s.failing.add(app.id);
    await changeAndAwaitPass(s, app.id, "eco"); // this pass fails
    const failed = s.passesOf(app.id);
    await waitFor("the pass tried again", async () => s.passesOf(app.id) > failed, 10_000);
    expect(s.fullSweeps()).toBe(1);
    s.failing.clear();
  });

  it("passes over an app whose formation is gone (destroyed) at the next look", async () => {
    const app = await appWithFormation();
    const s = await startScripted();
    const before = s.passesOf(app.id);
    await db.formation.deleteMany({ where: { appId: app.id } });
    await waitFor("a pass of the app after its formation went", async () => s.passesOf(app.id) > before, 10_000);
    expect(s.fullSweeps()).toBe(1);
  });

  it("sweeps with one list while events flow: only an app whose containers or desired state changed since its last pass gets one", async () => {
    const app = await appWithFormation();
    const other = await appWithFormation();
    const s = await startScripted();
    const [app0, other0] = [s.passesOf(app.id), s.passesOf(other.id)];
    expect(app0).toBeGreaterThan(0); // the start's sweep passed every app

    await runtime!.sweep();
    expect(s.fullSweeps()).toBe(2);
    expect([s.passesOf(app.id), s.passesOf(other.id)]).toEqual([app0, other0]);

    // A container of the app that its last pass did not list (no event told of it): a pass of that app alone.
    s.containers.push({ id: "c-unseen", appId: app.id, dyno: "run.1", type: "run", status: "running", oneOff: true } as unknown as Dyno);
    await runtime!.sweep();
    expect([s.passesOf(app.id), s.passesOf(other.id)]).toEqual([app0 + 1, other0]);
    // Its container's state changed: again.
    s.containers[0] = { ...s.containers[0]!, status: "exited" };
    await runtime!.sweep();
    expect([s.passesOf(app.id), s.passesOf(other.id)]).toEqual([app0 + 2, other0]);
    await runtime!.sweep();
    expect([s.passesOf(app.id), s.passesOf(other.id)]).toEqual([app0 + 2, other0]);

    // The stream breaks: sweeps pass every app again.
    s.stream().onDisconnected?.(new Error("the Engine's event stream ended"));
    await runtime!.sweep();
    expect(s.passesOf(other.id)).toBeGreaterThan(other0);
  });
});
