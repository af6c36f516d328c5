// The dyno manager against the real Docker Engine: containers are started, scaled,
// crashed and killed for real.
import http from "node:http";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runtimeDriver } from "@/server/runtime/driver";
import { docker } from "@/server/runtime/docker";
import { db } from "@/server/db";
import { bus, type DynoStateChange, type PlatformLogLine } from "@/server/runtime/events";
import type { Reconciler } from "@/server/runtime/reconciler";
import { runOneOff } from "@/server/runtime/one-off";
import { createApp, destroyApp } from "@/server/services/apps";
import { releaseImage } from "@/server/services/deploys";
import { updateFormation } from "@/server/services/formation";
import { createUser } from "@/server/services/users";
import { cleanupInstallation, ensureFixtureImage, inspectContainer, startReconciler, testRuntimeOptions, waitFor } from "@/server/testing/runtime";

// One dyno manager for the whole file (two on one installation would fight over dynos).
// Its full sweeps are 10 minutes apart while Engine events flow: whatever a test waits
// for here comes from an event, a poke or the desired-state look (every second), never
// from a sweep.
const opts = testRuntimeOptions({ bootTimeoutMs: 4_000, crashBackoffBaseMs: 1_500, connectedSweepIntervalMs: 600_000 });
let runtime: Reconciler;
let image: string;
let userId: string;
const logs: PlatformLogLine[] = [];
const onLog = (line: PlatformLogLine) => logs.push(line);

beforeAll(async () => {
  image = await ensureFixtureImage();
  userId = (await createUser({ email: `rt-${Date.now()}@example.com`, password: "password1" })).id;
  bus.on("log", onLog);
  runtime = await startReconciler(opts);
});

afterAll(async () => {
  bus.off("log", onLog);
  await runtime?.close();
  await cleanupInstallation(opts.installation);
});

afterEach(() => {
  logs.length = 0;
});

async function appWith(processTypes: Record<string, string>, config: Record<string, string> = {}) {
  const app = await createApp({ userId });
  if (Object.keys(config).length) {
    const { setConfigVars } = await import("@/server/services/config-vars");
    await setConfigVars({ appId: app.id, userId, changes: config });
  }
  await releaseImage({ appId: app.id, userId, imageTag: image, processTypes, description: "Deploy test" });
  return app;
}

async function scale(appId: string, type: string, quantity: number, size?: string) {
  await updateFormation({ appId, updates: [{ type, quantity, size }] });
  await runtime.reconcile(appId);
}

const running = async (appId: string) =>
  (await runtimeDriver().listDynos(opts.installation, appId)).filter((c) => c.status === "running").sort((a, b) => a.dyno.localeCompare(b.dyno));

function get(ip: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get({ host: ip, port, path: "/", timeout: 2_000 }, (res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve(body));
    }).on("error", reject);
  });
}

const upDynos = (appId: string) => runtime.states(appId).filter((s) => s.state === "up").map((s) => s.dyno).sort();
const linesFor = (dyno: string, pattern: RegExp) => logs.filter((l) => l.dyno === dyno && pattern.test(l.message));

