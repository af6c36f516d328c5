// kill -9 the control plane in the middle of provisioning, start another: provisioning
// resumes to `available` with exactly one container and volume, and Engine resources of
// add-ons the database does not know are removed.
import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADDON_LABEL } from "@/server/addons/engine";
import { docker } from "@/server/runtime/docker";
import { ensureAddonImages } from "@/server/testing/addon-images";
import { waitFor } from "@/server/testing/runtime";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");
const installation = `test-${crypto.randomBytes(5).toString("hex")}`;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-addon-crash-"));
const children: ChildProcess[] = [];
const label = [`slipway.installation=${installation}`];

function child(args: string[]) {
  const proc = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", "server/testing/addon-child.ts", ...args], {
    cwd: root,
    env: { ...process.env, NODE_ENV: "production", SLIPWAY_INSTALLATION_ID: installation, SLIPWAY_DATA_DIR: path.join(dir, "data") },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(proc);
  let out = "";
  proc.stdout!.on("data", (c) => (out += c));
  proc.stderr!.on("data", (c) => (out += c));
  const exited = new Promise<number | null>((resolve) => proc.on("exit", (code) => resolve(code)));
  const last = () => JSON.parse(out.trim().split("\n").filter((l) => l.startsWith("{")).at(-1)!) as Record<string, any>;
  return { proc, output: () => out, exited, last };
}

beforeAll(async () => {
  await ensureAddonImages();
}, 600_000);

afterAll(async () => {
  for (const c of children) c.kill("SIGKILL");
  const d = docker();
  for (const c of await d.listContainers({ all: true, filters: { label } })) await d.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined);
  for (const v of (await d.listVolumes({ filters: { label } })).Volumes ?? []) await d.getVolume(v.Name).remove().catch(() => undefined);
  for (const n of await d.listNetworks({ filters: { label } })) await d.getNetwork(n.Id).remove().catch(() => undefined);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("add-on provisioning across a control plane crash", () => {
  it("resumes to available after kill -9 mid-provisioning and removes orphans", async () => {
    const setup = child(["setup", path.join(dir, "db")]);
    expect(await setup.exited, setup.output()).toBe(0);
    const { appId, userId } = setup.last();

    const add = child(["add", path.join(dir, "db"), appId, userId, "slipway-postgresql"]);
    // As soon as its container exists, before PostgreSQL answers: kill -9.
    await waitFor("the add-on's container", async () => (await docker().listContainers({ all: true, filters: { label } })).length > 0, 60_000);
    add.proc.kill("SIGKILL");
    await add.exited;
    const { addonId } = add.last();

    // Leftovers of an add-on the database never heard of.
    const orphan = `slipway-addon-${crypto.randomUUID()}`;
    const orphanLabels = { "slipway.managed": "1", "slipway.installation": installation, [ADDON_LABEL.addonId]: orphan.slice(14), [ADDON_LABEL.addon]: "postgresql-orphan-1" };
    await docker().createVolume({ Name: orphan, Labels: orphanLabels });
    await docker().createNetwork({ Name: orphan, Labels: orphanLabels });

    const resume = child(["resume", path.join(dir, "db"), appId]);
    expect(await resume.exited, resume.output()).toBe(0);
    const { addons, configKeys } = resume.last();
    expect(addons).toEqual([expect.objectContaining({ id: addonId, state: "available", error: null })]);
    expect(configKeys).toEqual(["DATABASE_URL"]);

    const containers = await docker().listContainers({ all: true, filters: { label } });
    expect(containers.map((c) => [c.Labels[ADDON_LABEL.addonId], c.State])).toEqual([[addonId, "running"]]);
    const volumes = ((await docker().listVolumes({ filters: { label } })).Volumes ?? []).map((v) => v.Name);
    expect(volumes).toEqual([`slipway-addon-${addonId}`]);
    const networks = (await docker().listNetworks({ filters: { label } })).map((n) => n.Name);
    expect(networks).not.toContain(orphan);
  }, 240_000);
});
