// Restarting web dynos while requests flow through the real router: a restart replaces web
// dynos with preboot, as a deploy does, so not one request may fail (no H14, no refused
// connection). Restarts are asked for through the Platform API, in every form the CLI sends.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/server/db";
import { dataDir } from "@/server/env";
import { call, userWithKey } from "@/server/platform-api/test-client";
import { publishAndWaitForRouter, startPublishing } from "@/server/router/publish";
import { readTable } from "@/server/router/protocol";
import { getRuntime, startRuntime, stopRuntime } from "@/server/runtime";
import { runtimeDriver } from "@/server/runtime/driver";
import { createApp } from "@/server/services/apps";
import { releaseImage } from "@/server/services/deploys";
import { updateFormation } from "@/server/services/formation";
import { cleanupInstallation, ensureFixtureImage, testRuntimeOptions, waitFor } from "@/server/testing/runtime";
import { get, startRouter } from "@/server/testing/router";

const opts = testRuntimeOptions({ drain: () => publishAndWaitForRouter(5_000) });
let router: Awaited<ReturnType<typeof startRouter>>;
let stopPublishing: () => void;
let image: string;

beforeAll(async () => {
  image = await ensureFixtureImage();
  await startRuntime(opts);
  stopPublishing = startPublishing(500);
  router = await startRouter({ dataDir: dataDir(), timeoutMs: 3_000 });
});

afterAll(async () => {
  await router?.stop();
  stopPublishing?.();
  await stopRuntime();
  await cleanupInstallation(opts.installation);
});

const webContainers = async (appId: string) =>
  (await runtimeDriver().listDynos(opts.installation, appId)).filter((c) => c.type === "web").map((c) => ({ id: c.id, dyno: c.dyno, status: c.status }));

describe("restart under load", () => {
  it("restarts web dynos (by type, positional type, one dyno, all) with preboot and loses no request", async () => {
    const owner = await userWithKey();
    const app = await createApp({ userId: owner.id, name: `rs-${Date.now().toString(36)}` });
    await releaseImage({ appId: app.id, userId: owner.id, imageTag: image, processTypes: { web: "node server.js" }, description: "test" });
    await updateFormation({ appId: app.id, updates: [{ type: "web", quantity: 2 }] });
    const host = `${app.name}.localhost`;
    await waitFor("2 routed dynos", async () => (readTable(dataDir())?.apps.find((a) => a.id === app.id)?.web.length === 2 ? true : null), 30_000);
    await waitFor("the router to answer", async () => ((await get(router.port, host)).status === 200 ? true : null), 30_000);

    let ok = 0;
    const failures: string[] = [];
    let running = true;
    const loop = async () => {
      while (running) {
        const r = await get(router.port, host).catch((err: Error) => ({ status: 0, body: err.message }));
        if (r.status === 200) ok++;
        else failures.push(`${r.status} ${r.body.slice(0, 80)}`);
      }
    };
    const loaders = [loop(), loop()]; // two clients, each a new connection per request

    const base = `/apps/${app.name}`;
    const forms: [path: string, restarted: string[]][] = [
      [`${base}/formations/web`, ["web.1", "web.2"]], // ps:restart --process-type web
      [`${base}/dynos/web`, ["web.1", "web.2"]], // ps:restart web (deprecated positional form)
      [`${base}/dynos/web.1`, ["web.1"]], // ps:restart web.1 / --dyno-name web.1
      [`${base}/dynos`, ["web.1", "web.2"]], // ps:restart
    ];
    for (const [path, restarted] of forms) {
      const before = await webContainers(app.id);
      expect(before.map((c) => c.dyno).sort()).toEqual(["web.1", "web.2"]);
      const res = await call("DELETE", path, { key: owner.key });
      expect(res.status, path).toBe(202);
      await waitFor(
        `${restarted.join(", ")} replaced after DELETE ${path}`,
        async () => {
          const now = await webContainers(app.id);
          if (now.length !== 2 || now.some((c) => c.status !== "running")) return null;
          for (const c of now) {
            const old = before.find((b) => b.dyno === c.dyno)!;
            if (restarted.includes(c.dyno) === (old.id === c.id)) return null;
          }
          const rows = await db.dyno.findMany({ where: { appId: app.id } });
          return rows.length === 2 && rows.every((r) => r.state === "up") && getRuntime()!.routable(app.id).length === 2;
        },
        60_000,
      );
    }
    running = false;
    await Promise.all(loaders);
    expect(failures).toEqual([]);
    expect(ok).toBeGreaterThan(20);
  }, 240_000);
});
