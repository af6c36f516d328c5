import "server-only";
// The one seam through which the platform runs dynos. The reconciler, one-off dynos, the
// log collector, the metrics sampler, the boot check and the drain policy talk to a
// RuntimeDriver and never to an Engine API themselves; `drivers/engine.ts` runs dynos as
// containers on one Docker Engine (the default), `drivers/swarm.ts` as Docker Swarm tasks
// across nodes (SLIPWAY_RUNTIME=swarm).
//
// Contract for every implementation:
// - Dyno ids are opaque strings chosen by the driver (a container id, a task id, …); callers
//   only store them, compare them and hand them back.
// - What a dyno *is* (app, dyno name, process type, release, size, spec hash, one-off) is
//   carried by the dyno itself (labels), so a control plane that restarts rebuilds
//   everything from `listDynos` and never needs its own memory of what it started.
// - Calls on a dyno that is already gone are no-ops (stop, kill, remove) or answer null
//   (inspect, address, stats); other Engine failures are AppErrors (see runtime/docker.ts's
//   wording: UNAVAILABLE when the Engine cannot be reached).
// - Nothing here blocks on a database transaction; callers record intent, act, record.
import { env } from "@/server/env";
import { AppError } from "@/server/errors";
import { EngineDriver } from "@/server/runtime/drivers/engine";
import { swarmDriverFromEnv } from "@/server/runtime/drivers/swarm";

/** The Engine's word for a dyno's process state (a Swarm task's state is mapped onto it). */
export type DynoStatus = "created" | "running" | "paused" | "restarting" | "removing" | "exited" | "dead";

/** What a dyno is: read back from its labels, the same for every driver. */
export type DynoLabels = {
  appId: string;
  /** `web.1`, `worker.2`, `run.3`, `release.1` */
  dyno: string;
  /** The process type (`run` for one-offs). */
  type: string;
  releaseId: string;
  release: number;
  /** The dyno size's name (`standard-1x`). */
  size: string;
  /** Hash of what the dyno runs (release, image, command, size): equal hash = nothing to replace. */
  spec: string;
  oneOff: boolean;
  /** A one-off's Dyno row id: the process running it knows it; an unknown one is orphaned. */
  oneOffId: string | null;
};

/** One dyno as listed: its labels, its state, and where it runs. */
export type Dyno = DynoLabels & {
  /** Opaque, driver-chosen (see the contract above). */
  id: string;
  status: DynoStatus;
  /** When the dyno was created (ms since the epoch): among duplicates the newest wins. */
  createdAt: number;
  /** The node it runs on, when the driver spans several (Swarm); absent on one Engine. */
  node?: string;
  /**
   * Held in the app's standby pool, not yet a dyno of the formation (runtime/standby-pool.ts):
   * listed only when asked for (`listDynos(…, { standbys: true })`).
   */
  standby?: boolean;
};

/** Everything needed to create one dyno. */
export type DynoSpec = {
  installation: string;
  spec: string;
  appId: string;
  appName: string;
  dyno: string;
  type: string;
  releaseId: string;
  release: number;
  /** An image reference the driver can run (a release pins `sha256:` ids). */
  image: string;
  /** A Procfile command line, run by `bash -c` as on Heroku. */
  command: string;
  /** The dyno's environment: release config vars plus PORT and DYNO. */
  env: Record<string, string>;
  size: { name: string; memoryMb: number; cpus: number; pids: number };
  /**
   * The TCP port the process listens on ($PORT). A driver whose router address is not the
   * dyno's own (Swarm: a host-mode published port on the node) publishes this one.
   */
  port: number;
  oneOff?: boolean;
  /** The one-off's Dyno row id (see DynoLabels.oneOffId). */
  oneOffId?: string;
  /** SIGTERM, then SIGKILL after this many seconds (Heroku: 30). */
  stopTimeoutSeconds: number;
  /** Created as a standby of the app's pool (see Dyno.standby): its labels name the dyno it will become. */
  standby?: boolean;
  /**
   * An interactive one-off (`heroku run bash`): the dyno gets a stdin (open until the
   * attached caller ends it: Engine `OpenStdin` + `StdinOnce`) and, with `tty`, a terminal
   * (Engine `Tty`: stdout and stderr are one stream, the terminal's line discipline turns
   * Ctrl-C into SIGINT and Ctrl-D into end of input). Absent: no stdin, no terminal.
   */
  interactive?: { tty: boolean };
};

