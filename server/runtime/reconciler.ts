import "server-only";
// The dyno manager. Desired state lives in the database (formation × current release);
// actual state is the set of containers carrying this installation's labels. A pass
// converges one app and can be run again at any time: after a crash of the control
// plane it rebuilds everything it needs from labels and Dyno rows, starts nothing twice
// and leaves healthy matching dynos alone.
import { docker } from "@/server/runtime/docker";
import {
  LABEL,
  containerIp,
  createDynoContainer,
  inspectContainer,
  killContainer,
  listDynoContainers,
  removeAppNetwork,
  removeContainer,
  startContainer,
  stopContainer,
  type DynoContainer,
} from "@/server/runtime/containers";
import { removeDynoCgroup } from "@/server/runtime/dyno-cgroup";
import { appsWithFormation, loadDesiredApp, type DesiredApp, type DesiredDyno } from "@/server/runtime/desired";
import { deleteOrphanRunRows, syncDynoRows, loadCrashState } from "@/server/runtime/dyno-rows";
import { platformLog, bus, type DynoStateChange } from "@/server/runtime/events";
import { isLiveOneOff } from "@/server/runtime/one-off";
import { waitForPort } from "@/server/runtime/port-check";

export type RuntimeOptions = {
  installation: string;
  /** A web dyno must accept TCP on $PORT within this (Heroku: 60 s), or R10. */
  bootTimeoutMs: number;
  /** SIGTERM, then SIGKILL after this (Heroku: 30 s). */
  stopTimeoutSeconds: number;
  /** Second crash waits this long, doubling each time up to crashBackoffMaxMs. */
  crashBackoffBaseMs: number;
  crashBackoffMaxMs: number;
  sweepIntervalMs: number;
  /** $PORT inside every dyno (each has its own network namespace). */
  port: number;
  /**
   * A web dyno leaving (scale-down, replaced by a deploy) is out of the routing table (it is
   * in `stopping`) before this runs; it resolves once the router no longer sends it
   * requests, and only then does the dyno get SIGTERM. Unset without a router.
   */
  drain?: (appId: string) => Promise<unknown>;
};

export type DynoState = "starting" | "up" | "crashed" | "down";

type Tracked = {
  appId: string;
  dyno: string;
  type: string;
  state: DynoState;
  restartCount: number;
  nextRestartAt: number | null;
  exitCode: number | null;
  /** The dyno's address on its app network, once it is up (web dynos: the router's target). */
  ip?: string | null;
};

export class Reconciler {
  private tracked = new Map<string, Tracked>(); // by container id
  private stopping = new Set<string>();
  /** Containers a restart replaces (container id → app id): stale, like an old release's. */
  private retiring = new Map<string, string>();
  /** State changes per app not yet in the Dyno rows (see changed()). */
  private unsynced = new Map<string, DynoStateChange[]>();
  private watching = new Set<string>();
  private chains = new Map<string, Promise<void>>();
  private queued = new Set<string>();
  private timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private sweepTimer: NodeJS.Timeout | undefined;
  private events: NodeJS.ReadableStream | undefined;
  private closed = false;

  constructor(readonly opts: RuntimeOptions) {}

  /** Starts watching Engine events and sweeping every app periodically. */
  async start() {
    await this.watchEvents();
    await this.sweep();
    this.sweepTimer = setInterval(() => void this.sweep(), this.opts.sweepIntervalMs);
  }

  async close() {
    this.closed = true;
    clearInterval(this.sweepTimer);
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    (this.events as { destroy?: () => void } | undefined)?.destroy?.();
    await Promise.allSettled([...this.chains.values()]);
  }

  /** Converges every app with a formation, and removes dynos of apps that no longer exist. */
  async sweep() {
    if (this.closed) return;
    try {
      const [appIds, containers] = await Promise.all([appsWithFormation(), listDynoContainers(this.opts.installation)]);
      await this.reapOneOffs(containers);
      const all = new Set([...appIds, ...containers.map((c) => c.appId)]);
      await Promise.all([...all].map((id) => this.reconcile(id)));
    } catch (err) {
      console.error("slipway: reconciler sweep failed", err);
    }
  }

