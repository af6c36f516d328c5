import "server-only";
// Add-on containers, volumes and networks on the Engine (through the one gateway). Every
// add-on has a container, a named volume for its data and a bridge network of its own
// (so it has an address before any app is attached); app networks are connected to it
// one by one with the add-on's name as DNS alias, which is the host in its URL.
//
// Where: the platform's own Engine (docker()) unless the add-on has a node (SLIPWAY_RUNTIME=
// swarm with node Engines configured). Then every call goes to that node's own Engine: the
// add-on is a standalone container there, pinned by construction (a Swarm service would be
// placed by the scheduler and has no exec, which setup, health, stats and backups need). Its
// image is pushed to the platform's registry and pulled there by digest; attaching connects
// it to the app's attachable overlay network, so dynos on every node reach it by name.
import type Dockerode from "dockerode";
import { pack } from "tar-stream";
import type { AddonStatus, AddonTarget, Progress } from "@/server/addons/types";
import { LABEL } from "@/server/runtime/labels";
import { imageExists } from "@/server/build/images";
import { docker, engine, engineError, engineStatus, execInContainer, type ExecOptions, type RunResult } from "@/server/runtime/docker";
import { runtimeDriver } from "@/server/runtime/driver";
import { SwarmDriver } from "@/server/runtime/drivers/swarm";
import { createBridgeNetwork } from "@/server/runtime/drivers/subnets";
import { AppError } from "@/server/errors";

export const ADDON_LABEL = {
  addonId: "slipway.addon-id",
  addon: "slipway.addon",
  service: "slipway.addon-service",
  plan: "slipway.addon-plan",
} as const;

/** Container, volume and network share one name per add-on: unique on the Engine. */
export function addonResourceName(target: Pick<AddonTarget, "id">) {
  return `slipway-addon-${target.id}`;
}

function labels(target: AddonTarget, service: string) {
  return {
    [LABEL.managed]: "1",
    [LABEL.installation]: target.installation,
    [ADDON_LABEL.addonId]: target.id,
    [ADDON_LABEL.addon]: target.name,
    [ADDON_LABEL.service]: service,
    [ADDON_LABEL.plan]: target.plan.name,
  };
}

export type AddonContainerSpec = {
  service: string;
  image: string;
  /** Where the image keeps its data: the volume is mounted here. */
  dataPath: string;
  /** Non-secret settings for the server (limits from the plan). */
  env: Record<string, string>;
  /** Exits 0 once the server answers (the Engine's health check runs it too). */
  readyCmd: string[];
  label: string;
  /**
   * Files put into the data volume before the server first starts, owned by the image's
   * user, mode 0600: a config that carries the password, so the server never listens
   * without one (setting it by exec after start left a window open to anyone on its network).
   */
  seedFiles?: Record<string, string>;
};

const ignore = (...statuses: number[]) => (err: unknown) => {
  if (!statuses.includes(engineStatus(err) ?? 0)) throw err;
};

type Placed = Pick<AddonTarget, "name" | "node">;

function swarmDriver(): SwarmDriver | null {
  const driver = runtimeDriver();
  return driver instanceof SwarmDriver ? driver : null;
}

/** The Engine the add-on lives on: its node's, or the platform's own. */
function engineOf(target: Placed): Dockerode {
  if (!target.node) return docker();
  const node = swarmDriver()?.engineOfNode(target.node);
  if (!node) throw new AppError("UNAVAILABLE", `Add-on ${target.name} runs on node ${target.node}, whose Engine the control plane cannot reach (SLIPWAY_SWARM_NODE_ENGINES).`);
  return node;
}

/**
 * The node a new add-on goes on, or null for the platform's own Engine (the engine runtime,
 * or a swarm without node Engines: a single node, the control plane's). Among the ready,
 * active nodes the control plane reaches: the fewest add-ons first, workers before managers
 * (managers keep their room for the swarm's own work), then by name.
 */
