import "server-only";
// The swarm driver (SLIPWAY_RUNTIME=swarm): dynos run as Docker Swarm tasks across the
// swarm's nodes, asked of a manager's Engine (SLIPWAY_SWARM_MANAGER, else the local Engine).
//
// One dyno = one Swarm service with at most one replica, not one service per process type
// with replicas = quantity. The reconciler (reconciler.ts + dyno-states.ts) drives dynos one
// by one with Heroku's state machine: `web.3` is replaced with preboot by a new dyno of the
// same name next to it, a crash restarts at once and then after a doubling cool-off, R10 kills
// one dyno, R15 is told per dyno, a scale-down drains and SIGTERMs chosen dynos. A service of
// N replicas would hand those decisions to Swarm (its restart policy, its update order, its
// choice of which slot goes on scale-down) and two state machines would fight over the same
// tasks. With a service per dyno the RuntimeDriver contract maps one to one:
//   createDyno = create the service with 0 replicas (labels carry app, release, type, dyno
//                name, size, spec hash, as containers' do; created = 0 replicas, no task);
//   startDyno  = 1 replica, or a forced update (a new task) once its task has ended;
//   stopDyno   = 0 replicas (Swarm sends the stop signal, SIGKILL after StopGracePeriod);
//   killDyno   = SIGKILL through the node's Engine when it is reachable, else a stop;
//   removeDyno = remove the service.
// Restart condition `none`: Swarm never restarts a task itself, the reconciler does, with its
// cool-off. A task on a node that went down is reported `dead` (Swarm marks it for shutdown
// but, with condition none, places no replacement): the reconciler takes it for a crash and
// starts it again, and Swarm places the new task on a node that is up.
// Placement: Swarm's scheduler puts a service's task on the node with the fewest tasks, so
// single-replica services spread over nodes without a placement preference (a Spread
// preference only spreads the tasks of one service). Resources: the size's memory, CPUs and
// pids as limits, its memory as a reservation (the scheduler never overcommits a node's
// memory); CPU is not reserved, as on one Engine dynos share cores (a reservation of one core
// per standard-1x dyno would leave 6 on the lab's three 2-core nodes, and none after a loss).
//
// Routing: a web dyno publishes $PORT in host mode on a port Swarm picks per task; the
// router reaches it at the node's address and that port (dynoAddress). No VIP, no ingress
// mesh (endpoint mode dnsrr): they would hide which dyno answers (H-codes, drain), and they
// need IPVS, which some kernels (this lab's) lack.
//
// Images: a release image lives on the build Engine (runtime/docker.ts). createDyno pushes it
// to the platform's registry (SLIPWAY_REGISTRY, with SLIPWAY_REGISTRY_USER/PASSWORD) once per
// image (cached per process, concurrent callers share the push) and services reference it by
// digest; the credentials go with service creation and updates (X-Registry-Auth, as
// `docker service create --with-registry-auth`), so every node pulls with them. Without a
// registry (a single-node swarm on the build Engine itself) the image is used as it is.
//
// Networks: one attachable overlay network per app (its dynos and add-ons reach each other on
// it, across nodes). Add-ons are not dynos: each is a standalone container on one node's own
// Engine (addons/engine.ts, through engineOfNode/reachableNodes/imageOnNode here). Logs: the service's logs through the manager's API (every node's task
// output, timestamps as cursors). Events: Swarm has no task events (the manager's event
// stream has service create/update/remove, and container events only of its own node), so
// the tasks are polled (SLIPWAY_SWARM_POLL_MS) and start/die/destroy derived from changes.
// Stats: read from the node's own Engine where the control plane can reach it
// (SLIPWAY_SWARM_NODE_ENGINES), else null: the manager's API has no per-task figures.
// Nodes (the installation page): the manager's node list, each with the installation's
// running dynos counted from the tasks; drain/activate is `node update` of Availability
// (drained tasks end, the reconciler starts them again, the scheduler places them elsewhere).
// Not mapped: a disk cap (services have no StorageOpt) and no-new-privileges (not in the
// service API of Engine 20.10); capabilities are dropped as on one Engine.
import crypto from "node:crypto";
import os from "node:os";
import { Readable } from "node:stream";
import Dockerode from "dockerode";
import { env } from "@/server/env";
import { AppError } from "@/server/errors";
import { cpuReading, memoryUsed } from "@/server/metrics/aggregate";
import { docker, engineError, engineStatus } from "@/server/runtime/docker";
import type {
  AttachedRun,
  DiskLimitSupport,
  Dyno,
  DynoAddress,
  DynoEvent,
  DynoEventHandlers,
  DynoInfo,
  DynoLabels,
  DynoLogLine,
  DynoSpec,
  DynoStats,
  DynoStatus,
  NodeAvailability,
  RuntimeDriver,
  RuntimeNode,
} from "@/server/runtime/driver";
import { logFrames, pipeAttachedOutput } from "@/server/runtime/drivers/engine-streams";
import { dynoLabelFilter, dynoLabels, LABEL, parseDynoLabels } from "@/server/runtime/labels";

/** A service stopped by stopDyno (0 replicas, but not `created`). */
const STOPPED_LABEL = "slipway.stopped";

export type SwarmDriverOptions = {
  /** The manager's Engine: unix:///path, tcp://host:port, or a client. */
  manager: string | Dockerode;
  /** The registry as nodes name it (HOST:PORT); none = images are used as they are. */
  registry?: string;
  /** The registry as the build Engine pushes to it (default: registry). */
  registryPush?: string;
  /** The registry's credentials (pushes, and nodes' pulls through the service spec). */
  registryAuth?: { username: string; password: string };
  /** Node hostname → its Engine (unix:// or tcp://), where the control plane can reach it. */
  nodeEngines?: Record<string, string>;
  pollMs?: number;
};