  /**
   * One-offs nobody runs any more: their control plane died (kill -9) while they ran, so no
   * one streams their output or waits for their exit code. Their containers go (SIGKILL, as
   * when a `heroku run` session ends), and so do `run.N` rows no live one-off of this
   * process owns. One-offs this process runs are registered before their row or container
   * exists, so they are never taken for orphans.
   */
  private async reapOneOffs(containers: DynoContainer[]) {
    const orphans = containers.filter((c) => c.oneOff && !isLiveOneOff(c.oneOffId));
    await Promise.all(
      orphans.map(async (c) => {
        if (c.status === "running") platformLog(c.appId, c.dyno, "Stopping process with SIGKILL: its session ended with an earlier control plane");
        await removeContainer(c.id);
      }),
    );
    await deleteOrphanRunRows(isLiveOneOff);
  }

  /** Queues a pass for one app; passes for one app never overlap, requests coalesce. */
  reconcile(appId: string): Promise<void> {
    if (this.queued.has(appId)) return this.chains.get(appId)!;
    this.queued.add(appId);
    const previous = this.chains.get(appId) ?? Promise.resolve();
    const next = previous.then(async () => {
      this.queued.delete(appId);
      if (this.closed) return;
      try {
        await this.pass(appId);
      } catch (err) {
        console.error(`slipway: reconcile ${appId} failed`, err);
      }
    });
    this.chains.set(appId, next);
    return next;
  }

  /**
   * Restarts matching dynos. Web dynos are replaced with preboot, as a deploy replaces
   * them: a new container of the same dyno starts next to the old one, and the old one
   * gets SIGTERM only once the new one is up and the router has it, so a restart under
   * load loses no request. Other types stop, then start. Returns how many were restarted.
   */
  async restart(appId: string, match: (c: DynoContainer) => boolean): Promise<number> {
    // One already being replaced counts (a second click on Restart is not "not found").
    const containers = (await listDynoContainers(this.opts.installation, appId)).filter((c) => !c.oneOff && match(c));
    for (const c of containers) platformLog(appId, c.dyno, "Restarting");
    const [web, others] = partition(containers, (c) => c.type === "web" && c.status === "running");
    for (const c of web) this.retiring.set(c.id, appId);
    if (web.length) void this.reconcile(appId);
    if (others.length) void Promise.all(others.map((c) => this.stopAndRemove(c))).then(() => this.reconcile(appId));
    return containers.length;
  }

  /**
   * Stops matching dynos (SIGTERM, SIGKILL after the grace period). A formation dyno is
   * started again by the next pass, as on Heroku; a one-off stays gone.
   */
  async stop(appId: string, match: (c: DynoContainer) => boolean): Promise<number> {
    const containers = (await listDynoContainers(this.opts.installation, appId)).filter(match);
    for (const c of containers) platformLog(appId, c.dyno, "Stopping");
    void Promise.all(containers.map((c) => this.stopAndRemove(c))).then(() => this.reconcile(appId));
    return containers.length;
  }

  /** The runtime view of one app's dynos (for tests and the API). */
  /** Web dynos that may get requests: up, with an address, not being stopped. */
  routable(appId: string): { dyno: string; host: string; port: number }[] {
    return [...this.tracked.entries()]
      .filter(([id, t]) => t.appId === appId && t.type === "web" && t.state === "up" && t.ip && !this.stopping.has(id))
      .map(([, t]) => ({ dyno: t.dyno, host: t.ip!, port: this.opts.port }))
      .sort((a, b) => a.dyno.localeCompare(b.dyno, undefined, { numeric: true }));
  }

  states(appId: string) {
    return [...this.tracked.entries()].filter(([, t]) => t.appId === appId).map(([id, t]) => ({ containerId: id, ...t }));
  }

  // ---- one pass ------------------------------------------------------------------------

