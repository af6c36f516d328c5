// The swarm driver on the multi-node lab (scripts/swarm.sh), real everything: a manager and
// two workers, each a real dockerd; the fixture app pushed by the driver to the lab's registry
// and run by digest; the real reconciler driving dynos through the driver. Deploy, scale 1 → 6
// across nodes (each dyno answering at its node address and host-mode port), a one-off, logs
// and stats of a dyno on a worker, a deploy under load through the real router (HAProxy)
// that must lose no request, and a worker lost under load (its dynos replaced on the other
// nodes; failed requests and the time to full capacity printed). Timings are not asserted. Skipped only when this machine cannot run a
// node's dockerd, and then it says why.
import http from "node:http";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dataDir, reloadEnv } from "@/server/env";
import { publishAndWaitForRouter, startPublishing } from "@/server/router/publish";
import { startRuntime, stopRuntime } from "@/server/runtime";
import { runtimeDriver, type RuntimeDriver } from "@/server/runtime/driver";
import { docker } from "@/server/runtime/docker";
import { parseNodeEngines, type SwarmDriver } from "@/server/runtime/drivers/swarm";
import { bus, type PlatformLogLine } from "@/server/runtime/events";
import { prepareOneOff, runOneOff } from "@/server/runtime/one-off";
import type { Reconciler } from "@/server/runtime/reconciler";
import { createApp } from "@/server/services/apps";
import { releaseImage } from "@/server/services/deploys";
import { updateFormation } from "@/server/services/formation";
import { createUser } from "@/server/services/users";
import { unique } from "@/server/testing/callers";
import { get as viaRouter, startRouter } from "@/server/testing/router";
import { ensureFixtureImage, testRuntimeOptions, waitFor } from "@/server/testing/runtime";
import { labEngine, startSwarmLab, stopSwarmLab, swarmLabUnavailable, sweepStaleSwarmLabs, useSwarmLabSettings, type SwarmLab } from "@/server/testing/swarm-lab";

const unavailable = await swarmLabUnavailable();
if (unavailable) console.warn(`swarm.test.ts skipped: ${unavailable}`);

const name = `swd-${unique()}`;
// Image pulls on a fresh node count against the boot timeout: generous here.
const opts = testRuntimeOptions({ bootTimeoutMs: 60_000, crashBackoffBaseMs: 1_500, stopTimeoutSeconds: 3, drain: () => publishAndWaitForRouter(5_000) });
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const figures: string[] = [];
const figure = (line: string) => {
  figures.push(line);
  console.log(`swarm driver: ${line}`);
};

type ServiceSpec = { Spec: { TaskTemplate: { ContainerSpec: { Image: string } } } };
const holder = globalThis as unknown as { slipwayDriver?: RuntimeDriver };

function get(host: string, port: number, path = "/"): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host, port, path, timeout: 3_000 }, (res) => {
        let body = "";
        res.on("data", (c) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on("timeout", function (this: http.ClientRequest) {
        this.destroy(new Error("timeout"));
      })
      .on("error", reject);
  });
}

describe("SLIPWAY_SWARM_NODE_ENGINES", () => {
  it("reads HOST=ENGINE and the lab's HOST=IP=ENGINE entries, space or comma separated", () => {
    expect(parseNodeEngines("a=unix:///run/a.sock b=172.1.0.3=tcp://172.1.0.3:2375,c=unix:///c")).toEqual({
      a: "unix:///run/a.sock",
      b: "tcp://172.1.0.3:2375",
      c: "unix:///c",
    });
    expect(parseNodeEngines("")).toEqual({});
  });
});

