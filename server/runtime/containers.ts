import "server-only";
// Dyno containers and per-app networks on the Engine, through the one gateway.
import crypto from "node:crypto";
import os from "node:os";
import { Readable } from "node:stream";
import type Dockerode from "dockerode";
import { docker, engine, engineError, engineStatus } from "@/server/runtime/docker";
import { dynoCgroupParent } from "@/server/runtime/dyno-cgroup";
import { appBridgeName, BRIDGE_NAME_OPTION, bridgePrefix } from "@/server/runtime/network";
import { dynoStorageOpt } from "@/server/services/quotas-disk";

export const LABEL = {
  managed: "slipway.managed",
  installation: "slipway.installation",
  spec: "slipway.spec",
  appId: "slipway.app-id",
  app: "slipway.app",
  dyno: "slipway.dyno",
  type: "slipway.type",
  releaseId: "slipway.release-id",
  release: "slipway.release",
  size: "slipway.size",
  oneOff: "slipway.one-off",
  /** A one-off's Dyno row id: the process running it knows it; an unknown one is orphaned. */
  oneOffId: "slipway.one-off-id",
} as const;

export type DynoContainer = {
  id: string;
  appId: string;
  dyno: string;
  type: string;
  releaseId: string;
  release: number;
  size: string;
  /** Hash of what the dyno runs (release, image, command, size): equal hash = nothing to replace. */
  spec: string;
  oneOff: boolean;
  oneOffId: string | null;
  /** Docker's state: created | running | paused | restarting | removing | exited | dead */
  status: string;
  createdAt: number;
};

function fromSummary(c: Dockerode.ContainerInfo): DynoContainer {
  const l = c.Labels ?? {};
  return {
    id: c.Id,
    appId: l[LABEL.appId] ?? "",
    dyno: l[LABEL.dyno] ?? "",
    type: l[LABEL.type] ?? "",
    releaseId: l[LABEL.releaseId] ?? "",
    release: Number(l[LABEL.release] ?? 0),
    size: l[LABEL.size] ?? "",
    spec: l[LABEL.spec] ?? "",
    oneOff: l[LABEL.oneOff] === "1",
    oneOffId: l[LABEL.oneOffId] ?? null,
    status: c.State,
    createdAt: c.Created,
  };
}

/**
 * This installation's dyno containers (optionally of one app), running or not. Only those
 * with a dyno label: add-on containers carry the installation's labels too.
 */
export async function listDynoContainers(installation: string, appId?: string): Promise<DynoContainer[]> {
  const label = [`${LABEL.managed}=1`, `${LABEL.installation}=${installation}`, LABEL.dyno, ...(appId ? [`${LABEL.appId}=${appId}`] : [])];
  const rows = await engine("List dyno containers", () => docker().listContainers({ all: true, filters: { label } }));
  return rows.map(fromSummary);
}

export function networkName(appId: string) {
  return `slipway-app-${appId}`;
}

const creatingNetworks = new Map<string, Promise<string>>();
// Networks known to exist: creating a dyno then costs no extra Engine call.
const knownNetworks = new Set<string>();

/**
 * One bridge network per app: dynos of different apps cannot reach each other (Docker's
 * isolation chains drop traffic between bridges), while an app's own dynos and add-ons
 * can. The bridge is named with the installation's prefix so the firewall confines it
 * (firewall.ts: no host ports but the public listeners, no metadata address). The
 * Engine allows two networks with one name (then refuses to attach to either), so
 * creation is single-flight here, asks the Engine to check duplicates, and heals any
 * duplicate left by an earlier process.
 */
export function ensureAppNetwork(installation: string, appId: string, appName: string): Promise<string> {
  if (knownNetworks.has(appId)) return Promise.resolve(networkName(appId));
  let pending = creatingNetworks.get(appId);
  if (!pending) {
    pending = createAppNetwork(installation, appId, appName)
      .then((name) => (knownNetworks.add(appId), name))
      .finally(() => creatingNetworks.delete(appId));
    creatingNetworks.set(appId, pending);
  }
  return pending;
}