type Task = {
  ID: string;
  ServiceID: string;
  NodeID?: string;
  Slot?: number;
  DesiredState: string;
  CreatedAt: string;
  Version?: { Index: number };
  Status: {
    Timestamp?: string;
    State: string;
    Err?: string;
    ContainerStatus?: { ContainerID?: string; ExitCode?: number };
    PortStatus?: { Ports?: { TargetPort?: number; PublishedPort?: number }[] };
  };
};

type Service = {
  ID: string;
  Version: { Index: number };
  CreatedAt: string;
  Spec: {
    Name: string;
    Labels?: Record<string, string>;
    Mode?: { Replicated?: { Replicas?: number } };
    TaskTemplate: { ForceUpdate?: number; ContainerSpec?: { StopGracePeriod?: number; OpenStdin?: boolean } } & Record<string, unknown>;
  } & Record<string, unknown>;
};

type Node = {
  ID: string;
  Version?: { Index: number };
  Spec?: { Role?: string; Availability?: string; Labels?: Record<string, string>; Name?: string };
  Status: { State: string; Addr?: string };
  ManagerStatus?: { Leader?: boolean; Addr?: string };
  Description?: { Hostname?: string; Resources?: { NanoCPUs?: number; MemoryBytes?: number }; Engine?: { EngineVersion?: string } };
};

/** One dyno as the swarm has it: its service, its current task, its node. */
type Snapshot = {
  service: Service;
  task: Task | undefined;
  node: Node | undefined;
  status: DynoStatus;
  labels: DynoLabels;
};

const PENDING = new Set(["new", "allocated", "pending", "assigned", "accepted", "preparing", "ready", "starting"]);
const ENDED = new Set(["complete", "failed", "shutdown", "rejected", "orphaned", "remove"]);
/** A dyno whose task has ended (snapshot()'s statuses). */
const ENDED_STATUSES = new Set<DynoStatus>(["exited", "dead"]);

function clientFor(host: string): Dockerode {
  if (host.startsWith("unix://")) return new Dockerode({ socketPath: host.slice("unix://".length) });
  const url = new URL(host.replace(/^tcp:/, "http:"));
  return new Dockerode({ host: url.hostname, port: Number(url.port || 2375), protocol: "http" });
}

/** "HOST=unix:///…" or "HOST=IP=tcp://…" entries, space or comma separated. */
export function parseNodeEngines(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of text.split(/[\s,]+/).filter(Boolean)) {
    const parts = entry.split("=");
    if (parts.length >= 2) out[parts[0]!] = parts[parts.length - 1]!;
  }
  return out;
}

/** The swarm driver as SLIPWAY_SWARM_* configure it. */
export function swarmDriverFromEnv(): SwarmDriver {
  const e = env();
  return new SwarmDriver({
    manager: e.SLIPWAY_SWARM_MANAGER || docker(),
    registry: e.SLIPWAY_REGISTRY,
    registryPush: e.SLIPWAY_REGISTRY_PUSH,
    registryAuth: e.SLIPWAY_REGISTRY_USER ? { username: e.SLIPWAY_REGISTRY_USER, password: e.SLIPWAY_REGISTRY_PASSWORD ?? "" } : undefined,
    nodeEngines: parseNodeEngines(e.SLIPWAY_SWARM_NODE_ENGINES),
    pollMs: e.SLIPWAY_SWARM_POLL_MS,
  });
}

/** Runs one manager call, mapping its failure to an AppError (as runtime/docker.ts's engine()). */
async function swarm<T>(action: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw engineError(err, action);
  }
}

const idOf = (created: unknown) => (created as { id?: string }).id ?? (created as { ID: string }).ID;
const newest = (a: Task, b: Task) => Date.parse(b.CreatedAt) - Date.parse(a.CreatedAt) || (b.Version?.Index ?? 0) - (a.Version?.Index ?? 0);

export class SwarmDriver implements RuntimeDriver {
  readonly name = "swarm";
  readonly manager: Dockerode;
  private readonly registry?: string;
  private readonly registryPush?: string;
  private readonly registryAuth?: { username: string; password: string };
  private readonly nodeEngines = new Map<string, Dockerode>();
  private readonly pollMs: number;
  private beforeRemove = new Set<(id: string) => Promise<unknown>>();
  private pushes = new Map<string, Promise<string>>();
  private networks = new Map<string, Promise<string>>();
  /** The exit status seen while stopping (Swarm reaps a scaled-down task at once). */
  private lastExit = new Map<string, number>();
  private cpus = os.availableParallelism();
  /** Followers waiting for their dyno's task to end (see whenEnded). */
  private endWatchers = new Map<string, Set<() => void>>();
  private endTimer: NodeJS.Timeout | undefined;

  constructor(opts: SwarmDriverOptions) {
    this.manager = typeof opts.manager === "string" ? clientFor(opts.manager) : opts.manager;
    this.registry = opts.registry || undefined;
    this.registryPush = opts.registryPush || opts.registry || undefined;
    this.registryAuth = opts.registryAuth;
    for (const [host, engine] of Object.entries(opts.nodeEngines ?? {})) this.nodeEngines.set(host, clientFor(engine));
    this.pollMs = opts.pollMs ?? 1_000;
  }

  async ping(timeoutMs = 5_000): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
      return await Promise.race([this.manager.ping().then(() => true), timeout]);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  // ---- what the swarm has ----------------------------------------------------------------

  private async nodeMap(): Promise<Map<string, Node>> {
    const nodes = (await swarm("List swarm nodes", () => this.manager.listNodes())) as Node[];
    const cpus = nodes.map((n) => (n.Description?.Resources?.NanoCPUs ?? 0) / 1e9).filter((c) => c > 0);
    if (cpus.length) this.cpus = Math.min(...cpus);
    return new Map(nodes.map((n) => [n.ID, n]));
  }