/** A dyno's state in detail (for exit handling and the boot check). */
export type DynoInfo = DynoLabels & {
  id: string;
  status: DynoStatus;
  running: boolean;
  /** The last exit status; null while it never exited. */
  exitCode: number | null;
  /** Its last exit was the kernel's OOM kill (Heroku's R15). */
  oomKilled: boolean;
  /** When its process last started (ms since the epoch); null before the first start. */
  startedAt: number | null;
  node?: string;
};

/** Where the router (and the boot check) connect to reach a web dyno's $PORT. */
export type DynoAddress = { host: string; port: number };

/** One reading of a dyno's resource use; CPU use is the difference between two readings. */
export type DynoStats = {
  /** Memory in use, without the page cache the kernel can drop; null when not reported. */
  memoryBytes: number | null;
  /** Cumulative CPU time of the dyno and of its host (ns) and the host's online CPUs. */
  cpu: { total: number; system: number; onlineCpus: number } | null;
};

/** One line of a dyno's output, stamped by the runtime when it was written. */
export type DynoLogLine = {
  /** Nanoseconds since the epoch: the cursor a reader resumes from. */
  ns: bigint;
  /** The same instant in Heroku's form: `2026-11-28T01:02:03.123456+00:00`. */
  at: string;
  stream: "stdout" | "stderr";
  /** The line without its newline. */
  message: string;
};

/** A lifecycle event of one of the installation's dynos (one-offs included). */
export type DynoEvent = {
  id: string;
  /** start: its process started; die: it exited; oom: the kernel killed it for memory; destroy: it is gone. */
  action: "start" | "die" | "oom" | "destroy";
  labels: DynoLabels;
};

export type DynoEventHandlers = {
  onEvent: (event: DynoEvent) => void;
  /**
   * The stream is (re)established: `gap` is true after an interruption (Engine restart,
   * manager failover). Events during the gap are lost: the caller lists dynos again.
   */
  onConnected?: (info: { gap: boolean }) => void;
  /** The stream broke; the driver retries with a capped backoff until closed. */
  onDisconnected?: (err: unknown) => void;
};

/** Whether a node takes new dynos: Swarm's availability (`pause` keeps running ones, `drain` moves them off). */
export type NodeAvailability = "active" | "pause" | "drain";

/** One machine dynos run on, as the installation page lists it. */
export type RuntimeNode = {
  /** Opaque, driver-chosen (a Swarm node id; `local` on one Engine). */
  id: string;
  /** Its hostname: what Dyno.node says. */
  name: string;
  /** `ready`, `down`, `unknown`, `disconnected` (Swarm's words); one Engine is `ready` when it answers. */
  state: string;
  availability: NodeAvailability;
  role: "manager" | "worker";
  /** The swarm's leader among the managers. */
  leader: boolean;
  /** The address other nodes (and the router) reach it at; null when not known. */
  address: string | null;
  memoryBytes: number | null;
  cpus: number | null;
  engineVersion: string | null;
  /** The installation's running dynos on it (one-offs included). */
  dynos: number;
};

export type DiskLimitSupport = { supported: true; sizeMb: number } | { supported: false; reason: string };

