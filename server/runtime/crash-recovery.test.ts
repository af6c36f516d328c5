// kill -9 the dyno manager in the middle of scaling 1 → 5, start a new one, and check the
// Engine converges exactly: five dynos, no duplicates, no orphans, healthy ones untouched.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runtimeDriver } from "@/server/runtime/driver";
import { cleanupInstallation, ensureFixtureImage, inspectContainer, testRuntimeOptions, waitFor } from "@/server/testing/runtime";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");
const { installation } = testRuntimeOptions();
const { installation: oneOffInstallation } = testRuntimeOptions();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-crash-"));
const oneOffDir = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-crash-oneoff-"));
const children: ChildProcess[] = [];

function child(args: string[], env: Record<string, string> = {}) {
  const proc = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", "server/testing/reconciler-child.ts", ...args], {
    cwd: root,
    env: { ...process.env, NODE_ENV: "production", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(proc);
  let out = "";
  proc.stdout!.on("data", (c) => (out += c));
  proc.stderr!.on("data", (c) => (out += c));
  const exited = new Promise<number | null>((resolve) => proc.on("exit", (code) => resolve(code)));
  return { proc, output: () => out, exited };
}

afterAll(async () => {
  for (const c of children) c.kill("SIGKILL");
  await cleanupInstallation(installation);
  await cleanupInstallation(oneOffInstallation);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(oneOffDir, { recursive: true, force: true });
});

describe("dyno manager crash recovery", () => {
  it("converges exactly after kill -9 mid-scale, without restarting healthy dynos", async () => {
    const image = await ensureFixtureImage();
    const setup = child(["setup", dir], { FIXTURE_IMAGE: image });
    expect(await setup.exited).toBe(0);
    const { appId } = JSON.parse(setup.output().trim().split("\n").at(-1)!) as { appId: string };

    const first = child(["run", dir, installation, appId, "web=5"]);
    // Kill it as soon as the first dynos exist, before the scale-out has finished.
    await waitFor("first dynos", async () => (await runtimeDriver().listDynos(installation, appId)).some((c) => c.status === "running"), 60_000);
    first.proc.kill("SIGKILL");
    await first.exited;
    const before = await runtimeDriver().listDynos(installation, appId);
    expect(before.length).toBeGreaterThan(0);
    const runningBefore = await Promise.all(
      before.filter((c) => c.status === "running").map(async (c) => ({ id: c.id, startedAt: (await inspectContainer(c.id)).State.StartedAt })),
    );

    const second = child(["run", dir, installation, appId]);
    const after = await waitFor(
      "exactly web.1..web.5 running",
      async () => {
        const list = await runtimeDriver().listDynos(installation, appId);
        const names = list.map((c) => c.dyno).sort();
        return names.join() === "web.1,web.2,web.3,web.4,web.5" && list.every((c) => c.status === "running") ? list : null;
      },
      60_000,
    ).catch(async (err: unknown) => {
      const list = await runtimeDriver().listDynos(installation, appId);
      throw new Error(`${String(err)}\ncontainers: ${JSON.stringify(list.map((c) => [c.dyno, c.status]))}\nfirst:\n${first.output()}\nsecond:\n${second.output()}`);
    });
    // Across more sweeps (every 500 ms) the set stays exactly these five containers.
    const settled = await waitFor("a stable set", async () => {
      const a = (await runtimeDriver().listDynos(installation, appId)).map((c) => c.id).sort().join();
      await new Promise((r) => setTimeout(r, 1_200));
      const b = (await runtimeDriver().listDynos(installation, appId)).map((c) => c.id).sort().join();
      return a === b ? b.split(",") : null;
    });
    expect(settled).toHaveLength(5);
    expect(new Set(after.map((c) => c.dyno)).size).toBe(5);
    for (const r of runningBefore) {
      expect(settled).toContain(r.id);
      expect((await inspectContainer(r.id)).State.StartedAt).toBe(r.startedAt);
    }
    second.proc.kill("SIGTERM");
    await second.exited;
  }, 240_000);

  it("reaps a one-off and its run.N row left running by a control plane killed with -9, and never its own", async () => {
    const image = await ensureFixtureImage();
    const setup = child(["setup", oneOffDir], { FIXTURE_IMAGE: image });
    expect(await setup.exited).toBe(0);
    const { appId } = JSON.parse(setup.output().trim().split("\n").at(-1)!) as { appId: string };
    const rows = async () => {
      const c = child(["rows", oneOffDir, appId]);
      expect(await c.exited).toBe(0);
      return JSON.parse(c.output().trim().split("\n").at(-1)!) as { name: string; type: string; containerId: string | null }[];
    };
    const oneOffs = async () => (await runtimeDriver().listDynos(oneOffInstallation, appId)).filter((c) => c.oneOff);

    // A control plane running `heroku run sleep 600`: its own sweeps (every 500 ms) leave it alone.
    const first = child(["oneoff", oneOffDir, oneOffInstallation, appId]);
    const [running] = await waitFor("the one-off running", async () => {
      const list = (await oneOffs()).filter((c) => c.status === "running");
      return list.length === 1 ? list : null;
    }, 60_000);
    expect(running!.dyno).toBe("run.1");
    await waitFor("the child to report its one-off", async () => first.output().includes("one-off run.1"));
    await new Promise((r) => setTimeout(r, 1_500)); // three of its sweeps
    expect((await oneOffs()).map((c) => [c.id, c.status])).toEqual([[running!.id, "running"]]);

    first.proc.kill("SIGKILL");
    await first.exited;
    // The one-off outlived its control plane, and so did its row.
    expect((await oneOffs()).map((c) => c.status)).toEqual(["running"]);
    expect((await rows()).filter((r) => r.type === "run")).toEqual([{ name: "run.1", type: "run", containerId: running!.id }]);

    const second = child(["run", oneOffDir, oneOffInstallation, appId]);
    await waitFor("the orphaned one-off removed", async () => second.output().includes("started") && (await oneOffs()).length === 0, 60_000).catch((err: unknown) => {
      throw new Error(`${String(err)}\nsecond:\n${second.output()}`);
    });
    second.proc.kill("SIGTERM");
    expect(await second.exited).toBe(0);
    expect((await rows()).filter((r) => r.type === "run")).toEqual([]);
  }, 240_000);
});