  private async tasksOf(serviceIds: string[]): Promise<Task[]> {
    if (!serviceIds.length) return [];
    try {
      return (await this.manager.listTasks({ filters: { service: serviceIds } })) as Task[];
    } catch (err) {
      if (engineStatus(err) !== 404) throw engineError(err, "List dyno tasks");
      // A service went between listing services and their tasks: the manager refuses the
      // whole filter. All tasks, then, kept for the services asked about.
      const wanted = new Set(serviceIds);
      const all = (await swarm("List dyno tasks", () => this.manager.listTasks())) as Task[];
      return all.filter((t) => wanted.has(t.ServiceID));
    }
  }

  private snapshot(service: Service, tasks: Task[], nodes: Map<string, Node>): Snapshot {
    const task = tasks.filter((t) => t.ServiceID === service.ID).sort(newest)[0];
    const node = task?.NodeID ? nodes.get(task.NodeID) : undefined;
    const replicas = service.Spec.Mode?.Replicated?.Replicas ?? 0;
    const stopped = service.Spec.Labels?.[STOPPED_LABEL] === "1";
    let status: DynoStatus;
    if (!task) status = stopped ? "exited" : replicas === 0 ? "created" : "restarting";
    // Its node is lost ("down": missed its heartbeats). Not "unknown"/"disconnected", which a
    // manager restart or leader change shows for every node for a moment.
    else if (node?.Status.State === "down" && !ENDED.has(task.Status.State)) status = "dead";
    else if (task.Status.State === "running") status = "running";
    else if (PENDING.has(task.Status.State)) status = task.DesiredState === "running" ? "restarting" : "exited";
    else status = task.Status.State === "rejected" || task.Status.State === "orphaned" ? "dead" : "exited";
    return { service, task, node, status, labels: parseDynoLabels(service.Spec.Labels) };
  }

  private async list(installation: string, appId?: string): Promise<Snapshot[]> {
    const services = (await swarm("List dyno services", () =>
      this.manager.listServices({ filters: { label: dynoLabelFilter(installation, appId) } }),
    )) as unknown as Service[];
    const [tasks, nodes] = await Promise.all([this.tasksOf(services.map((s) => s.ID)), this.nodeMap()]);
    return services.map((s) => this.snapshot(s, tasks, nodes));
  }

  private async one(id: string): Promise<Snapshot | null> {
    let service: Service;
    try {
      service = (await this.manager.getService(id).inspect()) as Service;
    } catch (err) {
      if (engineStatus(err) === 404) return null;
      throw engineError(err, "Inspect dyno");
    }
    const [tasks, nodes] = await Promise.all([this.tasksOf([service.ID]), this.nodeMap()]);
    return this.snapshot(service, tasks, nodes);
  }