async function createAppNetwork(installation: string, appId: string, appName: string): Promise<string> {
  const name = networkName(appId);
  const d = docker();
  const existing = (await engine("List networks", () => d.listNetworks({ filters: { name: [name] } }))).filter((n) => n.Name === name);
  if (existing.length > 1) {
    existing.sort((a, b) => Date.parse(a.Created ?? "") - Date.parse(b.Created ?? ""));
    for (const extra of existing.slice(1)) await d.getNetwork(extra.Id).remove().catch(() => undefined);
  }
  if (existing.length > 0 && !(await replaceUnconfined(existing[0]!.Id, installation))) return name;
  try {
    await d.createNetwork({
      Name: name,
      Driver: "bridge",
      CheckDuplicate: true,
      Options: { [BRIDGE_NAME_OPTION]: appBridgeName(installation, appId) },
      Labels: { [LABEL.managed]: "1", [LABEL.installation]: installation, [LABEL.appId]: appId, [LABEL.app]: appName },
    });
  } catch (err) {
    if (engineStatus(err) !== 409) throw engineError(err, "Create the app's network"); // 409: created concurrently
  }
  return name;
}

/**
 * A network made before bridges were named for the firewall: removed (to be made again)
 * when nothing is attached; otherwise kept, with a warning: the firewall does not cover it
 * until nothing is attached at a later check (scale to zero and detach its add-ons).
 */
async function replaceUnconfined(id: string, installation: string): Promise<boolean> {
  const info = await engine("Inspect the app's network", () => docker().getNetwork(id).inspect());
  if (String(info.Options?.[BRIDGE_NAME_OPTION] ?? "").startsWith(bridgePrefix(installation))) return false;
  if (Object.keys(info.Containers ?? {}).length > 0) {
    console.warn(`slipway: WARNING: network ${info.Name} predates the firewall's bridge names and is not confined; it is replaced once no dyno or add-on is attached to it`);
    return false;
  }
  await docker().getNetwork(id).remove().catch(() => undefined);
  return true;
}

export async function removeAppNetwork(appId: string) {
  knownNetworks.delete(appId);
  try {
    await docker().getNetwork(networkName(appId)).remove();
  } catch (err) {
    if (engineStatus(err) !== 404) throw err;
  }
}

export type DynoContainerSpec = {
  installation: string;
  spec: string;
  appId: string;
  appName: string;
  dyno: string;
  type: string;
  releaseId: string;
  release: number;
  image: string;
  command: string;
  env: Record<string, string>;
  size: { name: string; memoryMb: number; cpus: number; pids: number };
  oneOff?: boolean;
  /** The one-off's Dyno row id (see LABEL.oneOffId). */
  oneOffId?: string;
  stopTimeoutSeconds: number;
  attachStdin?: boolean;
};

/** CPUs the Engine may give one container: a size's CPUs are capped to this. */
export const hostCpus = () => os.availableParallelism();

export async function createDynoContainer(spec: DynoContainerSpec): Promise<string> {
  const network = await ensureAppNetwork(spec.installation, spec.appId, spec.appName);
  const suffix = crypto.randomBytes(3).toString("hex");
  const cpus = Math.min(spec.size.cpus, hostCpus());
  const storageOpt = await dynoStorageOpt(); // an ephemeral disk cap where the storage driver has one
  const cgroupParent = await dynoCgroupParent(spec.installation, spec.appId); // CPU split per app
  const container = await engine(`Create dyno ${spec.dyno}`, () =>
    createContainerOrForgetNetwork(spec.appId, {
      name: `slipway-${spec.appName}-${spec.dyno}-v${spec.release}-${suffix}`,
      Image: spec.image,
      // Procfile commands are shell command lines, as on Heroku.
      Cmd: ["/bin/bash", "-c", spec.command],
      // A Dockerfile's ENTRYPOINT is already part of the command its build recorded.
      Entrypoint: [""],
      Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
      User: "1000:1000",
      WorkingDir: "/app",
      Labels: {
        [LABEL.managed]: "1",
        [LABEL.installation]: spec.installation,
        [LABEL.spec]: spec.spec,
        [LABEL.appId]: spec.appId,
        [LABEL.app]: spec.appName,
        [LABEL.dyno]: spec.dyno,
        [LABEL.type]: spec.type,
        [LABEL.releaseId]: spec.releaseId,
        [LABEL.release]: String(spec.release),
        [LABEL.size]: spec.size.name,
        ...(spec.oneOff ? { [LABEL.oneOff]: "1" } : {}),
        ...(spec.oneOffId ? { [LABEL.oneOffId]: spec.oneOffId } : {}),
      },
      StopSignal: "SIGTERM",
      StopTimeout: spec.stopTimeoutSeconds,
      Tty: false,
      OpenStdin: spec.attachStdin ?? false,
      StdinOnce: spec.attachStdin ?? false,
      AttachStdin: spec.attachStdin ?? false,
      AttachStdout: !!spec.oneOff,
      AttachStderr: !!spec.oneOff,
      HostConfig: {
        // tini as PID 1: forwards SIGTERM to the process and reaps zombies.
        Init: true,
        NetworkMode: network,
        CgroupParent: cgroupParent,
        Memory: spec.size.memoryMb * 1024 * 1024,
        MemorySwap: spec.size.memoryMb * 1024 * 1024,
        NanoCpus: Math.round(cpus * 1e9),
        PidsLimit: spec.size.pids,
        StorageOpt: storageOpt,
        CapDrop: ["ALL"],
        SecurityOpt: ["no-new-privileges"],
        RestartPolicy: { Name: "no" },
        LogConfig: { Type: "json-file", Config: { "max-size": "10m", "max-file": "2" } },
      },
    }),
  );
  return container.id;
}