export type AttachedRun = {
  /** The dyno's output as it happens. */
  onOutput: (stream: "stdout" | "stderr", text: string) => void;
  /** Called once the process has started (before its output can end). */
  onStarted?: () => void | Promise<void>;
  /** Aborting kills the dyno (SIGKILL), as when a `heroku run` session ends. */
  signal?: AbortSignal;
  /** Kills the dyno (SIGKILL) after this long. */
  timeoutMs?: number;
  /**
   * Bytes for the dyno's stdin (only for a dyno created `interactive`): piped in as they
   * come; its end closes the dyno's stdin (EOF). With a terminal, Ctrl-D in the bytes is
   * the terminal's end of input instead and the stream need not end.
   */
  stdin?: NodeJS.ReadableStream;
};

export interface RuntimeDriver {
  /** `engine` or `swarm`: for logs and the dashboard. */
  readonly name: string;

  /** True when the runtime answers within `timeoutMs`; never throws. */
  ping(timeoutMs?: number): Promise<boolean>;

  // ---- dynos ----------------------------------------------------------------------------

  /**
   * The installation's dynos (optionally of one app), running or not, one-offs included.
   * Add-ons and builds, which carry the installation's labels too, are not dynos. Standbys
   * (Dyno.standby) are not dynos either until promoted: left out unless `standbys` is set,
   * so `ps`, metrics, logs and node counts never see them.
   */
  listDynos(installation: string, appId?: string, opts?: { standbys?: boolean }): Promise<Dyno[]>;

  /** Creates a dyno (not started) on the app's network; returns its id. */
  createDyno(spec: DynoSpec): Promise<string>;

  /** Starts a created or exited dyno; already running is fine. */
  startDyno(id: string): Promise<void>;

  /** SIGTERM, then SIGKILL after `timeoutSeconds`; resolves once it has exited. Gone or stopped is fine. */
  stopDyno(id: string, timeoutSeconds: number): Promise<void>;

  /**
   * Standby pools (optional: a driver without them leaves both out and pool sizes are
   * ignored). `pauseDyno` freezes a booted standby (cgroup freezer); `promoteDyno` thaws a
   * standby (paused or not) and takes its standby mark away, making it the formation dyno
   * its labels name. Both are idempotent.
   */
  pauseDyno?(id: string): Promise<void>;
  promoteDyno?(id: string): Promise<void>;

  /** SIGKILL now (R10, a killed one-off). Gone or not running is fine. */
  killDyno(id: string): Promise<void>;

  /**
   * Removes the dyno (killing it if it still runs) after the before-remove hooks had their
   * say (each at most 2 s). Gone is fine.
   */
  removeDyno(id: string): Promise<void>;

  /**
   * Work that must happen before a dyno disappears (the log collector reads the rest of its
   * output). Returns the function that unregisters the hook.
   */
  onBeforeRemove(hook: (id: string) => Promise<unknown>): () => void;

  /** The dyno's state in detail; null when it is gone. */
  inspectDyno(id: string): Promise<DynoInfo | null>;

  /**
   * Where the router should send a web dyno's requests for its $PORT (`port`): the
   * container's address on its app network (engine), or a node's address and the port
   * published there (swarm). null while it has none (not started, gone).
   */
  dynoAddress(id: string, port: number): Promise<DynoAddress | null>;

  /**
   * One reading of a running dyno's memory and CPU; null when it is gone. `where` (its
   * installation and app) lets a driver read the kernel's counters instead of asking.
   */
  dynoStats(id: string, where?: { installation: string; appId: string }): Promise<DynoStats | null>;

  /** The most CPUs one dyno can get (a size's CPUs are capped to it). */
  cpuCap(): number;

  /** Whether dynos get an ephemeral disk cap here, and why not (asked of the runtime once). */
  diskLimit(): Promise<DiskLimitSupport>;

  // ---- output and events ----------------------------------------------------------------

  /**
   * The dyno's output, oldest first, from after `sinceNs` (exclusive is not guaranteed:
   * callers skip lines at or before their cursor). With `follow` it goes on until the dyno
   * stops, the runtime goes away (the iteration ends: follow again from the last line's
   * `ns`) or `signal` aborts; without, it ends at the current end.
   */
  dynoLogs(id: string, opts: { follow: boolean; sinceNs?: bigint; signal?: AbortSignal }): AsyncIterable<DynoLogLine>;