  private async pass(appId: string) {
    const desired = await loadDesiredApp(appId);
    const withOneOffs = await listDynoContainers(this.opts.installation, appId);
    const containers = withOneOffs.filter((c) => !c.oneOff);
    for (const c of containers) await this.observe(c);
    const present = new Set(containers.map((c) => c.id));
    for (const [id, owner] of this.retiring) if (owner === appId && !present.has(id)) this.retiring.delete(id);

    if (!desired) {
      // The app was destroyed: nothing of it may keep running, one-offs included (a
      // container still on the app's network would keep the network from going).
      await Promise.all(withOneOffs.map((c) => this.stopAndRemove(c, true)));
      await removeAppNetwork(appId);
      await removeDynoCgroup(this.opts.installation, appId);
      for (const change of this.takeUnsynced(appId)) bus.emit("dynoRows", change);
      return;
    }

    const wanted = new Map(desired.dynos.map((d) => [d.name, d]));
    const byName = groupBy(containers, (c) => c.dyno);
    const work: Promise<unknown>[] = [];

    // Dynos nobody wants any more (scaled down, type removed): SIGTERM them.
    for (const [name, list] of byName) if (!wanted.has(name)) for (const c of list) work.push(this.stopAndRemove(c));

    const webPrebooting = desired.dynos.some((d) => d.type === "web" && (byName.get(d.name) ?? []).some((c) => this.isStale(c, d)));
    for (const d of desired.dynos) {
      work.push(this.converge(desired, d, byName.get(d.name) ?? [], webPrebooting));
    }
    await Promise.all(work);
    // Changes from here on are written by the next pass (each is followed by one).
    const changes = this.takeUnsynced(appId);
    await syncDynoRows(appId, desired, await this.primaries(desired));
    for (const change of changes) bus.emit("dynoRows", change);
  }

  private async converge(app: DesiredApp, d: DesiredDyno, list: DynoContainer[], webPrebooting: boolean) {
    const matching = list.filter((c) => !this.isStale(c, d)).sort(preferLive);
    const stale = list.filter((c) => this.isStale(c, d));
    const [primary, ...duplicates] = matching;
    for (const c of duplicates) await this.stopAndRemove(c, true);

    if (!primary) {
      if (d.type === "web") {
        // Preboot: the new dyno starts next to the old one, which keeps serving.
        await this.launch(app, d);
      } else if (webPrebooting) {
        return; // other types are replaced once web has moved over
      } else if (stale.some((c) => c.status !== "exited" && c.status !== "dead")) {
        for (const c of stale) void this.stopAndRemove(c);
      } else {
        for (const c of stale) await this.stopAndRemove(c, true);
        await this.launch(app, d);
      }
      return;
    }

    // A restart or a stop may have removed it since this pass observed it: the next pass sees.
    const t = this.tracked.get(primary.id);
    if (!t) return;
    if (primary.status === "created") {
      await this.startTracked(primary.id, d, app.appId);
    } else if (t.state === "crashed") {
      await this.maybeRestartCrashed(primary.id, d, app.appId, t);
    }
    // Old dynos of this name get SIGTERM only once the new one is up.
    if (stale.length && (d.type !== "web" || t.state === "up")) for (const c of stale) void this.stopAndRemove(c);
  }

  /** Replaced by a newer release or by a restart: goes once its successor is up (web). */
  private isStale(c: DynoContainer, d: DesiredDyno) {
    return c.spec !== d.spec || this.retiring.has(c.id);
  }

  /** Rebuilds (or refreshes) what we know of a container from the Engine. */
  private async observe(c: DynoContainer) {
    let t = this.tracked.get(c.id);
    if (!t) {
      // First sight (new process, or created by a previous run): crash history from the DB.
      const saved = await loadCrashState(c.appId, c.dyno, c.id);
      t = {
        appId: c.appId,
        dyno: c.dyno,
        type: c.type,
        state: "starting",
        restartCount: saved?.restartCount ?? 0,
        nextRestartAt: saved?.nextRestartAt ?? null,
        exitCode: null,
      };
      this.tracked.set(c.id, t);
      if (c.status === "running") {
        if (c.type === "web") this.watchBoot(c.id, c.appId, c.dyno, true);
        else t.state = "up";
      } else if (c.status === "exited" || c.status === "dead") {
        t.state = saved?.state === "down" ? "down" : "crashed";
        if (t.state === "crashed" && t.nextRestartAt === null) t.nextRestartAt = Date.now();
      }
      return;
    }
    if ((c.status === "exited" || c.status === "dead") && (t.state === "starting" || t.state === "up")) {
      await this.onExit(c.id, t);
    }
  }

  private async onExit(id: string, t: Tracked) {
    const info = await inspectContainer(id).catch(() => null);
    const code = info?.State?.ExitCode ?? -1;
    t.exitCode = code;
    if (info?.State?.OOMKilled) {
      platformLog(t.appId, t.dyno, "Error R15 (Memory quota vastly exceeded) -> Process killed: out of memory");
    }
    platformLog(t.appId, t.dyno, `Process exited with status ${code}`);
    if (this.stopping.has(id)) {
      this.setState(t, "down");
      return;
    }
    // Heroku: the first crash restarts at once, later ones wait longer and longer.
    const delay =
      t.restartCount === 0 ? 0 : Math.min(this.opts.crashBackoffBaseMs * 2 ** (t.restartCount - 1), this.opts.crashBackoffMaxMs);
    t.nextRestartAt = Date.now() + delay;
    this.setState(t, "crashed");
    if (delay > 0) this.later(t.appId, delay);
  }