describe.skipIf(unavailable)("the swarm driver on a three-node lab", () => {
  let lab: SwarmLab;
  let driver: RuntimeDriver;
  let runtime: Reconciler;
  let router: Awaited<ReturnType<typeof startRouter>>;
  let stopPublishing: () => void;
  let appName: string;
  let image: string;
  let userId: string;
  let appId: string;
  let restoreSettings: (() => void) | undefined;

  const scale = async (type: string, quantity: number) => {
    await updateFormation({ appId, updates: [{ type, quantity }] });
    await runtime.reconcile(appId);
  };
  const hostOf = (node: string) => lab.nodes.find((n) => n.name === node)!.ip;

  beforeAll(async () => {
    image = await ensureFixtureImage();
    await sweepStaleSwarmLabs("swd-", 30); // this file's labs live about 3 minutes
    // A node is declared down after about three heartbeats (Swarm's default: 5 s).
    const savedHeartbeat = process.env.SLIPWAY_SWARM_HEARTBEAT;
    process.env.SLIPWAY_SWARM_HEARTBEAT = "1s";
    const t0 = Date.now();
    lab = await startSwarmLab(name);
    if (savedHeartbeat === undefined) delete process.env.SLIPWAY_SWARM_HEARTBEAT;
    else process.env.SLIPWAY_SWARM_HEARTBEAT = savedHeartbeat;
    figure(`lab started in ${secs(Date.now() - t0)}`);
    restoreSettings = useSwarmLabSettings(lab);
    reloadEnv();
    holder.slipwayDriver = undefined;
    driver = runtimeDriver();
    expect(driver.name).toBe("swarm");
    userId = (await createUser({ email: `swd-${Date.now()}@example.com`, password: "password1" })).id;
    runtime = await startRuntime(opts);
    stopPublishing = startPublishing(500);
    router = await startRouter({ dataDir: dataDir(), timeoutMs: 3_000 });
  }, 240_000);

  /** Two clients through the router, a new connection per request, until stopped. */
  const load = () => {
    let running = true;
    let ok = 0;
    const failures: string[] = [];
    const loop = async () => {
      while (running) {
        const r = await viaRouter(router.port, `${appName}.localhost`).catch((err: Error) => ({ status: 0, body: err.message }));
        if (r.status === 200) ok++;
        else failures.push(`${r.status} ${r.body.slice(0, 80)}`);
      }
    };
    const loops = [loop(), loop()];
    return async () => {
      running = false;
      await Promise.all(loops);
      return { ok, failures };
    };
  };

  afterAll(async () => {
    console.log(`swarm driver figures:\n  ${figures.join("\n  ")}`);
    await router?.stop();
    stopPublishing?.();
    await stopRuntime();
    // The lab goes with everything on it (services, networks, registry).
    await stopSwarmLab(name);
    restoreSettings?.();
    reloadEnv();
    holder.slipwayDriver = undefined;
  }, 180_000);

  it("deploys a web app and scales it 1 → 6 across nodes, each dyno answering at its node address", async () => {
    const app = await createApp({ userId, name: `swd-${unique()}` });
    appId = app.id;
    appName = app.name;
    await releaseImage({ appId, userId, imageTag: image, processTypes: { web: "node server.js" }, description: "Deploy test" });
    let t = Date.now();
    await scale("web", 1);
    const [first] = await waitFor("web.1 up", async () => (runtime.routable(appId).length === 1 ? runtime.routable(appId) : null), 90_000);
    figure(`web.1 up (image pushed to the lab registry, pulled by digest, booted): ${secs(Date.now() - t)}`);
    expect(await get(first!.host, first!.port)).toEqual({ status: 200, body: "hello from web.1\n" });
    const [dyno] = await driver.listDynos(opts.installation, appId);
    expect(lab.nodes.map((n) => n.ip)).toContain(first!.host);
    expect(first!.host).toBe(hostOf(dyno!.node!));

    t = Date.now();
    await scale("web", 6);
    const routes = await waitFor("web.1-6 up", async () => (runtime.routable(appId).length === 6 ? runtime.routable(appId) : null), 120_000);
    figure(`scale 1 → 6: all 6 up and routable in ${secs(Date.now() - t)}`);
    for (const r of routes) expect(await get(r.host, r.port)).toEqual({ status: 200, body: `hello from ${r.dyno}\n` });
    await waitFor("the router to answer", async () => ((await viaRouter(router.port, `${appName}.localhost`)).status === 200 ? true : null), 30_000);
    const dynos = await driver.listDynos(opts.installation, appId);
    expect(dynos.map((d) => d.dyno).sort()).toEqual(["web.1", "web.2", "web.3", "web.4", "web.5", "web.6"]);
    const byNode = new Map<string, string[]>();
    for (const d of dynos) byNode.set(d.node!, [...(byNode.get(d.node!) ?? []), d.dyno]);
    figure(`placement: ${[...byNode].map(([n, ds]) => `${n.replace(`${name}-`, "")}: ${ds.sort().join(" ")}`).join("; ")}`);
    expect(byNode.size).toBeGreaterThan(1);
    // What the control plane asks of the manager (for the scaling estimate in DESIGN.md).
    const modem = (driver as SwarmDriver).manager.modem as { dial: (...args: unknown[]) => unknown };
    const dial = modem.dial;
    let calls = 0;
    modem.dial = function (this: unknown, ...args: unknown[]) {
      calls++;
      return dial.apply(this, args);
    };
    try {
      let t0 = Date.now();
      await runtime.reconcile(appId);
      figure(`one reconcile pass of the app (6 steady dynos): ${calls} manager API calls in ${Date.now() - t0} ms (a task poll may overlap)`);
      calls = 0;
      t0 = Date.now();
      await new Promise((r) => setTimeout(r, 3_000)); // a window to count in, not a wait for a condition
      figure(`steady installation: ${((calls * 1000) / (Date.now() - t0)).toFixed(1)} manager API calls/s (task poll every 500 ms, sweeps every ${opts.sweepIntervalMs} ms)`);
    } finally {
      modem.dial = dial;
    }
    // The services run the image from the lab's registry, by digest.
    const specs = await Promise.all(dynos.map(async (d) => ((await labEngine(lab.dockerHost).getService(d.id).inspect()) as ServiceSpec).Spec));
    const escaped = lab.registry.replace(/\./g, "\\.");
    for (const spec of specs) expect(spec.TaskTemplate.ContainerSpec.Image).toMatch(new RegExp(`^${escaped}/slipway/${appName}@sha256:[0-9a-f]{64}$`));
    const inspect = await driver.inspectDyno(dynos[0]!.id);
    expect(inspect).toMatchObject({ running: true, status: "running", exitCode: null, node: dynos[0]!.node });
  }, 240_000);

  it("runs a one-off: its output streamed, its exit code returned, its service removed", async () => {
    const out: string[] = [];
    const t = Date.now();
    const result = await runOneOff({
      installation: opts.installation,
      appId,
      command: 'echo "$DYNO says hi"; echo oops >&2; exit 3',
      port: opts.port,
      stopTimeoutSeconds: opts.stopTimeoutSeconds,
      onOutput: (stream, text) => out.push(`${stream}:${text}`),
    });
    figure(`one-off run to exit: ${secs(Date.now() - t)}`);
    expect(result).toEqual({ dyno: "run.1", exitCode: 3 });
    expect(out).toContain("stdout:run.1 says hi\n");
    expect(out).toContain("stderr:oops\n");
    expect((await driver.listDynos(opts.installation, appId)).filter((d) => d.oneOff)).toEqual([]);
  }, 120_000);

  it("runs an interactive one-off through its node's Engine: typed input, a terminal of the asked size, its exit status", async () => {
    const stdin = new PassThrough();
    let out = "";
    const t = Date.now();
    const prepared = await prepareOneOff({ installation: opts.installation, appId, command: "bash", port: opts.port, stopTimeoutSeconds: opts.stopTimeoutSeconds, interactive: { tty: true } });
    let sized!: () => void;
    const resized = new Promise<void>((resolve) => (sized = resolve));
    const running = prepared.run({
      stdin,
      onOutput: (_stream, text) => (out += text),
      onStarted: async () => {
        await driver.resizeDyno(prepared.dynoId, { cols: 123, rows: 45 });
        sized();
      },
    });
    await resized;
    await waitFor("the shell's prompt", async () => (out.length > 0 ? true : null), 30_000);
    stdin.write("echo typed-$((6*7)); stty size; tty; exit 7\r");
    const result = await running;
    figure(`interactive one-off (bash, typed input, exit 7) in ${secs(Date.now() - t)}`);
    expect(result).toEqual({ dyno: prepared.dyno, exitCode: 7 });
    expect(out).toMatch(/typed-42\r?\n45 123\r?\n\/dev\/pts\/\d+/);
    expect((await driver.listDynos(opts.installation, appId)).filter((d) => d.oneOff)).toEqual([]);
  }, 120_000);

  it("restarts a crashing dyno itself, in the same service, after the reconciler's cool-off", async () => {
    const logs: PlatformLogLine[] = [];
    const onLog = (line: PlatformLogLine) => logs.push(line);
    bus.on("log", onLog);
    const app = await createApp({ userId, name: `swc-${unique()}` });
    await releaseImage({ appId: app.id, userId, imageTag: image, processTypes: { worker: 'echo "boot of $DYNO"; exit 1' }, description: "Crashing" });
    await updateFormation({ appId: app.id, updates: [{ type: "worker", quantity: 1 }] });
    await runtime.reconcile(app.id);
    const [dyno] = await driver.listDynos(opts.installation, app.id);
    // First crash: at once; second: after crashBackoffBaseMs. Swarm restarts nothing itself.
    const t = Date.now();
    await waitFor("worker.1 restarted twice", async () => (runtime.states(app.id).find((x) => x.dyno === "worker.1")?.restartCount ?? 0) >= 2, 60_000);
    figure(`crashing worker.1 restarted twice (cool-off ${opts.crashBackoffBaseMs} ms) in ${secs(Date.now() - t)}`);
    const now = await driver.listDynos(opts.installation, app.id);
    expect(now.map((d) => d.id)).toEqual([dyno!.id]);
    const info = await waitFor("worker.1 exited", async () => {
      const i = await driver.inspectDyno(dyno!.id);
      return i?.status === "exited" ? i : null;
    }, 30_000);
    expect(info).toMatchObject({ exitCode: 1, oomKilled: false, dyno: "worker.1" });
    const boots = [];
    for await (const line of driver.dynoLogs(dyno!.id, { follow: false })) if (line.message === "boot of worker.1") boots.push(line);
    expect(boots.length).toBeGreaterThanOrEqual(2);
    bus.off("log", onLog);
    const exits = logs.filter((l) => l.appId === app.id && l.dyno === "worker.1" && /^Process exited with status/.test(l.message));
    expect(exits.length).toBeGreaterThanOrEqual(2);
    expect(new Set(exits.map((l) => l.message))).toEqual(new Set(["Process exited with status 1"]));
    await updateFormation({ appId: app.id, updates: [{ type: "worker", quantity: 0 }] });
    await runtime.reconcile(app.id);
    await waitFor("worker.1 removed", async () => (await driver.listDynos(opts.installation, app.id)).length === 0, 30_000);
  }, 120_000);

  it("reads the output and the stats of a dyno on a worker", async () => {
    const onWorker = (await driver.listDynos(opts.installation, appId)).find((d) => d.node?.includes("-worker") && d.status === "running")!;
    expect(onWorker).toBeTruthy();
    const lines = [];
    for await (const line of driver.dynoLogs(onWorker.id, { follow: false })) lines.push(line);
    expect(lines.map((l) => l.message)).toContain("listening on 5000");
    expect(lines.every((l) => l.ns > 0n && l.stream === "stdout")).toBe(true);
    // From the cursor on: nothing older comes back.
    const last = lines.at(-1)!;
    for await (const line of driver.dynoLogs(onWorker.id, { follow: false, sinceNs: last.ns })) expect(line.ns >= last.ns).toBe(true);
    const stats = await driver.dynoStats(onWorker.id);
    expect(stats?.memoryBytes).toBeGreaterThan(1_000_000);
    expect(stats?.cpu?.total).toBeGreaterThan(0);
  }, 60_000);

  it("lists the nodes with their dynos; a drained worker's dynos move to the others, activate takes it back", async () => {
    const nodes = await driver.nodes(opts.installation);
    expect(nodes.map((n) => n.name).sort()).toEqual(lab.nodes.map((n) => n.name).sort());
    expect(nodes[0]).toMatchObject({ role: "manager", leader: true, state: "ready", availability: "active" });
    expect(nodes.every((n) => n.state === "ready" && (n.memoryBytes ?? 0) > 0 && (n.cpus ?? 0) > 0)).toBe(true);
    const running = (await driver.listDynos(opts.installation)).filter((d) => d.status === "running");
    expect(nodes.reduce((sum, n) => sum + n.dynos, 0)).toBe(running.length);
    for (const n of nodes) expect(n.dynos).toBe(running.filter((d) => d.node === n.name).length);

    const target = nodes.filter((n) => n.role === "worker" && n.dynos > 0).sort((a, b) => b.dynos - a.dynos)[0]!;
    expect(target).toBeTruthy();
    const t0 = Date.now();
    await driver.setNodeAvailability(target.id, "drain");
    expect((await driver.nodes(opts.installation)).find((n) => n.id === target.id)?.availability).toBe("drain");
    await waitFor(`6 web dynos up again, none on the drained ${target.name}`, async () => {
      const now = await driver.listDynos(opts.installation, appId);
      return now.length === 6 && now.every((d) => d.status === "running" && d.node !== target.name) && runtime.routable(appId).length === 6;
    }, 120_000);
    figure(`drain ${target.name} (${target.dynos} dynos): all 6 up elsewhere ${secs(Date.now() - t0)} after the drain`);
    expect((await driver.nodes(opts.installation)).find((n) => n.id === target.id)?.dynos).toBe(0);
    await driver.setNodeAvailability(target.id, "active");
    expect((await driver.nodes(opts.installation)).find((n) => n.id === target.id)?.availability).toBe("active");
    await expect(driver.setNodeAvailability("no-such-node", "drain")).rejects.toMatchObject({ code: "NOT_FOUND" });
  }, 180_000);

  it("deploys a new release under load through the router without losing a request", async () => {
    const before = await driver.listDynos(opts.installation, appId);
    const stop = load();
    await waitFor("requests flowing", async () => router.lines().length > 10, 30_000);
    const t = Date.now();
    const release = await releaseImage({ appId, userId, imageTag: image, processTypes: { web: "node server.js" }, description: "Deploy under load" });
    await waitFor(
      "6 dynos of the new release up and routed, the old ones gone",
      async () => {
        const now = await driver.listDynos(opts.installation, appId);
        return now.length === 6 && now.every((d) => d.release === release.version && d.status === "running") && runtime.routable(appId).length === 6;
      },
      120_000,
    );
    const { ok, failures } = await stop();
    figure(`deploy under load (6 web dynos replaced with preboot): ${secs(Date.now() - t)}, ${ok} requests answered, ${failures.length} failed`);
    const oldIds = new Set(before.map((d) => d.id));
    expect((await driver.listDynos(opts.installation, appId)).filter((d) => oldIds.has(d.id))).toEqual([]);
    expect(failures).toEqual([]);
    expect(ok).toBeGreaterThan(20);
  }, 180_000);

  it("replaces the dynos of a lost worker on the other nodes", async () => {
    const stopLoad = load();
    const dynos = await driver.listDynos(opts.installation, appId);
    const counts = new Map<string, number>();
    for (const d of dynos) if (d.node?.includes("-worker")) counts.set(d.node, (counts.get(d.node) ?? 0) + 1);
    const [lost, lostCount] = [...counts].sort((a, b) => b[1] - a[1])[0]!;
    const lostIp = hostOf(lost);
    const t0 = Date.now();
    await docker().getContainer(lost).kill(); // the host Engine: the node's container dies with its dockerd
    const gone = await waitFor(`${lost}'s dynos out of the routing table`, async () => {
      const r = runtime.routable(appId);
      return r.every((x) => x.host !== lostIp) ? r : null;
    }, 60_000);
    figure(`worker lost (${lost}, ${lostCount} dynos): out of the routing table after ${secs(Date.now() - t0)} (${gone.length} routable then)`);
    const routes = await waitFor("6 dynos up again, none on the lost node", async () => {
      const r = runtime.routable(appId);
      return r.length === 6 && r.every((x) => x.host !== lostIp) ? r : null;
    }, 120_000);
    for (const r of routes) expect(await get(r.host, r.port)).toEqual({ status: 200, body: `hello from ${r.dyno}\n` });
    figure(`worker loss: full capacity (6 dynos up on the 2 remaining nodes) ${secs(Date.now() - t0)} after the kill`);
    const { ok, failures } = await stopLoad();
    figure(`worker loss under load: ${ok} requests answered, ${failures.length} failed (${[...new Set(failures)].slice(0, 3).join("; ")})`);
    const after = await driver.listDynos(opts.installation, appId);
    expect(after.filter((d) => d.status === "running" && d.node === lost)).toEqual([]);
  }, 200_000);
});
