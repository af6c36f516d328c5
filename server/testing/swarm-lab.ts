// The multi-node Swarm test lab (scripts/swarm.sh) from TypeScript: a manager and two
// workers, each a real dockerd in its own container, and the platform's registry (TLS, auth)
// on the host at the lab network's gateway address. No test framework imports: bench/ can
// use it too.
import { spawn } from "node:child_process";
import path from "node:path";
import Dockerode from "dockerode";

const root = path.join(path.dirname(new URL(import.meta.url).pathname), "../..");

export interface SwarmLabNode {
  /** Container name = hostname = the swarm node's Description.Hostname. */
  name: string;
  /** Its address on the lab's bridge network (the host reaches it; Swarm advertises it). */
  ip: string;
  /** unix:///… — its own Engine, reachable from the host only. */
  dockerHost: string;
}

export interface SwarmLab {
  name: string;
  /** unix:///…/manager/docker.sock: the manager's Engine (the Swarm API). */
  dockerHost: string;
  managerIp: string;
  nodes: SwarmLabNode[];
  subnet: string;
  /** GATEWAY_IP:PORT — the registry, as the host and the nodes name it in image references. */
  registry: string;
  /** Its credentials, as dockerode takes them (createService's authconfig: X-Registry-Auth). */
  registryAuth: { username: string; password: string; serveraddress: string };
  /** Its certificate (every Engine of the lab trusts it through /etc/docker/certs.d). */
  registryCa: string;
  /** = registry (the host's Engine now pushes to the same address the nodes pull from). */
  registryPush: string;
}

/** Runs a function of scripts/swarm.sh; resolves with its stdout (stderr goes to ours). */
function swarmSh(fn: string, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-c", 'source "$1/scripts/swarm.sh" && shift && "$@"', "swarm.sh", root, fn, ...args], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve(out) : reject(Object.assign(new Error(`${fn} exited with ${code}`), { code, out }))));
  });
}

/** Why this machine cannot run lab nodes, or null when it can (builds the node image if needed). */
export async function swarmLabUnavailable(): Promise<string | null> {
  // The image is built first, outside the check: a failed build fails the caller, not the check.
  await swarmSh("ensure_swarm_node_image");
  const out = await swarmSh("bash", "-c", 'source "$0/scripts/swarm.sh"; if why=$(swarm_nodes_unavailable); then echo "$why"; fi', root);
  return out.trim() || null;
}

function parseEnv(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) env[m[1]] = m[2].replace(/^"(.*)"$/, "$1");
  }
  return env;
}

/** Starts the lab NAME (a leftover of the same name is removed first); resolves when 3 nodes are Ready. */
export async function startSwarmLab(name: string): Promise<SwarmLab> {
  const env = parseEnv(await swarmSh("start_test_swarm", name));
  return {
    name,
    dockerHost: env.SLIPWAY_SWARM_DOCKER_HOST,
    managerIp: env.SLIPWAY_SWARM_MANAGER_IP,
    nodes: env.SLIPWAY_SWARM_NODES.split(" ").map((n) => {
      const [nodeName, ip, dockerHost] = n.split("=");
      return { name: nodeName, ip, dockerHost };
    }),
    subnet: env.SLIPWAY_SWARM_SUBNET,
    registry: env.SLIPWAY_REGISTRY,
    registryAuth: { username: env.SLIPWAY_REGISTRY_USER, password: env.SLIPWAY_REGISTRY_PASSWORD, serveraddress: env.SLIPWAY_REGISTRY },
    registryCa: env.SLIPWAY_REGISTRY_CA,
    registryPush: env.SLIPWAY_REGISTRY,
  };
}

/** Removes everything of the lab NAME; tolerates leftovers and a lab that is not there. */
export async function stopSwarmLab(name: string): Promise<void> {
  await swarmSh("stop_test_swarm", name);
}

/** Stops the labs named PREFIX… started more than MINUTES ago (leftovers of interrupted runs). */
export async function sweepStaleSwarmLabs(prefix: string, minutes = 30): Promise<void> {
  await swarmSh("sweep_stale_test_swarms", prefix, String(minutes));
}

/** Pushes a host image to the lab's registry as REPO; resolves with REGISTRY/REPO@sha256:… */
export async function pushToSwarmLab(name: string, image: string, repo: string): Promise<string> {
  return (await swarmSh("swarm_push_image", name, image, repo)).trim();
}

/**
 * A client for a lab Engine (the manager's, or one node's). The lab's Engines are not the
 * platform's Engine, so this is not server/runtime/docker.ts's singleton.
 */
export function labEngine(dockerHost: string): Dockerode {
  return new Dockerode({ socketPath: dockerHost.replace(/^unix:\/\//, "") });
}

/**
 * Points this process's platform settings at `lab` (the swarm runtime, its manager, registry
 * and node Engines); the returned function puts back what was there before. The caller then
 * calls reloadEnv() and drops the cached driver.
 */
export function useSwarmLabSettings(lab: SwarmLab, extra: Record<string, string> = {}): () => void {
  const settings: Record<string, string> = {
    SLIPWAY_RUNTIME: "swarm",
    SLIPWAY_SWARM_MANAGER: lab.dockerHost,
    SLIPWAY_REGISTRY: lab.registry,
    SLIPWAY_REGISTRY_PUSH: lab.registryPush,
    SLIPWAY_REGISTRY_USER: lab.registryAuth.username,
    SLIPWAY_REGISTRY_PASSWORD: lab.registryAuth.password,
    SLIPWAY_SWARM_NODE_ENGINES: lab.nodes.map((n) => `${n.name}=${n.dockerHost}`).join(" "),
    SLIPWAY_SWARM_POLL_MS: "500",
    ...extra,
  };
  const saved = new Map(Object.keys(settings).map((k) => [k, process.env[k]]));
  Object.assign(process.env, settings);
  return () => {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}