  private async maybeRestartCrashed(id: string, d: DesiredDyno, appId: string, t: Tracked) {
    if (t.nextRestartAt !== null && t.nextRestartAt > Date.now()) {
      this.later(appId, t.nextRestartAt - Date.now());
      return;
    }
    t.restartCount += 1;
    t.nextRestartAt = null;
    await this.startTracked(id, d, appId);
  }

  private async launch(app: DesiredApp, d: DesiredDyno) {
    const release = app.release!;
    const id = await createDynoContainer({
      installation: this.opts.installation,
      spec: d.spec,
      appId: app.appId,
      appName: app.appName,
      dyno: d.name,
      type: d.type,
      releaseId: release.id,
      release: release.version,
      image: release.image,
      command: d.command,
      env: { ...release.config, PORT: String(this.opts.port), DYNO: d.name },
      size: d.size,
      stopTimeoutSeconds: this.opts.stopTimeoutSeconds,
    });
    const t: Tracked = { appId: app.appId, dyno: d.name, type: d.type, state: "starting", restartCount: 0, nextRestartAt: null, exitCode: null };
    this.tracked.set(id, t);
    this.changed({ appId: app.appId, dyno: d.name, from: null, to: "starting" });
    await this.startTracked(id, d, app.appId);
  }

  private async startTracked(id: string, d: DesiredDyno, appId: string) {
    const t = this.tracked.get(id)!;
    platformLog(appId, d.name, `Starting process with command \`${d.command}\``);
    this.setState(t, "starting");
    await startContainer(id);
    if (d.type === "web") this.watchBoot(id, appId, d.name, false);
    else this.setState(t, "up");
  }

  /** A web dyno is up once it accepts TCP on $PORT; not within the boot timeout → R10. */
  private watchBoot(id: string, appId: string, dyno: string, resumed: boolean) {
    if (this.watching.has(id)) return;
    this.watching.add(id);
    void (async () => {
      try {
        const info = await inspectContainer(id);
        const started = resumed ? Date.parse(info.State.StartedAt) : Date.now();
        // An adopted dyno that has run longer than the boot timeout already booted under
        // an earlier control plane: give it a short probe, never an R10.
        const bootedLongAgo = resumed && Date.now() - started > this.opts.bootTimeoutMs;
        const deadline = bootedLongAgo ? Date.now() + 10_000 : started + this.opts.bootTimeoutMs;
        const ok = await waitForPort(info, appId, this.opts.port, deadline, () => {
          const t = this.tracked.get(id);
          return this.closed || !t || t.state !== "starting";
        });
        const t = this.tracked.get(id);
        if (!t || this.closed || t.state !== "starting") return;
        if (ok || bootedLongAgo) {
          if (!ok) console.error(`slipway: adopted ${dyno} does not accept connections on $PORT; leaving it running`);
          t.ip = containerIp(info, appId);
          this.setState(t, "up");
        } else {
          const seconds = Math.round(this.opts.bootTimeoutMs / 1000);
          platformLog(appId, dyno, `Error R10 (Boot timeout) -> Web process failed to bind to $PORT within ${seconds} seconds of launch`);
          platformLog(appId, dyno, "Stopping process with SIGKILL");
          await killContainer(id);
        }
      } catch (err) {
        console.error(`slipway: boot check of ${dyno} failed`, err);
      } finally {
        this.watching.delete(id);
        void this.reconcile(appId);
      }
    })();
  }

  private async stopAndRemove(c: DynoContainer, immediately = false) {
    const t = this.tracked.get(c.id);
    if (this.stopping.has(c.id) && !immediately) return;
    this.stopping.add(c.id);
    try {
      // Out of the routing table first, and the router's requests in flight to it finished
      // (drain waits for both, bounded); only then SIGTERM, which a dyno may obey at once.
      if (!immediately && c.type === "web" && t?.state === "up" && this.opts.drain) await this.opts.drain(c.appId);
      if (c.status === "running" || c.status === "restarting" || c.status === "paused") {
        platformLog(c.appId, c.dyno, "Stopping all processes with SIGTERM");
        await stopContainer(c.id, immediately ? 0 : this.opts.stopTimeoutSeconds);
        if (t && (t.state === "starting" || t.state === "up")) await this.onExit(c.id, t);
      }
      await removeContainer(c.id);
    } finally {
      this.tracked.delete(c.id);
      this.stopping.delete(c.id);
    }
  }