export async function chooseAddonNode(): Promise<string | null> {
  const driver = swarmDriver();
  if (!driver?.hasNodeEngines()) return null;
  const nodes = await driver.reachableNodes();
  if (!nodes.length) throw new AppError("UNAVAILABLE", "No swarm node can take the add-on: none is ready, active and reachable through SLIPWAY_SWARM_NODE_ENGINES.");
  const counted = await Promise.all(
    nodes.map(async (n) => ({
      ...n,
      addons: (await engine(`List add-ons on node ${n.name}`, () => n.engine.listContainers({ all: true, filters: { label: [ADDON_LABEL.addonId] } }))).length,
    })),
  );
  counted.sort((a, b) => a.addons - b.addons || Number(a.role === "manager") - Number(b.role === "manager") || a.name.localeCompare(b.name));
  return counted[0]!.name;
}

/** The image to create the container from: on a node, pulled there from the platform's registry. */
async function imageFor(target: Placed, image: string): Promise<string> {
  if (!target.node) return image;
  const driver = swarmDriver();
  if (!driver) throw new AppError("UNAVAILABLE", `Add-on ${target.name} runs on node ${target.node}, but this platform runs the engine runtime.`);
  return driver.imageOnNode(image, image.replace(/[:@].*$/, ""), target.node);
}

async function ensureNetwork(target: AddonTarget, service: string) {
  const name = addonResourceName(target);
  const d = engineOf(target);
  const existing = await engine("List networks", () => d.listNetworks({ filters: { name: [name] } }));
  if (existing.some((n) => n.Name === name)) return name;
  await engine("Create the add-on's network", () =>
    createBridgeNetwork(d, { Name: name, Driver: "bridge", CheckDuplicate: true, Labels: labels(target, service) }, !target.node).catch(ignore(409)),
  );
  return name;
}

async function ensureVolume(target: AddonTarget, service: string) {
  const name = addonResourceName(target);
  // Creating a volume that exists returns it unchanged: the data of a resumed add-on stays.
  await engine("Create the add-on's volume", () => engineOf(target).createVolume({ Name: name, Labels: labels(target, service) }));
  return name;
}

async function inspect(target: Placed & Pick<AddonTarget, "id">): Promise<Dockerode.ContainerInspectInfo | null> {
  try {
    return await engineOf(target).getContainer(addonResourceName(target)).inspect();
  } catch (err) {
    if (engineStatus(err) === 404) return null;
    throw engineError(err, `Inspect add-on ${target.name}`);
  }
}

async function createContainer(target: AddonTarget, spec: AddonContainerSpec, network: string, volume: string, progress: Progress) {
  if (!(await imageExists(spec.image))) {
    throw new AppError("UNAVAILABLE", `The ${spec.label} image ${spec.image} is missing; build it with scripts/lib.sh ensure_addon_images (npm run up does).`);
  }
  if (target.node) await progress(`Getting the ${spec.label} image onto node ${target.node}`);
  const image = await imageFor(target, spec.image);
  const memory = target.plan.memoryMb * 1024 * 1024;
  await engine(`Create the ${spec.label} container`, () =>
    engineOf(target)
      .createContainer({
        name: addonResourceName(target),
        Image: image,
        Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
        Labels: labels(target, spec.service),
        Healthcheck: { Test: ["CMD", ...spec.readyCmd], Interval: 10e9, Timeout: 5e9, Retries: 3, StartPeriod: 60e9 },
        HostConfig: {
          NetworkMode: network,
          Mounts: [{ Type: "volume", Source: volume, Target: spec.dataPath }],
          Memory: memory,
          MemorySwap: memory,
          PidsLimit: 1024,
          CapDrop: ["ALL"],
          SecurityOpt: ["no-new-privileges"],
          // Add-ons are not reconciled like dynos: the Engine brings them back after a reboot.
          RestartPolicy: { Name: "unless-stopped" },
          LogConfig: { Type: "json-file", Config: { "max-size": "10m", "max-file": "2" } },
        },
        NetworkingConfig: { EndpointsConfig: { [network]: { Aliases: [target.name] } } },
      })
      .catch(ignore(409)), // created by an earlier, interrupted attempt
  );
}