/** A 404 may mean the app's network was removed behind our back: re-check it next time. */
async function createContainerOrForgetNetwork(appId: string, options: Dockerode.ContainerCreateOptions) {
  try {
    return await docker().createContainer(options);
  } catch (err) {
    if (engineStatus(err) === 404) knownNetworks.delete(appId);
    throw err;
  }
}

export async function startContainer(id: string) {
  await engine("Start dyno", () => docker().getContainer(id).start()).catch((err) => {
    if (engineStatus(err) !== 304) throw err; // already started
  });
}

export async function inspectContainer(id: string) {
  return engine("Inspect dyno", () => docker().getContainer(id).inspect());
}

/**
 * One reading of the Engine's stats API for a running dyno (`stream: false`, `one-shot`:
 * the Engine answers at once instead of waiting a second to fill in `precpu_stats`; CPU
 * use comes from the difference between two readings). null when the container is gone.
 */
export async function containerStats(id: string): Promise<Dockerode.ContainerStats | null> {
  try {
    return await docker().getContainer(id).stats({ stream: false, "one-shot": true });
  } catch (err) {
    if (engineStatus(err) === 404) return null;
    throw engineError(err, "Read dyno stats");
  }
}

/** SIGTERM, then SIGKILL after `timeoutSeconds` (Docker's stop does exactly Heroku's dance). */
export async function stopContainer(id: string, timeoutSeconds: number) {
  try {
    await docker().getContainer(id).stop({ t: timeoutSeconds });
  } catch (err) {
    const status = engineStatus(err);
    if (status !== 304 && status !== 404) throw err;
  }
}

export async function killContainer(id: string) {
  try {
    await docker().getContainer(id).kill({ signal: "SIGKILL" });
  } catch (err) {
    const status = engineStatus(err);
    if (status !== 404 && status !== 409) throw err;
  }
}

/**
 * Work that must happen before a dyno container disappears (the log collector reads the
 * rest of its output). Each hook gets at most 2 s; removal never waits longer.
 */
const beforeRemoveHooks = new Set<(id: string) => Promise<unknown>>();
export function onBeforeRemove(hook: (id: string) => Promise<unknown>): () => void {
  beforeRemoveHooks.add(hook);
  return () => beforeRemoveHooks.delete(hook);
}

/** Docker's log stream of a container (multiplexed stdout/stderr frames, with timestamps). */
export function containerLogStream(id: string, opts: { follow: boolean; sinceNs?: bigint }): Promise<NodeJS.ReadableStream> {
  const since = opts.sinceNs === undefined ? 0 : `${opts.sinceNs / 1_000_000_000n}.${String(opts.sinceNs % 1_000_000_000n).padStart(9, "0")}`;
  return engine("Read dyno output", async () => {
    const out: unknown = await docker().getContainer(id).logs({ follow: opts.follow as true, stdout: true, stderr: true, timestamps: true, since: since as number });
    // Without follow, dockerode hands back the whole output as one Buffer.
    return Buffer.isBuffer(out) ? Readable.from([out]) : (out as NodeJS.ReadableStream);
  });
}

export async function removeContainer(id: string) {
  await Promise.all(
    [...beforeRemoveHooks].map((hook) => {
      let timer: NodeJS.Timeout | undefined;
      const cap = new Promise((r) => (timer = setTimeout(r, 2_000)));
      return Promise.race([hook(id).catch(() => undefined), cap]).finally(() => clearTimeout(timer));
    }),
  );
  try {
    await docker().getContainer(id).remove({ force: true, v: true });
  } catch (err) {
    const status = engineStatus(err);
    if (status !== 404 && status !== 409) throw err;
  }
}

/** The dyno's address on its app network (the router and the boot check connect here). */
export function containerIp(info: Dockerode.ContainerInspectInfo, appId: string): string | null {
  return info.NetworkSettings?.Networks?.[networkName(appId)]?.IPAddress || null;
}