  private setState(t: Tracked, to: DynoState) {
    if (t.state === to) return;
    const from = t.state;
    t.state = to;
    platformLog(t.appId, t.dyno, `State changed from ${from} to ${to}`);
    this.changed({ appId: t.appId, dyno: t.dyno, from, to });
  }

  /**
   * A state change goes out twice: at once on `dyno`, and on `dynoRows` after the next pass
   * has written the Dyno rows. The dashboard refetches the rows when told, so telling it
   * before the write made it read the old state and show it until the next change.
   */
  private changed(change: DynoStateChange) {
    bus.emit("dyno", change);
    this.unsynced.set(change.appId, [...(this.unsynced.get(change.appId) ?? []), change]);
  }

  /** Takes the changes not yet announced on `dynoRows`; announce them once the rows are written. */
  private takeUnsynced(appId: string): DynoStateChange[] {
    const changes = this.unsynced.get(appId) ?? [];
    this.unsynced.delete(appId);
    return changes;
  }

  private async primaries(desired: DesiredApp) {
    const containers = (await listDynoContainers(this.opts.installation, desired.appId)).filter((c) => !c.oneOff);
    const out = new Map<string, { containerId: string; releaseId: string; tracked: Tracked | undefined }>();
    for (const d of desired.dynos) {
      const list = containers.filter((c) => c.dyno === d.name);
      const c = list.filter((x) => !this.isStale(x, d)).sort(preferLive)[0] ?? list.sort(preferLive)[0];
      if (c) out.set(d.name, { containerId: c.id, releaseId: c.releaseId, tracked: this.tracked.get(c.id) });
    }
    return out;
  }

  /** One wake-up per app, the earliest asked for: sweeps during a cool-off must not pile up timers. */
  private later(appId: string, ms: number) {
    const at = Date.now() + Math.max(0, ms) + 10;
    const existing = this.timers.get(appId);
    if (existing && existing.at <= at) return;
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => {
      this.timers.delete(appId);
      void this.reconcile(appId);
    }, at - Date.now());
    this.timers.set(appId, { at, timer });
  }

  private async watchEvents() {
    const stream = (await docker().getEvents({
      filters: { type: ["container"], event: ["die", "start"], label: [`${LABEL.installation}=${this.opts.installation}`] },
    })) as NodeJS.ReadableStream;
    this.events = stream;
    let buffer = "";
    stream.on("data", (chunk: Buffer) => {
      buffer += chunk.toString("utf8");
      let nl: number;
      while ((nl = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, nl).trim();
        buffer = buffer.slice(nl + 1);
        if (!line) continue;
        try {
          const event = JSON.parse(line) as { id?: string; Action?: string; Actor?: { Attributes?: Record<string, string> } };
          const appId = event.Actor?.Attributes?.[LABEL.appId];
          if (appId && event.id && (event.Action === "start" || event.Action === "die")) bus.emit("container", { appId, id: event.id, action: event.Action });
          if (appId && event.Actor?.Attributes?.[LABEL.oneOff] !== "1") void this.reconcile(appId);
        } catch {
          // A partial or foreign line: the periodic sweep covers anything missed.
        }
      }
    });
    stream.on("error", (err) => {
      if (!this.closed) console.error("slipway: Docker event stream failed; relying on sweeps", err);
    });
  }
}

function partition<T>(items: T[], test: (t: T) => boolean): [T[], T[]] {
  return [items.filter(test), items.filter((t) => !test(t))];
}

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) out.set(key(item), [...(out.get(key(item)) ?? []), item]);
  return out;
}

const LIVE_ORDER: Record<string, number> = { running: 0, restarting: 1, created: 2, paused: 3, exited: 4, dead: 5 };
function preferLive(a: DynoContainer, b: DynoContainer) {
  return (LIVE_ORDER[a.status] ?? 9) - (LIVE_ORDER[b.status] ?? 9) || b.createdAt - a.createdAt;
}
