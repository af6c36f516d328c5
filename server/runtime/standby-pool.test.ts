// The standby pool against the real Docker Engine (issue 18): booted, frozen web dynos of
// the current release, promoted by a scale-up, refilled, replaced by a release, removed.
// One app for the whole file; every wait is on an event or a pass, never a fixed sleep.
import { once } from "node:events";
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTable } from "@/server/router/publish";
import { startRuntime, stopRuntime } from "@/server/runtime";
import { runtimeDriver, type Dyno } from "@/server/runtime/driver";
import { bus } from "@/server/runtime/events";
import type { Reconciler } from "@/server/runtime/reconciler";
import { db } from "@/server/db";
import { createApp } from "@/server/services/apps";
import { releaseImage } from "@/server/services/deploys";
import { listDynos, updateFormation } from "@/server/services/formation";
import { getStandbyPool } from "@/server/services/standby";
import { callerFor, newUser } from "@/server/testing/callers";
import { cleanupInstallation, ensureFixtureImage, inspectContainer, testRuntimeOptions, waitFor } from "@/server/testing/runtime";

const opts = testRuntimeOptions({ bootTimeoutMs: 15_000 });
let runtime: Reconciler;
let image: string;
let userId: string;
let app: { id: string; name: string };

beforeAll(async () => {
  image = await ensureFixtureImage();
  userId = (await newUser("standby")).id;
  runtime = await startRuntime(opts);
  app = await createApp({ userId });
  await releaseImage({ appId: app.id, userId, imageTag: image, processTypes: { web: "node server.js" }, description: "Deploy test" });
  await runtime.reconcile(app.id);
});

afterAll(async () => {
  await runtime?.close();
  await cleanupInstallation(opts.installation);
});

const driver = () => runtimeDriver();
const standbys = async () => (await driver().listDynos(opts.installation, app.id, { standbys: true })).filter((c) => c.standby);

/** The pool once `want` holds: checked after each standby the pool prepared (bus "standby"). */
async function poolWhen(want: (s: Dyno[]) => boolean, timeoutMs = 60_000): Promise<Dyno[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const next = once(bus, "standby", { signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())) });
    next.catch(() => undefined);
    const list = await standbys();
    if (want(list)) return list.sort((a, b) => a.dyno.localeCompare(b.dyno));
    await next;
  }
}

const readyAs = (names: string[], releaseId?: string) => (s: Dyno[]) =>
  s.length === names.length &&
  names.every((n) => s.some((c) => c.dyno === n && c.status === "paused" && (!releaseId || c.releaseId === releaseId)));

function answer(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get({ host, port, path: "/", timeout: 2_000, agent: false }, (res) => {
        let body = "";
        res.on("data", (c) => (body += c));
        res.on("end", () => resolve(body));
      })
      .on("error", reject);
  });
}

