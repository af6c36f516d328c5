// The router across the platform's own changes, for real (HAProxy in front of dynos on the
// Engine): a scale-down drains requests in flight before SIGTERM.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listDynoContainers } from "@/server/runtime/containers";
import { dataDir } from "@/server/env";
import net from "node:net";
import path from "node:path";
import { backendName } from "@/server/router/haproxy";
import { inFlight } from "@/server/router/drain";
import { drainForStop, startPublishing } from "@/server/router/publish";
import { readTable, routerDir, } from "@/server/router/table";
import { getRuntime, startRuntime } from "@/server/runtime";
import { createApp } from "@/server/services/apps";
import { releaseImage } from "@/server/services/deploys";
import { updateFormation } from "@/server/services/formation";
import { createUser } from "@/server/services/users";
import { cleanupInstallation, ensureFixtureImage, testRuntimeOptions, waitFor } from "@/server/testing/runtime";
import { get, startRouter } from "@/server/testing/router";

const opts = testRuntimeOptions({ drain: (appId) => drainForStop(appId, { ackMs: 5_000, maxMs: 10_000 }) });
let router: Awaited<ReturnType<typeof startRouter>>;
let stopPublishing: () => void;
let image: string;
let userId: string;

beforeAll(async () => {
  image = await ensureFixtureImage();
  await startRuntime(opts);
  stopPublishing = startPublishing(500);
  router = await startRouter({ dataDir: dataDir(), timeoutMs: 10_000 });
  userId = (await createUser({ email: `lifecycle-${Date.now()}@example.com`, password: "password1" })).id;
});

afterAll(async () => {
  if (process.env.DEBUG_ROUTER) console.log(router?.output().slice(-4000));
  await router?.stop();
  stopPublishing?.();
  await getRuntime()?.close();
  (globalThis as { slipwayRuntime?: unknown }).slipwayRuntime = undefined;
  await cleanupInstallation(opts.installation);
});

async function deployed(prefix: string, web: number, command = "node server.js") {
  const app = await createApp({ userId, name: `${prefix}-${Date.now().toString(36)}` });
  await releaseImage({ appId: app.id, userId, imageTag: image, processTypes: { web: command }, description: "test" });
  if (web !== 1) await updateFormation({ appId: app.id, updates: [{ type: "web", quantity: web }] });
  await waitFor(`${web} web dynos in the router's table`, async () => readTable(dataDir())?.apps.find((a) => a.id === app.id)?.web.length === web, 30_000);
  const answering = new Set<string>();
  await waitFor(`all ${web} dynos answering through the router`, async () => {
    const r = await get(router.port, `${app.name}.localhost`);
    if (r.status === 200) answering.add(r.body.trim());
    return answering.size === web;
  });
  return app;
}

/** One command on the router's HAProxy stats socket. */
function haproxy(command: string) {
  return new Promise<string>((resolve, reject) => {
    const sock = net.connect(path.join(routerDir(dataDir()), "proxy", "haproxy.sock"));
    let out = "";
    sock.on("connect", () => sock.end(`${command}\n`));
    sock.on("data", (d) => (out += d));
    sock.on("error", reject);
    sock.on("close", () => resolve(out));
  });
}

describe("the router through platform changes", () => {
  it("drains a leaving dyno's requests in flight before SIGTERM, even for a dyno that exits at once on SIGTERM", async () => {
    // No graceful close: on SIGTERM this dyno drops whatever it is serving.
    const app = await deployed("drain", 2, `exec node -e 'process.on("SIGTERM", () => process.exit(0)); require("/app/server.js")'`);
    // Round robin over two dynos: two of these slow requests are on web.2 when it is asked to go.
    const slow = [1, 2, 3, 4].map(() => get(router.port, `${app.name}.localhost`, "/sleep?ms=3000"));
    await waitFor("the slow requests in flight on both dynos", async () => {
      const busy = inFlight(await haproxy("show stat")).filter((b) => b.backend === backendName(app.id));
      return busy.length === 2 && busy.every((b) => b.requests === 2);
    });
    await updateFormation({ appId: app.id, updates: [{ type: "web", quantity: 1 }] });
    const answers = await Promise.all(slow);
    expect(answers.map((a) => `${a.status} ${a.body.trim()}`).sort()).toEqual(["200 slept in web.1", "200 slept in web.1", "200 slept in web.2", "200 slept in web.2"]);
    await waitFor("web.2 stopped and removed", async () => (await listDynoContainers(opts.installation, app.id)).every((c) => c.dyno === "web.1"));
  });
});
