// What the dyno manager keeps per app and per dyno stays bounded by what exists now, not by
// everything it has seen: a narrow unit test with a scripted runtime driver (the behaviour
// of real dynos is reconciler.test.ts's, on the Engine). The database is the test one.
import { describe, expect, it } from "vitest";
import { unique } from "@/server/testing/callers";
import { loadDesiredApp } from "@/server/runtime/desired";
import type { Dyno, RuntimeDriver } from "@/server/runtime/driver";
import { Reconciler } from "@/server/runtime/reconciler";
import { createApp } from "@/server/services/apps";
import { releaseImage } from "@/server/services/deploys";
import { updateFormation } from "@/server/services/formation";
import { createUser } from "@/server/services/users";

/** A runtime that lists what the test says and does nothing else. */
function scriptedDriver(list: () => Dyno[], calls = { list: 0 }): RuntimeDriver {
  return {
    listDynos: async (_installation: string, appId?: string) => (calls.list++, list().filter((d) => !appId || d.appId === appId)),
    removeApp: async () => undefined,
    removeDyno: async () => undefined,
    onBeforeRemove: () => () => undefined,
  } as unknown as RuntimeDriver;
}

const options = {
  installation: "bounds",
  bootTimeoutMs: 1_000,
  stopTimeoutSeconds: 0,
  crashBackoffBaseMs: 1_000,
  crashBackoffMaxMs: 1_000,
  sweepIntervalMs: 60_000,
  port: 5000,
};

describe("the dyno manager's memory", () => {
  it("keeps no queue entry for an app once its pass is done (destroyed apps included)", async () => {
    const r = new Reconciler(options, scriptedDriver(() => []));
    const ids = Array.from({ length: 20 }, () => `gone-${unique()}`);
    await Promise.all(ids.map((id) => r.reconcile(id)));
    await new Promise((resolve) => setImmediate(resolve));
    expect(r.footprint()).toMatchObject({ chains: 0, queued: 0, tracked: 0 });
    await r.close();
  });

  it("forgets a dyno removed behind its back once the runtime no longer lists it", async () => {
    const user = await createUser({ email: `bounds-${unique()}@example.com`, password: "password1" });
    const app = await createApp({ userId: user.id });
    await releaseImage({ appId: app.id, userId: user.id, imageTag: `sha256:${"0".repeat(64)}` /* taken as is: no Engine asked */, processTypes: { worker: "sleep 1d" }, description: "bounds" });
    await updateFormation({ appId: app.id, updates: [{ type: "worker", quantity: 1 }] });
    const loaded = (await loadDesiredApp(app.id))!;
    const desired = loaded.dynos[0]!;
    const dyno = (id: string): Dyno => ({
      id,
      appId: app.id,
      dyno: desired.name,
      type: desired.type,
      releaseId: loaded.release!.id,
      release: loaded.release!.version,
      size: desired.size.name,
      spec: desired.spec,
      oneOff: false,
      oneOffId: null,
      status: "running",
      createdAt: Date.now(),
    });
    let listed = [dyno("first")];
    const calls = { list: 0 };
    const r = new Reconciler(options, scriptedDriver(() => listed, calls));
    await r.reconcile(app.id);
    expect(r.states(app.id).map((s) => s.dynoId)).toEqual(["first"]);
    // A pass with nothing to do asks the runtime for the app's dynos once.
    calls.list = 0;
    await r.reconcile(app.id);
    expect(calls.list).toBe(1);
    // `docker rm -f first`, and the Engine's restart policy or an operator started another.
    for (let i = 0; i < 5; i++) {
      listed = [dyno(`replacement-${i}`)];
      await r.reconcile(app.id);
    }
    expect(r.states(app.id).map((s) => s.dynoId)).toEqual(["replacement-4"]);
    expect(r.footprint().tracked).toBe(1);
    await r.close();
  });
});