describe("standby pool", () => {
  let pool: Dyno[];

  it("holds booted, paused web dynos named as the next ones, the same as any dyno, out of ps and the routing table", async () => {
    expect(await standbys()).toEqual([]); // default 0: nothing changes for an app that does not opt in
    const view = await callerFor(userId).formation.setStandby({ app: app.name, size: 2 });
    expect(view.size).toBe(2);
    pool = await poolWhen(readyAs(["web.2", "web.3"]));

    const [web1] = await driver().listDynos(opts.installation, app.id);
    expect(web1!.dyno).toBe("web.1");
    const [a, b, w] = await Promise.all([inspectContainer(pool[0]!.id), inspectContainer(pool[1]!.id), inspectContainer(web1!.id)]);
    for (const s of [a, b]) {
      expect(s.State.Paused).toBe(true);
      expect(s.Name).toMatch(/-standby$/);
      // Same limits, user, network and capabilities as a formation dyno; no Docker socket.
      for (const key of ["Memory", "MemorySwap", "NanoCpus", "PidsLimit", "CapDrop", "SecurityOpt", "NetworkMode", "CgroupParent", "Binds"] as const) {
        expect(s.HostConfig[key]).toEqual(w.HostConfig[key]);
      }
      expect(s.Config.User).toBe(w.Config.User);
      expect(JSON.stringify(s.Mounts)).not.toContain("docker.sock");
    }
    expect(a.Config.Env).toContain("DYNO=web.2");

    // Not dynos yet: not listed, no Dyno row, never routed.
    expect((await driver().listDynos(opts.installation, app.id)).map((c) => c.dyno)).toEqual(["web.1"]);
    expect((await listDynos(app.id)).map((d) => d.name)).toEqual(["web.1"]);
    expect(runtime.states(app.id).map((s) => s.dynoId)).toEqual([web1!.id]);
    const routed = (await buildTable(1)).apps.find((r) => r.id === app.id)!;
    expect(routed.web.map((x) => x.dyno)).toEqual(["web.1"]);

    const shown = await getStandbyPool(app.id);
    expect(shown).toMatchObject({ size: 2, ready: 2, preparing: 0, supported: true });
    expect(shown.memoryBytes).toBeGreaterThan(0);
  });

  it("scale 1 → 3 promotes the standbys themselves: running, answering, counted in ps; then the pool refills", async () => {
    const ids = pool.map((c) => c.id);
    await updateFormation({ appId: app.id, updates: [{ type: "web", quantity: 3 }] });
    await runtime.reconcile(app.id);
    await waitFor("web.1–3 up in the dyno rows", async () => {
      const rows = await listDynos(app.id);
      return rows.length === 3 && rows.every((r) => r.state === "up") ? rows : null;
    });
    const rows = await listDynos(app.id);
    expect(rows.map((r) => r.name)).toEqual(["web.1", "web.2", "web.3"]);
    const byName = new Map(runtime.states(app.id).map((s) => [s.dyno, s.dynoId]));
    expect([byName.get("web.2"), byName.get("web.3")]).toEqual(ids);

    const listed = await driver().listDynos(opts.installation, app.id);
    expect(listed.filter((c) => ids.includes(c.id)).map((c) => [c.dyno, c.status, c.standby])).toEqual(
      expect.arrayContaining([
        ["web.2", "running", false],
        ["web.3", "running", false],
      ]),
    );
    const table = (await buildTable(2)).apps.find((r) => r.id === app.id)!;
    expect(table.web.map((x) => x.dyno)).toEqual(["web.1", "web.2", "web.3"]);
    for (const x of table.web.filter((x) => x.dyno !== "web.1")) expect(await answer(x.host, x.port)).toBeTruthy();
    for (const id of ids) expect((await inspectContainer(id)).Name).not.toMatch(/-standby$/);

    const refilled = await poolWhen(readyAs(["web.4", "web.5"]));
    expect(refilled.map((c) => c.id).some((id) => ids.includes(id))).toBe(false);
    expect((await buildTable(3)).apps.find((r) => r.id === app.id)!.web).toHaveLength(3);
    pool = refilled;
  });

  it("a control plane that stops leaves no half-made standby; one that restarts keeps the ready pool as it is", async () => {
    // A third standby (web.6) is being prepared when the dyno manager closes: it is finished
    // or removed, never left created or booting with nobody to pause it.
    await callerFor(userId).formation.setStandby({ app: app.name, size: 3 });
    await runtime.reconcile(app.id);
    await stopRuntime(); // closes it, and the next startRuntime makes a new one
    expect(runtime.footprint()).toMatchObject({ standbyApps: 0 }); // nothing still being made
    const left = await standbys();
    expect(left.filter((c) => c.status !== "paused")).toEqual([]);
    expect(left.map((c) => c.id)).toEqual(expect.arrayContaining(pool.map((c) => c.id)));
    await callerFor(userId).formation.setStandby({ app: app.name, size: 2 });

    runtime = await startRuntime(opts);
    await runtime.reconcile(app.id); // adopts web.4 and web.5 as they are; a finished web.6 goes
    expect((await standbys()).map((c) => [c.id, c.status]).sort()).toEqual(pool.map((c) => [c.id, "paused"]).sort());
    expect((await listDynos(app.id)).map((r) => r.name)).toEqual(["web.1", "web.2", "web.3"]);
  });

  it("a new release replaces the pool; size 0 removes it", async () => {
    const old = pool.map((c) => c.id);
    const release = await releaseImage({ appId: app.id, userId, imageTag: image, processTypes: { web: "node server.js" }, description: "Deploy v2" });
    await runtime.reconcile(app.id);
    const replaced = await poolWhen(readyAs(["web.4", "web.5"], release.id));
    expect(replaced.some((c) => old.includes(c.id))).toBe(false);
    expect((await listDynos(app.id)).map((r) => r.name)).toEqual(["web.1", "web.2", "web.3"]);

    await callerFor(userId).formation.setStandby({ app: app.name, size: 0 });
    await runtime.reconcile(app.id);
    expect(await standbys()).toEqual([]);
    expect(await getStandbyPool(app.id)).toMatchObject({ size: 0, ready: 0, memoryBytes: 0 });
  });

  it("an app that is destroyed loses its pool with its dynos", async () => {
    await callerFor(userId).formation.setStandby({ app: app.name, size: 1 });
    await runtime.reconcile(app.id);
    await poolWhen(readyAs(["web.4"]));
    await runtime.reconcile(app.id);
    // What destroyApp does to the runtime, without its cleanup of builds and logs running on
    // past this file: the app's row goes, and the next pass finds an app that no longer exists.
    await db.app.delete({ where: { id: app.id } });
    await runtime.reconcile(app.id);
    expect(await driver().listDynos(opts.installation, app.id, { standbys: true })).toEqual([]);
  });
});