describe("dyno manager", () => {
  it("runs a one-off dyno in the release's environment and returns its exit code", async () => {
    const app = await appWith({ web: "node server.js" }, { GREETING: "from-config" });
    const out: string[] = [];
    const result = await runOneOff({
      installation: opts.installation,
      appId: app.id,
      command: 'echo "$DYNO says $GREETING"; echo oops >&2; exit 3',
      port: opts.port,
      stopTimeoutSeconds: opts.stopTimeoutSeconds,
      onOutput: (stream, text) => out.push(`${stream}:${text}`),
    });
    expect(result).toEqual({ dyno: "run.1", exitCode: 3 });
    expect(out.join("")).toContain("stdout:run.1 says from-config\n");
    expect(out.join("")).toContain("stderr:oops\n");
    expect(linesFor("run.1", /^Process exited with status 3$/)).toHaveLength(1);
    expect((await runtimeDriver().listDynos(opts.installation, app.id)).filter((c) => c.oneOff)).toEqual([]);
    await scale(app.id, "web", 0);
  });

  it("names concurrent one-off dynos apart (run.1, run.2, run.3), and its own sweeps leave them running", async () => {
    const app = await appWith({ web: "node server.js" });
    await scale(app.id, "web", 0);
    const run = () =>
      runOneOff({
        installation: opts.installation,
        appId: app.id,
        command: 'sleep 2; echo "I am $DYNO"',
        port: opts.port,
        stopTimeoutSeconds: opts.stopTimeoutSeconds,
        onOutput: () => {},
      });
    // Started in the same tick: both read the same names before either claims one.
    const results = await Promise.all([run(), run(), run()]);
    expect(results.map((r) => r.dyno).sort()).toEqual(["run.1", "run.2", "run.3"]);
    // Sweeps ran every second meanwhile: none was taken for an orphan (SIGKILL: 137).
    expect(results.map((r) => r.exitCode)).toEqual([0, 0, 0]);
  });

  it("tells database readers of a state change (dynoRows) only once the Dyno row says so", async () => {
    const seen: { change: DynoStateChange; row: Promise<string | undefined> }[] = [];
    // Read at the moment of the event, as the dashboard refetches on it.
    const onRows = (change: DynoStateChange) =>
      seen.push({ change, row: db.dyno.findFirst({ where: { appId: change.appId, name: change.dyno } }).then((r) => r?.state) });
    bus.on("dynoRows", onRows);
    try {
      const app = await appWith({ web: "node server.js" });
      await scale(app.id, "web", 1);
      await waitFor("web.1 up, announced", async () => seen.some((s) => s.change.appId === app.id && s.change.to === "up"));
      const mine = seen.filter((s) => s.change.appId === app.id);
      const pairs = await Promise.all(mine.map(async (s) => `${s.change.dyno} ${s.change.from}→${s.change.to}: row ${await s.row}`));
      expect(pairs).toEqual(["web.1 null→starting: row starting", "web.1 starting→up: row up"]);
      await scale(app.id, "web", 0);
    } finally {
      bus.off("dynoRows", onRows);
    }
  });

  it("adopts dynos that outlived a previous dyno manager without restarting them", async () => {
    const app = await appWith({ web: "node server.js" });
    await runtime.reconcile(app.id);
    const [c] = await waitFor("web.1 running", async () => ((await running(app.id)).length === 1 ? running(app.id) : null));
    const startedAt = (await inspectContainer(c!.id)).State.StartedAt;
    // Older than the boot timeout, so only an earlier manager can have seen it boot.
    await waitFor("web.1 older than the boot timeout", async () => Date.now() - Date.parse(startedAt) > opts.bootTimeoutMs + 500, 20_000);
    await runtime.close();
    runtime = await startReconciler(opts);
    await runtime.reconcile(app.id);
    await waitFor("web.1 up again in the new manager", async () => upDynos(app.id).join() === "web.1");
    const [after] = await running(app.id);
    expect(after!.id).toBe(c!.id);
    expect((await inspectContainer(c!.id)).State.StartedAt).toBe(startedAt);
    expect(logs.filter((l) => /R10|SIGKILL|Stopping/.test(l.message))).toEqual([]);
    await scale(app.id, "web", 0);
  });

  it("removes every dyno and the network of a destroyed app", async () => {
    const app = await appWith({ web: "node server.js", worker: "sleep 3600" });
    await scale(app.id, "worker", 1);
    await waitFor("two dynos up", async () => upDynos(app.id).join() === "web.1,worker.1");
    // A one-off still running on the app's network must not keep the network alive.
    const oneOff = runOneOff({ installation: opts.installation, appId: app.id, command: "sleep 600", port: opts.port, stopTimeoutSeconds: 1, onOutput: () => {} });
    await waitFor("the one-off running", async () => (await runtimeDriver().listDynos(opts.installation, app.id)).some((c) => c.oneOff && c.status === "running"));
    await destroyApp({ appId: app.id, appName: app.name, confirm: app.name });
    await runtime.reconcile(app.id);
    await waitFor("no containers", async () => (await runtimeDriver().listDynos(opts.installation, app.id)).length === 0);
    expect((await oneOff).exitCode).not.toBe(0);
    const networks = await docker().listNetworks({ filters: { name: [`slipway-app-${app.id}`] } });
    expect(networks).toEqual([]);
  });

  it("scales web 1 → 3 → 1 and each dyno answers on $PORT with its own DYNO", async () => {
    const app = await appWith({ web: "node server.js" }, { GREETING: "hi" });
    await runtime.reconcile(app.id);
    await waitFor("web.1 up", async () => upDynos(app.id).join() === "web.1");

    await scale(app.id, "web", 3);
    await waitFor("web.1-3 up", async () => upDynos(app.id).join() === "web.1,web.2,web.3");
    const containers = await running(app.id);
    expect(containers.map((c) => c.dyno)).toEqual(["web.1", "web.2", "web.3"]);
    for (const c of containers) {
      const address = await runtimeDriver().dynoAddress(c.id, opts.port);
      expect(await get(address!.host, address!.port)).toBe(`hello from ${c.dyno} hi\n`);
    }
    expect(linesFor("web.2", /^State changed from starting to up$/)).toHaveLength(1);

    await scale(app.id, "web", 1);
    await waitFor("only web.1 left", async () => (await runtimeDriver().listDynos(opts.installation, app.id)).map((c) => c.dyno).join() === "web.1");
    expect(linesFor("web.3", /^Stopping all processes with SIGTERM$/)).toHaveLength(1);
    expect(linesFor("web.3", /^Process exited with status 0$/)).toHaveLength(1);
  });

  it("replaces dynos removed or killed behind its back (docker rm -f, docker kill) from the Engine's events", async () => {
    const app = await appWith({ web: "node server.js", worker: "sleep 3600" });
    await scale(app.id, "worker", 1);
    await waitFor("two dynos up", async () => upDynos(app.id).join() === "web.1,worker.1");
    const [web, worker] = await running(app.id);
    // No pass is asked for: only the Engine's destroy and die events tell the dyno manager.
    await docker().getContainer(web!.id).remove({ force: true });
    await docker().getContainer(worker!.id).kill();
    const after = await waitFor("a new web.1 and worker.1 running again", async () => {
      const list = await running(app.id);
      return list.length === 2 && list[0]!.id !== web!.id && list[1]!.id === worker!.id ? list : null;
    });
    expect(after.map((c) => c.dyno)).toEqual(["web.1", "worker.1"]);
    await waitFor("web.1 up", async () => upDynos(app.id).join() === "web.1,worker.1");
    expect(linesFor("worker.1", /^State changed from up to crashed$/)).toHaveLength(1);
    await scale(app.id, "web", 0);
    await scale(app.id, "worker", 0);
  });

  it("restarts dynos with a config var set (which pokes nobody) at its next look", async () => {
    const app = await appWith({ web: "node server.js" }, { GREETING: "before" });
    await runtime.reconcile(app.id);
    await waitFor("web.1 up", async () => upDynos(app.id).join() === "web.1");
    const { setConfigVars } = await import("@/server/services/config-vars");
    await setConfigVars({ appId: app.id, userId, changes: { GREETING: "after" } });
    await waitFor("web.1 answering with the new config", async () => {
      const [c] = await running(app.id);
      const address = c && (await runtimeDriver().dynoAddress(c.id, opts.port));
      return address && (await get(address.host, address.port)) === "hello from web.1 after\n";
    });
    await scale(app.id, "web", 0);
  });

  it("runs dynos unprivileged, without the Docker socket, on the app's own network, with the size's limits", async () => {
    const app = await appWith({ web: "node server.js" });
    await scale(app.id, "web", 1, "standard-2x");
    const [c] = await waitFor("web.1 running", async () => {
      const list = await running(app.id);
      return list.length === 1 && list[0]!.size === "standard-2x" ? list : null;
    });
    const info = await inspectContainer(c!.id);
    expect(info.Config.User).toBe("1000:1000");
    expect(info.HostConfig.Memory).toBe(1024 * 1024 * 1024);
    expect(info.HostConfig.NanoCpus).toBe(2e9);
    expect(info.HostConfig.PidsLimit).toBe(512);
    expect(info.HostConfig.NetworkMode).toBe(`slipway-app-${app.id}`);
    expect(info.HostConfig.CapDrop).toEqual(["ALL"]);
    expect(info.HostConfig.Privileged).toBe(false);
    expect(info.Mounts.some((m) => m.Source?.includes("docker.sock"))).toBe(false);
    expect(info.Config.Env).toEqual(expect.arrayContaining(["PORT=5000", "DYNO=web.1"]));
  });

  it("restarts a crashing process at once, then with growing cool-offs", async () => {
    const base = opts.crashBackoffBaseMs;
    const app = await appWith({ worker: "echo booting; exit 1" });
    await scale(app.id, "worker", 1);
    // The cool-off is the time from "crashed" to the next start.
    const delays = await waitFor(
      "three restarts of worker.1",
      async () => {
        const out: number[] = [];
        let crashedAt: number | null = null;
        for (const l of logs.filter((x) => x.dyno === "worker.1")) {
          if (/^State changed from \w+ to crashed$/.test(l.message)) crashedAt = l.at.getTime();
          if (/^Starting process/.test(l.message) && crashedAt !== null) {
            out.push(l.at.getTime() - crashedAt);
            crashedAt = null;
          }
        }
        return out.length >= 3 ? out : null;
      },
      40_000,
    );
    expect(linesFor("worker.1", /^Process exited with status 1$/).length).toBeGreaterThanOrEqual(3);
    // First crash: restarted at once. Then the base cool-off, then twice that.
    expect(delays[0]).toBeLessThan(500);
    expect(delays[1]).toBeGreaterThanOrEqual(base);
    expect(delays[2]).toBeGreaterThanOrEqual(2 * base);
    await scale(app.id, "worker", 0);
  });

  it("kills a web dyno that never binds $PORT (R10) and marks it crashed", async () => {
    const app = await appWith({ web: "sleep 3600" });
    await runtime.reconcile(app.id);
    await waitFor("R10", async () => linesFor("web.1", /^Error R10 \(Boot timeout\) -> Web process failed to bind to \$PORT within 4 seconds of launch$/).length > 0);
    await waitFor("crashed", async () => linesFor("web.1", /^State changed from starting to crashed$/).length > 0);
    expect(linesFor("web.1", /^Stopping process with SIGKILL$/).length).toBeGreaterThan(0);
    await scale(app.id, "web", 0);
  });

  it("logs R15 when the kernel kills a dyno over its memory limit", async () => {
    // Buffers live outside the V8 heap, so this grows until the cgroup's OOM killer acts.
    const app = await appWith({ worker: `node -e "const a = []; for (;;) a.push(Buffer.alloc(16e6, 1))"` });
    await scale(app.id, "worker", 1, "eco");
    await waitFor("R15", async () => linesFor("worker.1", /^Error R15 \(Memory quota vastly exceeded\)/).length > 0);
    expect(linesFor("worker.1", /^Process exited with status 137$/).length).toBeGreaterThan(0);
    await scale(app.id, "worker", 0);
  });

  it("SIGKILLs a process that ignores SIGTERM after the grace period", async () => {
    const app = await appWith({
      worker: `node -e "process.on('SIGTERM', () => console.log('ignoring SIGTERM')); console.log('ready'); setInterval(() => {}, 1000)"`,
    });
    await scale(app.id, "worker", 1);
    // Only once the handler is installed does the process really ignore SIGTERM.
    await waitFor("worker.1 ready", async () => {
      const [c] = await running(app.id);
      return c && (await docker().getContainer(c.id).logs({ stdout: true })).toString().includes("ready");
    });
    const started = Date.now();
    await scale(app.id, "worker", 0);
    await waitFor("worker.1 gone", async () => (await runtimeDriver().listDynos(opts.installation, app.id)).length === 0, 20_000);
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(opts.stopTimeoutSeconds * 1000);
    expect(took).toBeLessThan(opts.stopTimeoutSeconds * 1000 + 8_000);
    expect(linesFor("worker.1", /^Process exited with status 137$/)).toHaveLength(1);
  });

  it("replaces web dynos with preboot on a new release, and keeps the old one when the new one fails", async () => {
    const app = await appWith({ web: "node server.js" });
    await runtime.reconcile(app.id);
    await waitFor("v2 web.1 up", async () => upDynos(app.id).join() === "web.1");
    const [old] = await running(app.id);

    // A release whose web never binds: the old dyno keeps serving.
    await releaseImage({ appId: app.id, userId, imageTag: image, processTypes: { web: "sleep 3600" }, description: "Broken deploy" });
    await runtime.reconcile(app.id);
    await waitFor("a second web.1 container", async () => (await running(app.id)).length === 2);
    expect((await running(app.id)).some((c) => c.id === old!.id)).toBe(true);

    // A good release: the new dyno is up before the old one gets SIGTERM.
    const mark = logs.length;
    await releaseImage({ appId: app.id, userId, imageTag: image, processTypes: { web: "node server.js" }, description: "Fix" });
    await runtime.reconcile(app.id);
    await waitFor("only the newest web.1 left", async () => {
      const list = await runtimeDriver().listDynos(opts.installation, app.id);
      return list.length === 1 && list[0]!.release === 4 && list[0]!.status === "running";
    }, 30_000);
    const after = logs.slice(mark);
    const sigterm = after.findIndex((l) => l.dyno === "web.1" && l.message === "Stopping all processes with SIGTERM");
    const newUp = after.findIndex((l) => l.dyno === "web.1" && l.message === "State changed from starting to up");
    expect(newUp).toBeGreaterThanOrEqual(0);
    expect(sigterm).toBeGreaterThan(newUp);
  });
});