  /** Changes a service's spec; retried when another update came in between (out of sequence). */
  private async update(id: string, action: string, change: (spec: Service["Spec"]) => void): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      let service: Service;
      try {
        service = (await this.manager.getService(id).inspect()) as Service;
      } catch (err) {
        if (engineStatus(err) === 404) return false;
        throw engineError(err, action);
      }
      const spec = structuredClone(service.Spec);
      change(spec);
      try {
        await this.manager.getService(id).update(this.pullAuth() as never, { _query: { version: service.Version.Index }, _body: spec } as never);
        return true;
      } catch (err) {
        if (engineStatus(err) === 404) return false;
        if (attempt < 3 && /out of sequence/i.test(String((err as { json?: { message?: string } }).json?.message ?? (err as Error).message))) continue;
        throw engineError(err, action);
      }
    }
  }

  // ---- dynos ----------------------------------------------------------------------------

  async listDynos(installation: string, appId?: string): Promise<Dyno[]> {
    return (await this.list(installation, appId)).map((s) => ({
      id: s.service.ID,
      ...s.labels,
      status: s.status,
      createdAt: Date.parse(s.service.CreatedAt),
      node: s.node?.Description?.Hostname,
    }));
  }

  async createDyno(spec: DynoSpec): Promise<string> {
    const [network, image] = await Promise.all([this.ensureAppNetwork(spec.installation, spec.appId, spec.appName), this.nodeImage(spec)]);
    const suffix = crypto.randomBytes(3).toString("hex");
    const labels = dynoLabels(spec);
    const cpus = Math.min(spec.size.cpus, this.cpuCap());
    const memory = spec.size.memoryMb * 1024 * 1024;
    // Service names are DNS labels: no dots, at most 63 characters.
    const name = `slipway-${spec.appName}-${spec.dyno.replace(/\./g, "-")}-v${spec.release}-${suffix}`.slice(0, 63).replace(/-+$/, "");
    const created = await swarm(`Create dyno ${spec.dyno}`, () =>
      (this.manager.createService as (auth: unknown, spec: unknown) => Promise<unknown>).call(this.manager, this.pullAuth(), {
        Name: name,
        Labels: labels,
        TaskTemplate: {
          ContainerSpec: {
            Image: image,
            // Procfile commands are shell command lines, as on Heroku (and no ENTRYPOINT).
            Command: ["/bin/bash", "-c", spec.command],
            Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
            User: "1000:1000",
            Dir: "/app",
            Labels: labels,
            // tini as PID 1: forwards SIGTERM to the process and reaps zombies.
            Init: true,
            StopSignal: "SIGTERM",
            StopGracePeriod: spec.stopTimeoutSeconds * 1e9,
            CapabilityDrop: ["ALL"],
            // `heroku run bash`: a stdin and a terminal, attached through the node's Engine
            // (runAttached). Swarm has no StdinOnce: the end of piped input reaches the
            // process only through its terminal (the CLI's Ctrl-D).
            ...(spec.interactive ? { OpenStdin: true, TTY: spec.interactive.tty } : {}),
          },
          Resources: {
            Limits: { NanoCPUs: Math.round(cpus * 1e9), MemoryBytes: memory, Pids: spec.size.pids },
            Reservations: { MemoryBytes: memory },
          },
          RestartPolicy: { Condition: "none" },
          Networks: [{ Target: network }],
          LogDriver: { Name: "json-file", Options: { "max-size": "10m", "max-file": "2" } },
        },
        Mode: { Replicated: { Replicas: 0 } },
        EndpointSpec: {
          Mode: "dnsrr",
          Ports: spec.type === "web" && !spec.oneOff ? [{ Protocol: "tcp", TargetPort: spec.port, PublishMode: "host" }] : [],
        },
      }),
    );
    return idOf(created);
  }

  async startDyno(id: string) {
    const s = await this.one(id);
    if (!s) throw new AppError("NOT_FOUND", "Start dyno: not found.");
    if (s.status === "running" || s.status === "restarting") return; // already started
    this.lastExit.delete(id);
    const replicas = s.service.Spec.Mode?.Replicated?.Replicas ?? 0;
    await this.update(id, "Start dyno", (spec) => {
      spec.Mode = { Replicated: { Replicas: 1 } };
      if (spec.Labels) delete spec.Labels[STOPPED_LABEL];
      // Already one replica whose task ended (exit, crash, lost node): a new task.
      if (replicas > 0) spec.TaskTemplate.ForceUpdate = (spec.TaskTemplate.ForceUpdate ?? 0) + 1;
    });
  }

  /** 0 replicas: Swarm sends SIGTERM, SIGKILL after the spec's grace; resolves once the task ended. */
  async stopDyno(id: string, timeoutSeconds: number) {
    const s = await this.one(id);
    if (!s || s.status === "created") return;
    // No grace (a removal at once): SIGKILL where the node's Engine can be asked.
    if (s.status === "running" && timeoutSeconds === 0 && this.nodeEngine(s)) return this.killDyno(id);
    await this.scaleToZero(id, s, timeoutSeconds);
  }

  private async scaleToZero(id: string, s: Snapshot, timeoutSeconds: number) {
    const replicas = s.service.Spec.Mode?.Replicated?.Replicas ?? 0;
    if (replicas > 0 || s.service.Spec.Labels?.[STOPPED_LABEL] !== "1") {
      const ok = await this.update(id, "Stop dyno", (spec) => {
        spec.Mode = { Replicated: { Replicas: 0 } };
        spec.Labels = { ...spec.Labels, [STOPPED_LABEL]: "1" };
      });
      if (!ok) return;
    }
    const grace = (s.service.Spec.TaskTemplate.ContainerSpec?.StopGracePeriod ?? timeoutSeconds * 1e9) / 1e6;
    await this.untilEnded(id, grace + 15_000);
  }

  /** Polls until the dyno's task has ended (remembering its exit status) or is gone. */
  private async untilEnded(id: string, timeoutMs: number): Promise<Snapshot | null> {
    const deadline = Date.now() + timeoutMs;
    let wait = 100;
    for (;;) {
      const s = await this.one(id);
      const code = s?.task?.Status.ContainerStatus?.ExitCode;
      if (s?.task && ENDED.has(s.task.Status.State) && typeof code === "number" && code >= 0) this.lastExit.set(id, code);
      if (!s || !s.task || (s.status !== "running" && s.status !== "restarting") || Date.now() > deadline) return s;
      await pause(wait);
      wait = Math.min(wait * 2, 1_000);
    }
  }

  /** SIGKILL through the node's Engine; a node the control plane cannot reach gets a stop. */
  async killDyno(id: string) {
    const s = await this.one(id);
    if (!s || (s.status !== "running" && s.status !== "restarting")) return;
    const engine = this.nodeEngine(s);
    const container = s.task?.Status.ContainerStatus?.ContainerID;
    if (engine && container && s.status === "running") {
      await engine
        .getContainer(container)
        .kill({ signal: "SIGKILL" })
        .catch((err) => {
          const status = engineStatus(err);
          if (status !== 404 && status !== 409) throw engineError(err, "Kill dyno");
        });
      await this.untilEnded(id, 10_000);
      return;
    }
    await this.scaleToZero(id, s, 0);
  }

  async removeDyno(id: string) {
    await Promise.all(
      [...this.beforeRemove].map((hook) => {
        let timer: NodeJS.Timeout | undefined;
        const cap = new Promise((r) => (timer = setTimeout(r, 2_000)));
        return Promise.race([hook(id).catch(() => undefined), cap]).finally(() => clearTimeout(timer));
      }),
    );
    this.lastExit.delete(id);
    await swarm("Remove dyno", () => this.manager.getService(id).remove()).catch((err) => {
      if (engineStatus(err) !== 404) throw err;
    });
  }

  onBeforeRemove(hook: (id: string) => Promise<unknown>) {
    this.beforeRemove.add(hook);
    return () => void this.beforeRemove.delete(hook);
  }

  async inspectDyno(id: string): Promise<DynoInfo | null> {
    const s = await this.one(id);
    if (!s) return null;
    const task = s.task;
    const ended = s.status === "exited" || s.status === "dead";
    const seen = task?.Status.ContainerStatus?.ExitCode;
    let exitCode: number | null = null;
    if (ended) exitCode = task && ENDED.has(task.Status.State) && typeof seen === "number" && seen >= 0 ? seen : (this.lastExit.get(id) ?? null);
    let oomKilled = false;
    if (exitCode === 137 && task?.Status.ContainerStatus?.ContainerID) {
      // The manager does not say why; the node's Engine does, when it can be asked.
      const info = await this.nodeEngine(s)
        ?.getContainer(task.Status.ContainerStatus.ContainerID)
        .inspect()
        .catch(() => null);
      oomKilled = !!info?.State.OOMKilled;
    }
    return {
      id,
      ...s.labels,
      status: s.status,
      running: s.status === "running",
      exitCode,
      oomKilled,
      startedAt: s.status === "running" && task?.Status.Timestamp ? Date.parse(task.Status.Timestamp) : null,
      node: s.node?.Description?.Hostname,
    };
  }

  /** The node's address and the port Swarm published $PORT on for this task (host mode). */
  async dynoAddress(id: string, port: number): Promise<DynoAddress | null> {
    const s = await this.one(id);
    if (!s || s.status !== "running" || !s.task || !s.node) return null;
    const published = s.task.Status.PortStatus?.Ports?.find((p) => p.TargetPort === port)?.PublishedPort;
    let host = s.node.Status.Addr;
    if (!published || !host) return null;
    if (host === "0.0.0.0") host = "127.0.0.1"; // a single-node swarm without an advertised address
    return { host, port: published };
  }

  /** From the node's own Engine when the control plane can reach it; else null (no figures). */
  async dynoStats(id: string): Promise<DynoStats | null> {
    const s = await this.one(id);
    const container = s?.task?.Status.ContainerStatus?.ContainerID;
    const engine = s && this.nodeEngine(s);
    if (!s || s.status !== "running" || !container || !engine) return null;
    try {
      const stats = await engine.getContainer(container).stats({ stream: false, "one-shot": true });
      return { memoryBytes: memoryUsed(stats.memory_stats), cpu: cpuReading(stats.cpu_stats) };
    } catch (err) {
      if (engineStatus(err) === 404) return null;
      throw engineError(err, "Read dyno stats");
    }
  }

  private nodeEngine(s: Snapshot): Dockerode | undefined {
    const host = s.node?.Description?.Hostname;
    return host ? this.nodeEngines.get(host) : undefined;
  }

  /** The Engine of the node with this hostname, when SLIPWAY_SWARM_NODE_ENGINES names it. */
  engineOfNode(hostname: string): Dockerode | undefined {
    return this.nodeEngines.get(hostname);
  }

  /** Whether any node's Engine is configured (else add-ons stay on the control plane's Engine). */
  hasNodeEngines(): boolean {
    return this.nodeEngines.size > 0;
  }

  /**
   * Nodes a standalone container (an add-on) can be put on: ready, active, with an Engine the
   * control plane reaches (answering a ping within 3 s).
   */
  async reachableNodes(): Promise<{ name: string; role: "manager" | "worker"; engine: Dockerode }[]> {
    const nodes = [...(await this.nodeMap()).values()].filter((n) => n.Status.State === "ready" && (n.Spec?.Availability ?? "active") === "active");
    const out = await Promise.all(
      nodes.map(async (n) => {
        const name = n.Description?.Hostname;
        const engine = name ? this.nodeEngines.get(name) : undefined;
        if (!name || !engine) return null;
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), 3_000)));
        const ok = await Promise.race([engine.ping().then(() => true, () => false), timeout]).finally(() => clearTimeout(timer));
        return ok ? { name, role: (n.Spec?.Role === "manager" ? "manager" : "worker") as "manager" | "worker", engine } : null;
      }),
    );
    return out.filter((n): n is NonNullable<typeof n> => n !== null);
  }

  /** Every configured node Engine, by hostname (the add-ons' boot-time listing asks each). */
  allNodeEngines(): [string, Dockerode][] {
    return [...this.nodeEngines];
  }

  // ---- nodes ---------------------------------------------------------------------------

  async nodes(installation: string): Promise<RuntimeNode[]> {
    const snapshots = await this.list(installation);
    const nodes = [...(await this.nodeMap()).values()];
    const running = new Map<string, number>();
    for (const s of snapshots) if (s.status === "running" && s.node) running.set(s.node.ID, (running.get(s.node.ID) ?? 0) + 1);
    return nodes
      .map((n) => ({
        id: n.ID,
        name: n.Description?.Hostname ?? n.ID,
        state: n.Status.State,
        availability: (n.Spec?.Availability ?? "active") as NodeAvailability,
        role: (n.Spec?.Role === "manager" ? "manager" : "worker") as RuntimeNode["role"],
        leader: n.ManagerStatus?.Leader === true,
        address: n.Status.Addr && n.Status.Addr !== "0.0.0.0" ? n.Status.Addr : (n.ManagerStatus?.Addr?.replace(/:\d+$/, "") ?? null),
        memoryBytes: n.Description?.Resources?.MemoryBytes ?? null,
        cpus: n.Description?.Resources?.NanoCPUs ? n.Description.Resources.NanoCPUs / 1e9 : null,
        engineVersion: n.Description?.Engine?.EngineVersion ?? null,
        dynos: running.get(n.ID) ?? 0,
      }))
      .sort((a, b) => Number(b.role === "manager") - Number(a.role === "manager") || a.name.localeCompare(b.name));
  }

  /**
   * `docker node update --availability`: drain makes Swarm stop the node's tasks; as dynos
   * have restart condition none, the reconciler sees them end and starts them again, and the
   * scheduler places the new tasks on active nodes.
   */
  async setNodeAvailability(id: string, availability: NodeAvailability): Promise<void> {
    let node: Node;
    try {
      node = (await this.manager.getNode(id).inspect()) as Node;
    } catch (err) {
      if (engineStatus(err) === 404) throw new AppError("NOT_FOUND", `Couldn't find node ${id}.`, { resource: "node" });
      throw engineError(err, "Inspect swarm node");
    }
    if (node.Spec?.Availability === availability) return;
    await swarm("Update swarm node", () =>
      this.manager.getNode(id).update({ _query: { version: node.Version?.Index }, _body: { ...node.Spec, Availability: availability } } as object) as Promise<unknown>,
    );
  }

  /** The fewest CPUs of any node (learnt when nodes are listed). */
  cpuCap() {
    return this.cpus;
  }

  async diskLimit(): Promise<DiskLimitSupport> {
    return {
      supported: false,
      reason: "Dyno disk is not limited: a Swarm service cannot cap its tasks' writable layer (no StorageOpt in the service API). A dyno can fill its node's disk.",
    };
  }

  // ---- images ----------------------------------------------------------------------------

  /** The image reference nodes pull: the release image pushed to the platform's registry, by digest. */
  private nodeImage(spec: DynoSpec): Promise<string> {
    return this.pushImage(spec.image, `slipway/${spec.appName}`);
  }

  /**
   * A build Engine image as nodes name it: pushed to the platform's registry as REPO (once per
   * image and process; concurrent callers share the push), REGISTRY/REPO@sha256:…. Without a
   * registry, the image as it is.
   */
  pushImage(image: string, repo: string): Promise<string> {
    if (!this.registry || !this.registryPush) return Promise.resolve(image);
    let pending = this.pushes.get(image);
    if (!pending) {
      pending = this.push(image, repo).catch((err) => {
        this.pushes.delete(image);
        throw err;
      });
      this.pushes.set(image, pending);
    }
    return pending;
  }

  /**
   * A build Engine image on one node's own Engine (for a standalone container there, which
   * Swarm does not pull for): pushed, then pulled by digest with the registry's credentials.
   * Returns the reference to create the container from.
   */
  async imageOnNode(image: string, repo: string, node: string): Promise<string> {
    const ref = await this.pushImage(image, repo);
    const engine = this.nodeEngines.get(node);
    if (!engine) throw new AppError("UNAVAILABLE", `The control plane cannot reach node ${node}'s Engine (SLIPWAY_SWARM_NODE_ENGINES).`);
    if (ref === image) return ref; // no registry: the node is the build Engine (a single-node swarm)
    const present = await engine.getImage(ref).inspect().then(() => true, (err: unknown) => {
      if (engineStatus(err) === 404) return false;
      throw engineError(err, `Inspect image on node ${node}`);
    });
    if (present) return ref;
    const stream = await swarm(`Pull ${repo} on node ${node}`, () => engine.pull(ref, { authconfig: this.pullAuth() }) as Promise<NodeJS.ReadableStream>);
    const events = await new Promise<{ error?: string }[]>((resolve, reject) =>
      engine.modem.followProgress(stream, (err: unknown, out: unknown[]) => (err ? reject(engineError(err, `Pull ${repo} on node ${node}`)) : resolve(out as never))),
    );
    const failed = events.find((e) => e.error);
    if (failed) throw new AppError("UNAVAILABLE", `Pull ${repo} on node ${node}: ${failed.error}`);
    return ref;
  }

  private async push(image: string, repo: string): Promise<string> {
    const d = docker(); // the build Engine, where release images are
    const info = await swarm(`Inspect image ${image}`, () => d.getImage(image).inspect());
    const tag = info.Id.replace(/^sha256:/, "").slice(0, 12);
    await swarm("Tag the release image for the registry", () => d.getImage(info.Id).tag({ repo: `${this.registryPush}/${repo}`, tag }));
    const stream = await swarm("Push the release image", () => d.getImage(`${this.registryPush}/${repo}`).push({ tag, authconfig: this.pushAuth() }));
    const events = await new Promise<{ error?: string; aux?: { Digest?: string } }[]>((resolve, reject) =>
      d.modem.followProgress(stream, (err: unknown, out: unknown[]) => (err ? reject(engineError(err, "Push the release image")) : resolve(out as never))),
    );
    const failed = events.find((e) => e.error);
    if (failed) throw new AppError("UNAVAILABLE", `Push the release image to ${this.registryPush}: ${failed.error}`);
    const digest = events.map((e) => e.aux?.Digest).find(Boolean);
    if (!digest) throw new AppError("UNAVAILABLE", `Push the release image to ${this.registryPush}: the registry gave no digest.`);
    // The registry's tag on the build Engine goes again when the image has a name of its own
    // (untagging then deletes nothing); an image known only by its id keeps it.
    if ((info.RepoTags ?? []).some((t) => !t.startsWith(`${this.registryPush}/`))) {
      await d.getImage(`${this.registryPush}/${repo}:${tag}`).remove({ noprune: true }).catch(() => undefined);
    }
    return `${this.registry}/${repo}@${digest}`;
  }

  /** Credentials for the build Engine's push (the Engine wants the header even when empty). */
  private pushAuth() {
    return this.registryAuth ? { ...this.registryAuth, serveraddress: this.registryPush } : {};
  }

  /** Credentials nodes pull with, sent at service creation and update (X-Registry-Auth). */
  private pullAuth() {
    return this.registryAuth && this.registry ? { ...this.registryAuth, serveraddress: this.registry } : undefined;
  }

  // ---- output and events ----------------------------------------------------------------

  /**
   * The service's output through the manager (every task of the dyno, wherever it ran). A
   * Swarm follow does not end when the task does (it waits for the service's next task), so
   * the task is watched (whenEnded): once it has ended the follow is closed and the rest read
   * without following, and the iteration ends, as the contract wants.
   */
  async *dynoLogs(id: string, opts: { follow: boolean; sinceNs?: bigint; signal?: AbortSignal }): AsyncGenerator<DynoLogLine> {
    if (opts.signal?.aborted) return;
    if (!opts.follow) {
      yield* this.logLines(id, false, opts.sinceNs, opts.signal);
      return;
    }
    const follow = new AbortController();
    const stop = () => follow.abort();
    opts.signal?.addEventListener("abort", stop, { once: true });
    let ended = false;
    const unwatch = this.whenEnded(id, () => {
      ended = true;
      follow.abort();
    });
    let cursor = opts.sinceNs ?? -1n;
    try {
      for await (const line of this.logLines(id, true, opts.sinceNs, follow.signal)) {
        if (line.ns <= cursor) continue;
        cursor = line.ns;
        yield line;
      }
      if (!ended || opts.signal?.aborted) return;
      for await (const line of this.logLines(id, false, cursor < 0n ? undefined : cursor, opts.signal)) {
        if (line.ns <= cursor) continue;
        cursor = line.ns;
        yield line;
      }
    } finally {
      follow.abort();
      opts.signal?.removeEventListener("abort", stop);
      unwatch();
    }
  }

  private async *logLines(id: string, follow: boolean, sinceNs: bigint | undefined, signal?: AbortSignal): AsyncGenerator<DynoLogLine> {
    const since = sinceNs === undefined ? 0 : `${sinceNs / 1_000_000_000n}.${String(sinceNs % 1_000_000_000n).padStart(9, "0")}`;
    let stream: NodeJS.ReadableStream;
    try {
      const out: unknown = await this.manager.getService(id).logs({ follow, stdout: true, stderr: true, timestamps: true, since } as never);
      stream = Buffer.isBuffer(out) ? Readable.from([out]) : (out as NodeJS.ReadableStream);
    } catch (err) {
      if (engineStatus(err) === 404) return;
      throw engineError(err, "Read dyno output");
    }
    yield* logFrames(stream, signal);
  }

  /**
   * Calls `ended` once the dyno's newest task has ended (or the dyno is gone). Every follower
   * of this driver shares one check: the watched services' tasks in one manager call every
   * 500 ms, however many dynos are followed. Returns the function that stops watching.
   */
  private whenEnded(id: string, ended: () => void): () => void {
    const set = this.endWatchers.get(id) ?? new Set();
    set.add(ended);
    this.endWatchers.set(id, set);
    this.endTimer ??= setTimeout(() => void this.checkEnded(), 500).unref();
    return () => {
      set.delete(ended);
      if (!set.size && this.endWatchers.get(id) === set) this.endWatchers.delete(id);
    };
  }

  private async checkEnded() {
    try {
      const ids = [...this.endWatchers.keys()];
      if (!ids.length) return;
      // A long filter makes a long URL: past 100 services, every task, filtered here.
      const tasks = ids.length > 100 ? ((await swarm("List dyno tasks", () => this.manager.listTasks())) as Task[]) : await this.tasksOf(ids);
      for (const id of ids) {
        const task = tasks.filter((t) => t.ServiceID === id).sort(newest)[0];
        if (task && !ENDED.has(task.Status.State)) continue;
        const set = this.endWatchers.get(id);
        this.endWatchers.delete(id);
        for (const ended of set ?? []) ended();
      }
    } catch {
      // The manager is away for a moment: the followers' streams break too, and follow again.
    } finally {
      this.endTimer = this.endWatchers.size ? setTimeout(() => void this.checkEnded(), 500).unref() : undefined;
    }
  }

  /**
   * Polls the installation's dyno tasks every pollMs and tells what changed: a task that is
   * running now and was not (or is a new task) = start; one that ran and ended, whose node
   * went down, or that ended between two polls (a crash at boot) = die; a service gone =
   * destroy.
   */
  watchEvents(installation: string, handlers: DynoEventHandlers): { close(): void } {
    let closed = false;
    let timer: NodeJS.Timeout | undefined;
    let previous: Map<string, { status: DynoStatus; task?: string; labels: DynoLabels }> | null = null;
    let broken = false;
    const tick = async () => {
      if (closed) return;
      try {
        const now = new Map((await this.list(installation)).map((s) => [s.service.ID, { status: s.status, task: s.task?.ID, labels: s.labels }]));
        if (closed) return;
        if (!previous || broken) handlers.onConnected?.({ gap: broken });
        broken = false;
        const events: DynoEvent[] = [];
        if (previous) {
          for (const [id, cur] of now) {
            const was = previous.get(id);
            const ran = was?.status === "running";
            if (cur.status === "running" && (!ran || was?.task !== cur.task)) {
              if (ran) events.push({ id, action: "die", labels: cur.labels });
              events.push({ id, action: "start", labels: cur.labels });
            } else if (ran && cur.status !== "running") events.push({ id, action: "die", labels: cur.labels });
            // A task that crashed between two polls was never seen running: its end is a die
            // too (the dyno manager sweeps rarely while events flow, and would miss the crash).
            else if (!ran && ENDED_STATUSES.has(cur.status) && (was?.status !== cur.status || was?.task !== cur.task)) events.push({ id, action: "die", labels: cur.labels });
          }
          for (const [id, was] of previous) if (!now.has(id)) events.push({ id, action: "destroy", labels: was.labels });
        }
        previous = now;
        for (const e of events) handlers.onEvent(e);
      } catch (err) {
        if (!broken) handlers.onDisconnected?.(err);
        broken = true;
      }
      if (!closed) timer = setTimeout(() => void tick(), this.pollMs);
    };
    void tick();
    return {
      close() {
        closed = true;
        clearTimeout(timer);
      },
    };
  }

  // ---- one-off dynos -------------------------------------------------------------------

  /**
   * Starts the one-off's service, follows its output through the manager (dynoLogs: the
   * follow ends once the task has, after the rest was read) and resolves with the task's
   * exit status.
   */
  async runAttached(id: string, opts: AttachedRun): Promise<{ exitCode: number }> {
    let timer: NodeJS.Timeout | undefined;
    let killed = false;
    const kill = () => {
      killed = true;
      void this.killDyno(id).catch(() => {});
    };
    let cursor = -1n;
    try {
      opts.signal?.addEventListener("abort", kill, { once: true });
      if (opts.timeoutMs) timer = setTimeout(kill, opts.timeoutMs);
      await this.startDyno(id);
      // Started = its task left the scheduler's hands (placed, pulled, running or already ended).
      let s = await this.one(id);
      for (let wait = 100; s && (s.status === "restarting" || s.status === "created"); wait = Math.min(wait * 2, 1_000)) {
        await pause(wait);
        s = await this.one(id);
      }
      if (!s) throw new AppError("NOT_FOUND", "The one-off dyno is gone.");
      if (s.task?.Status.State === "rejected") throw new AppError("UNAVAILABLE", `The one-off dyno could not start: ${s.task.Status.Err ?? "rejected by its node"}.`);
      // Input and a terminal go through the Engine of the node the task landed on.
      const engine = this.nodeEngine(s);
      const container = s.task?.Status.ContainerStatus?.ContainerID;
      if (opts.stdin && s.service.Spec.TaskTemplate.ContainerSpec?.OpenStdin) {
        if (!engine || !container) {
          opts.onOutput("stderr", `This dyno runs on ${s.node?.Description?.Hostname ?? "a node"}, whose Engine the platform cannot reach (SLIPWAY_SWARM_NODE_ENGINES): it gets no input.\n`);
        } else if (s.status === "running") {
          const attached = await this.attachOnNode(engine.getContainer(container), opts, () => killed);
          if (attached) return attached;
        }
      }
      await opts.onStarted?.();
      for (let wait = 200; ; wait = Math.min(wait * 2, 1_000)) {
        if (!killed) {
          for await (const line of this.dynoLogs(id, { follow: true, sinceNs: cursor < 0n ? undefined : cursor })) {
            if (line.ns <= cursor) continue;
            cursor = line.ns;
            opts.onOutput(line.stream, `${line.message}\n`);
          }
        }
        // The follow ended: the task did, or the manager went away for a moment (follow again).
        s = await this.one(id);
        if (!s || (s.status !== "running" && s.status !== "restarting")) break;
        await pause(wait);
      }
      const code = s?.task?.Status.ContainerStatus?.ExitCode;
      return { exitCode: typeof code === "number" && code >= 0 ? code : (this.lastExit.get(id) ?? 137) };
    } finally {
      clearTimeout(timer);
      opts.signal?.removeEventListener("abort", kill);
    }
  }

  /**
   * An interactive one-off's container, attached on its node's Engine: what was written before
   * the attach is replayed (`logs`), then output streams and the caller's input goes in; its
   * exit status from the node's `wait`. Null when the container ended before the attach (the
   * caller then reads its logs through the manager, as for any one-off).
   */
  private async attachOnNode(container: Dockerode.Container, opts: AttachedRun, killed: () => boolean): Promise<{ exitCode: number } | null> {
    const info = await container.inspect().catch(() => null);
    if (!info?.State.Running) return null;
    let stream: NodeJS.ReadWriteStream;
    try {
      stream = (await container.attach({ stream: true, logs: true, stdin: true, stdout: true, stderr: true, hijack: true })) as NodeJS.ReadWriteStream;
    } catch (err) {
      if (engineStatus(err) === 409 || engineStatus(err) === 404) return null; // ended meanwhile
      throw engineError(err, "Attach to the one-off dyno");
    }
    pipeAttachedOutput(stream, info.Config.Tty, container.modem, opts.onOutput);
    const drained = new Promise<void>((resolve) => {
      stream.once("end", resolve);
      stream.once("close", resolve);
    });
    opts.stdin!.pipe(stream as NodeJS.WritableStream, { end: true });
    try {
      await opts.onStarted?.();
      const { StatusCode } = (await container.wait().catch((err: unknown) => {
        if (engineStatus(err) === 404) return { StatusCode: killed() ? 137 : 1 };
        throw engineError(err, "Wait for the one-off dyno");
      })) as { StatusCode: number };
      await Promise.race([drained, pause(2_000)]);
      return { exitCode: StatusCode };
    } finally {
      opts.stdin!.unpipe(stream as NodeJS.WritableStream);
      (stream as unknown as { destroy?: () => void }).destroy?.();
    }
  }

  /** The terminal size of an interactive one-off, through its node's Engine. */
  async resizeDyno(id: string, size: { cols: number; rows: number }): Promise<void> {
    const s = await this.one(id);
    const engine = s && this.nodeEngine(s);
    const container = s?.task?.Status.ContainerStatus?.ContainerID;
    if (!engine || !container) return;
    const w = Math.max(1, Math.min(1000, Math.round(size.cols)));
    const h = Math.max(1, Math.min(1000, Math.round(size.rows)));
    await engine
      .getContainer(container)
      .resize({ w, h })
      .catch((err: unknown) => {
        const status = engineStatus(err);
        // 404: gone; 409: not running (yet); 500: no terminal.
        if (status !== 404 && status !== 409 && status !== 500) throw engineError(err, "Resize the dyno's terminal");
      });
  }

  // ---- networks ------------------------------------------------------------------------

  /** One attachable overlay network per app, created once (single-flight per process). */
  ensureAppNetwork(installation: string, appId: string, appName: string): Promise<string> {
    let pending = this.networks.get(appId);
    if (!pending) {
      pending = this.createNetwork(installation, appId, appName).catch((err) => {
        this.networks.delete(appId);
        throw err;
      });
      this.networks.set(appId, pending);
    }
    return pending;
  }

  private async createNetwork(installation: string, appId: string, appName: string): Promise<string> {
    const name = this.appNetworkName(appId);
    const existing = (await swarm("List networks", () => this.manager.listNetworks({ filters: { name: [name] } }))).filter((n) => n.Name === name);
    if (existing.length) return name;
    try {
      await this.manager.createNetwork({
        Name: name,
        Driver: "overlay",
        Attachable: true,
        CheckDuplicate: true,
        Labels: { [LABEL.managed]: "1", [LABEL.installation]: installation, [LABEL.appId]: appId, [LABEL.app]: appName },
      });
    } catch (err) {
      if (engineStatus(err) !== 409) throw engineError(err, "Create the app's network");
    }
    return name;
  }

  appNetworkName(appId: string) {
    return `slipway-app-${appId}`;
  }

  /**
   * The app's services, then its overlay network: that goes once the tasks' endpoints have
   * left it on every node (retried for up to 30 s).
   */
  async removeApp(installation: string, appId: string) {
    for (const s of await this.list(installation, appId)) await this.removeDyno(s.service.ID);
    this.networks.delete(appId);
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        await this.manager.getNetwork(this.appNetworkName(appId)).remove();
        return;
      } catch (err) {
        const status = engineStatus(err);
        if (status === 404) return;
        if (Date.now() > deadline) throw engineError(err, "Remove the app's network");
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  async networkSubnets(): Promise<string[]> {
    const networks = (await swarm("List networks", () => this.manager.listNetworks())) as Dockerode.NetworkInspectInfo[];
    return networks.flatMap((n) => (n.IPAM?.Config ?? []).map((c) => c.Subnet).filter((s): s is string => !!s));
  }
}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