/** The image user's uid and gid, from the container's own /etc/passwd (names differ per image). */
async function imageUser(container: Dockerode.Container, user: string): Promise<{ uid: number; gid: number }> {
  if (!user || /^\d+(:\d+)?$/.test(user)) return { uid: Number(user.split(":")[0] || 0), gid: Number(user.split(":")[1] ?? user.split(":")[0] ?? 0) };
  const tar = (await engine("Read the add-on image's users", async () => {
    const stream = (await container.getArchive({ path: "/etc/passwd" })) as NodeJS.ReadableStream;
    const chunks: Buffer[] = [];
    for await (const c of stream) chunks.push(Buffer.from(c as Buffer));
    return Buffer.concat(chunks);
  }));
  // One small regular file: its 512-byte header, then its bytes (size is octal at 124).
  const passwd = tar.subarray(512, 512 + parseInt(tar.subarray(124, 136).toString().trim(), 8)).toString("utf8");
  const entry = passwd.split("\n").map((l) => l.split(":")).find((f) => f[0] === user.split(":")[0]);
  if (!entry) throw new AppError("UNAVAILABLE", `The add-on image has no user ${user}.`);
  return { uid: Number(entry[2]), gid: Number(entry[3]) };
}

async function seedDataFiles(target: AddonTarget, spec: AddonContainerSpec, files: Record<string, string>) {
  const container = engineOf(target).getContainer(addonResourceName(target));
  const { uid, gid } = await imageUser(container, (await container.inspect()).Config.User ?? "");
  const archive = pack();
  for (const [name, content] of Object.entries(files)) archive.entry({ name, mode: 0o600, uid, gid }, content);
  archive.finalize();
  const chunks: Buffer[] = [];
  for await (const c of archive) chunks.push(Buffer.from(c as Uint8Array));
  // The volume is mounted (and filled from the image) at create: the archive lands in it.
  await engine(`Write the ${spec.label} configuration`, () => container.putArchive(Buffer.concat(chunks), { path: spec.dataPath }));
}