  /**
   * Lifecycle events of the installation's dynos as they happen. Keeps watching across
   * runtime outages (reconnects with a capped backoff, telling `onConnected({ gap: true })`)
   * until the returned close() is called.
   */
  watchEvents(installation: string, handlers: DynoEventHandlers): { close(): void };

  // ---- one-off dynos -------------------------------------------------------------------

  /**
   * Attaches to a created one-off dyno, starts it, streams its output and resolves with its
   * exit status once it has exited and its output has been delivered. The caller removes it.
   */
  runAttached(id: string, opts: AttachedRun): Promise<{ exitCode: number }>;

  /**
   * Sets the terminal size of an interactive dyno created with `tty` (engine: the Engine's
   * `POST /containers/{id}/resize`). Gone, not started yet or without a terminal is fine.
   */
  resizeDyno(id: string, size: { cols: number; rows: number }): Promise<void>;

  /**
   * Runs a command inside a running dyno, attached (`heroku run:inside web.1 bash`: the
   * platform's `ps:exec`), with the dyno's environment plus `exec.env`, as the dyno's user.
   * Resolves with its exit status once its output has ended. `onTerminal` hands over the
   * resize of its terminal (with `tty`). Aborting `signal` closes its stdin and terminal (a
   * shell exits; a command that ignores that runs to its end). Optional: a driver that
   * cannot leaves it out and the API says so.
   */
  execAttached?(
    id: string,
    exec: { command: string; tty: boolean; env?: Record<string, string> },
    opts: Omit<AttachedRun, "timeoutMs" | "onStarted"> & { onTerminal?: (resize: (size: { cols: number; rows: number }) => Promise<void>) => void },
  ): Promise<{ exitCode: number }>;

  // ---- networks ------------------------------------------------------------------------

  /**
   * The app's private network (its dynos and attached add-ons reach each other on it, other
   * apps do not): created once, idempotent and safe to call concurrently. Returns its name.
   */
  ensureAppNetwork(installation: string, appId: string, appName: string): Promise<string>;

  /** The name of the app's network (whether or not it exists yet). */
  appNetworkName(appId: string): string;

  /**
   * Removes what the runtime keeps per app once its dynos are gone (the app was destroyed):
   * its network (once nothing is attached) and any other per-app resource (engine: the
   * app's CPU cgroup). Gone is fine.
   */
  removeApp(installation: string, appId: string): Promise<void>;

  /** The address ranges of the runtime's networks (the drain policy refuses them). */
  networkSubnets(): Promise<string[]>;

  // ---- nodes ---------------------------------------------------------------------------

  /** The machines dynos run on, with the installation's running dynos counted per node. */
  nodes(installation: string): Promise<RuntimeNode[]>;

  /**
   * Drains a node (its dynos move to others, none are placed there), pauses it or makes it
   * active again. A driver with one machine refuses (UNPROCESSABLE: nowhere to move to).
   * An unknown node is NOT_FOUND.
   */
  setNodeAvailability(id: string, availability: NodeAvailability): Promise<void>;
}

const holder = globalThis as unknown as { slipwayDriver?: RuntimeDriver };

/** The runtime driver of this process, chosen once by SLIPWAY_RUNTIME (`engine` by default). */
export function runtimeDriver(): RuntimeDriver {
  if (holder.slipwayDriver) return holder.slipwayDriver;
  const kind = env().SLIPWAY_RUNTIME;
  if (kind === "engine") return (holder.slipwayDriver = new EngineDriver());
  if (kind === "swarm") return (holder.slipwayDriver = swarmDriverFromEnv());
  throw new AppError("UNAVAILABLE", `The ${kind} runtime driver is not part of this build.`);
}