/** Polls `check` until it is true; UNAVAILABLE with `what` after `timeoutMs`. */
export async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  // Each check is an exec (~50 ms); a short, flat interval keeps the wait close to the
  // moment the server is ready (PostgreSQL's first start takes 2-3 s here).
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new AppError("UNAVAILABLE", `${what} did not happen within ${Math.round(timeoutMs / 1000)} s.`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** Volume, network, container, started and answering. Each step finds what an earlier attempt made. */
export async function ensureRunning(target: AddonTarget, spec: AddonContainerSpec, progress: Progress, timeoutMs: number) {
  await progress("Creating the data volume and network");
  const [network, volume] = await Promise.all([ensureNetwork(target, spec.service), ensureVolume(target, spec.service)]);
  let info = await inspect(target);
  if (!info) {
    await progress(`Creating the ${spec.label} container`);
    await createContainer(target, spec, network, volume, progress);
    if (spec.seedFiles) await seedDataFiles(target, spec, spec.seedFiles);
    info = await inspect(target);
  }
  if (!info?.State.Running) {
    await progress(`Starting ${spec.label}`);
    await engine(`Start the ${spec.label} container`, () => engineOf(target).getContainer(addonResourceName(target)).start().catch(ignore(304)));
  }
  await progress(`Waiting for ${spec.label} to accept connections`);
  await waitUntil(`${spec.label} accepting connections`, async () => {
    const state = (await inspect(target))?.State;
    if (state && !state.Running && !state.Restarting && state.Status === "exited") {
      throw new AppError("UNAVAILABLE", `${spec.label} exited with status ${state.ExitCode} while starting.`);
    }
    return (await execIn(target, { cmd: spec.readyCmd, timeoutMs: 10_000 }).catch(() => null))?.exitCode === 0;
  }, timeoutMs);
}

export function execIn(target: AddonTarget, opts: ExecOptions): Promise<RunResult> {
  return execInContainer(addonResourceName(target), opts, engineOf(target));
}

/** Runs a command that must succeed; its stderr (never containing secrets) goes into the error for logs. */
export async function execOk(target: AddonTarget, what: string, opts: ExecOptions): Promise<string> {
  const result = await execIn(target, opts);
  if (result.exitCode !== 0) {
    throw new AppError("UNAVAILABLE", `${what} failed on add-on ${target.name}.`, { cause: new Error(result.stderr.trim().slice(-2_000)) });
  }
  return result.stdout;
}

export async function removeAddonResources(target: { id: string; name: string; node?: string | null }) {
  const name = addonResourceName(target);
  const d = engineOf(target);
  await engine(`Remove add-on ${target.name}'s container`, () => d.getContainer(name).remove({ force: true, v: true }).catch(ignore(404)));
  await engine(`Remove add-on ${target.name}'s volume`, () => d.getVolume(name).remove().catch(ignore(404)));
  await engine(`Remove add-on ${target.name}'s network`, () => d.getNetwork(name).remove().catch(ignore(404)));
}

export async function connectNetwork(target: AddonTarget, network: string) {
  const info = await inspect(target);
  if (!info) throw new AppError("CONFLICT", `Add-on ${target.name} has no container.`);
  if (info.NetworkSettings.Networks?.[network]) return;
  // On a node, its own Engine connects it: an attachable overlay is joined from the node the
  // container runs on (the network is known there once attached).
  await engine(`Connect add-on ${target.name} to the app's network`, () =>
    engineOf(target)
      .getNetwork(network)
      .connect({ Container: info.Id, EndpointConfig: { Aliases: [target.name] } })
      .catch((err: unknown) => {
        // Connected by a concurrent call in the meantime.
        if (engineStatus(err) === 403 && /already exists/i.test(String((err as Error).message))) return;
        throw err;
      }),
  );
}

export async function disconnectNetwork(target: AddonTarget, network: string) {
  const info = await inspect(target);
  if (!info?.NetworkSettings.Networks?.[network]) return;
  await engine(`Disconnect add-on ${target.name} from the app's network`, () =>
    engineOf(target).getNetwork(network).disconnect({ Container: info.Id, Force: true }).catch(ignore(404)),
  );
}

export async function containerStatus(target: AddonTarget): Promise<AddonStatus> {
  const info = await inspect(target);
  if (!info) return { container: "missing", health: "none" };
  return { container: info.State.Status, health: info.State.Health?.Status ?? "none" };
}

/**
 * This installation's add-on containers, volumes and networks, by add-on id (boot-time
 * cleanup): on the platform's Engine and, under swarm, on every node Engine configured.
 */
export async function listAddonResources(installation: string): Promise<{ id: string; name: string; node: string | null }[]> {
  const engines: [string | null, Dockerode][] = [[null, docker()], ...(swarmDriver()?.allNodeEngines() ?? [])];
  const found = new Map<string, { id: string; name: string; node: string | null }>();
  for (const [node, d] of engines) {
    const label = [`${LABEL.installation}=${installation}`, ADDON_LABEL.addonId];
    const where = node ? ` on node ${node}` : "";
    const listed = Promise.all([
      engine(`List add-on containers${where}`, () => d.listContainers({ all: true, filters: { label } })),
      engine(`List add-on volumes${where}`, () => d.listVolumes({ filters: { label } })),
      engine(`List add-on networks${where}`, () => d.listNetworks({ filters: { label } })),
    ]);
    // A node away at boot keeps its add-ons' leftovers until the next boot; the others go on.
    const [containers, volumes, networks] = node
      ? await listed.catch((err: unknown) => (console.error(`slipway: could not list add-ons on node ${node}`, err), [[], { Volumes: [] }, []] as const))
      : await listed;
    for (const l of [...containers.map((c) => c.Labels), ...(volumes.Volumes ?? []).map((v) => v.Labels), ...networks.map((n) => n.Labels)]) {
      const id = l?.[ADDON_LABEL.addonId];
      // A node whose Engine is also the platform's (a single-node swarm) lists it twice: keep the first.
      if (id && !found.has(`${node}/${id}`)) found.set(`${node}/${id}`, { id, name: l[ADDON_LABEL.addon] ?? id, node });
    }
  }
  return [...found.values()];
}

/**
 * The add-on's address on its own network (the control plane's host reaches bridge networks).
 * Not for an add-on on a swarm node: its bridge is inside that node, out of the host's reach.
 */
export async function addonAddress(target: { id: string; name: string; node: string | null }): Promise<string> {
  if (target.node) throw new AppError("UNAVAILABLE", `Add-on ${target.name} runs on swarm node ${target.node}; the control plane has no route to it there.`);
  const info = await inspect(target);
  const ip = info?.State.Running ? info.NetworkSettings.Networks?.[addonResourceName(target)]?.IPAddress : undefined;
  if (!ip) throw new AppError("UNAVAILABLE", `Add-on ${target.name} is not running.`);
  return ip;
}
