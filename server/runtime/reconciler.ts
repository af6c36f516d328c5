import "server-only";
// The dyno manager's convergence pass. Desired state lives in the database (formation ×
// current release); actual state is the set of dynos the runtime driver lists with this
// installation's labels. A pass converges one app and can be run again at any time: after
// a crash of the control plane it rebuilds everything it needs from labels and Dyno rows,
// starts nothing twice and leaves healthy matching dynos alone. What happens to one dyno
// (boot check, crash cool-off, R10, R15, drain before SIGTERM) is dyno-states.ts's.
import { AppError } from "@/server/errors";
import { desiredFingerprints, loadDesiredApp, type DesiredApp, type DesiredDyno } from "@/server/runtime/desired";
import { runtimeDriver, type Dyno, type RuntimeDriver } from "@/server/runtime/driver";
import { deleteOrphanRunRows, syncDynoRows } from "@/server/runtime/dyno-rows";
import { DynoStates } from "@/server/runtime/dyno-states";
import { platformLog, bus } from "@/server/runtime/events";
import { isLiveOneOff } from "@/server/runtime/one-off";
import { StandbyPool, type StandbyMode } from "@/server/runtime/standby-pool";

export type RuntimeOptions = {
  installation: string;
  /** A web dyno must accept TCP on $PORT within this (Heroku: 60 s), or R10. */
  bootTimeoutMs: number;
  /** SIGTERM, then SIGKILL after this (Heroku: 30 s). */
  stopTimeoutSeconds: number;
  /** Second crash waits this long, doubling each time up to crashBackoffMaxMs. */
  crashBackoffBaseMs: number;
  crashBackoffMaxMs: number;
  /**
   * How often the reconciler looks. While the runtime's event stream is connected, dyno
   * starts, exits and removals trigger passes by themselves: each look then only compares
   * the desired state in the database (two queries, passes for the apps that changed), and a
   * full sweep (every app against the runtime's list) runs every connectedSweepIntervalMs.
   * While the stream is down or not connected yet, every look is a full sweep.
   */
  sweepIntervalMs: number;
  /** The full sweep's interval while events flow (default 60 s; never shorter than sweepIntervalMs). */
  connectedSweepIntervalMs?: number;
  /** $PORT inside every dyno (each has its own network namespace). */
  port: number;
  /**
   * A web dyno leaving (scale-down, replaced by a deploy) is out of the routing table (it is
   * in `stopping`) before this runs; it resolves once the router no longer sends it
   * requests, and only then does the dyno get SIGTERM. Unset without a router.
   */
  drain?: (appId: string) => Promise<unknown>;
  /** How an app's standby pool holds its dynos (standby-pool.ts; default `paused`). */
  standbyMode?: StandbyMode;
};

/** How long start() waits for the runtime's event stream before sweeping anyway. */
const EVENTS_CONNECT_WAIT_MS = 5_000;
/** The full sweep's default interval while the event stream is connected. */
export const CONNECTED_SWEEP_INTERVAL_MS = 60_000;

export class Reconciler {
  readonly driver: RuntimeDriver;
  private readonly dynos: DynoStates;
  private readonly pool: StandbyPool;
  /** Dynos a restart replaces (dyno id → app id): stale, like an old release's. */
  private retiring = new Map<string, string>();
  private chains = new Map<string, Promise<void>>();
  private queued = new Set<string>();
  private timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private sweepTimer: NodeJS.Timeout | undefined;
  private events: { close(): void } | undefined;
  /** The runtime's event stream is connected: events, not sweeps, report what dynos do. */
  private eventsConnected = false;
  /** When the last full sweep began (0: none yet). */
  private lastSweepAt = 0;
  /** Each app's desired state as desiredFingerprints() last saw it. */
  private fingerprints = new Map<string, string>();
  /**
   * Apps the last pass found converged and left untouched: the desired state's fingerprint
   * it had and the runtime's listing of the app then. A full sweep while events flow skips
   * an app whose fingerprint and listing are still these: an idle sweep is then one list of
   * the installation, not a pass (a database read and a container list) per app.
   */
  private settled = new Map<string, { fingerprint: string; listing: string }>();
  private closed = false;
  /** The last sweep could not reach the runtime: said once per outage, not every sweep. */
  private unreachable = false;

  constructor(readonly opts: RuntimeOptions, driver: RuntimeDriver = runtimeDriver()) {
    this.driver = driver;
    this.dynos = new DynoStates(opts, driver, {
      reconcile: (appId) => void this.reconcile(appId),
      wake: (appId, ms) => this.later(appId, ms),
      closed: () => this.closed,
    });
    this.pool = new StandbyPool(opts, driver, { reconcile: (appId) => void this.reconcile(appId), closed: () => this.closed });
  }

  /** Starts watching the runtime's dyno events and sweeping every app periodically. */
  async start() {
    await this.watchEvents();
    await this.sweep();
    this.scheduleLook();
  }

  private scheduleLook() {
    if (this.closed) return;
    this.sweepTimer = setTimeout(() => void this.look().finally(() => this.scheduleLook()), this.opts.sweepIntervalMs);
  }

  /**
   * One periodic look: a full sweep while the event stream is down (or every
   * connectedSweepIntervalMs), else only a comparison of the desired state. An idle
   * installation then costs two database queries every few seconds, not a pass of every app
   * (database reads and writes, a container list per app) — the bulk of the idle CPU.
   */
  private async look() {
    if (this.closed) return;
    const every = Math.max(this.opts.sweepIntervalMs, this.opts.connectedSweepIntervalMs ?? CONNECTED_SWEEP_INTERVAL_MS);
    if (!this.eventsConnected || Date.now() - this.lastSweepAt >= every) return this.sweep();
    try {
      const now = await desiredFingerprints();
      const changed = [...now].filter(([id, f]) => this.fingerprints.get(id) !== f).map(([id]) => id);
      // Gone from the list: destroyed, or its formation removed.
      for (const id of this.fingerprints.keys()) if (!now.has(id)) changed.push(id);
      this.fingerprints = now;
      await Promise.all(changed.map((id) => this.reconcile(id)));
    } catch (err) {
      console.error("slipway: reconciler could not read the desired state", err);
    }
  }

  async close() {
    this.closed = true;
    clearTimeout(this.sweepTimer);
    if (this.eventsConnected) bus.emit("runtimeEvents", { connected: false });
    this.eventsConnected = false;
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.events?.close();
    await Promise.allSettled([...this.chains.values()]);
    await this.pool.close();
  }

  /** Converges every app with a formation, and removes dynos of apps that no longer exist. */
  async sweep() {
    if (this.closed) return;
    this.lastSweepAt = Date.now();
    try {
      // Standbys too: a destroyed app's pool must go with it.
      const [desired, dynos] = await Promise.all([desiredFingerprints(), this.driver.listDynos(this.opts.installation, undefined, { standbys: true })]);
      // What every app is converged to from here (passes read the database after this).
      this.fingerprints = desired;
      await this.reapOneOffs(dynos);
      const all = new Set([...desired.keys(), ...dynos.map((c) => c.appId)]);
      for (const id of this.settled.keys()) if (!all.has(id)) this.settled.delete(id);
      const byApp = groupBy(dynos, (c) => c.appId);
      // With events flowing, an app still as its last pass left it needs no pass: anything
      // that changed its containers (a crash, a removal, another process) shows in the
      // listing. Without events, every sweep passes every app, as before.
      const unchanged = (id: string) => {
        const s = this.eventsConnected ? this.settled.get(id) : undefined;
        return !!s && s.fingerprint === desired.get(id) && s.listing === listingOf(byApp.get(id) ?? []) && !this.chains.has(id);
      };
      await Promise.all([...all].filter((id) => !unchanged(id)).map((id) => this.reconcile(id)));
      this.unreachable = false;
    } catch (err) {
      const away = err instanceof AppError && err.code === "UNAVAILABLE";
      if (!away || !this.unreachable) console.error(`slipway: reconciler sweep failed${away ? " (retrying every sweep)" : ""}`, err);
      this.unreachable = away;
    }
  }

  /**
   * One-offs nobody runs any more: their control plane died (kill -9) while they ran, so no
   * one streams their output or waits for their exit code. Their dynos go (SIGKILL, as
   * when a `heroku run` session ends), and so do `run.N` rows no live one-off of this
   * process owns. One-offs this process runs are registered before their row or dyno
   * exists, so they are never taken for orphans.
   */
  private async reapOneOffs(dynos: Dyno[]) {
    const orphans = dynos.filter((c) => c.oneOff && !isLiveOneOff(c.oneOffId));
    await Promise.all(
      orphans.map(async (c) => {
        if (c.status === "running") platformLog(c.appId, c.dyno, "Stopping process with SIGKILL: its session ended with an earlier control plane");
        await this.driver.removeDyno(c.id);
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
        // Tried again as soon as the next look (full sweeps, which used to retry it, are a
        // minute apart while events flow).
        if (!this.closed) this.later(appId, this.opts.sweepIntervalMs);
      }
    });
    this.chains.set(appId, next);
    // A settled chain is only a place to queue behind: kept, it held one entry for every
    // app ever reconciled (destroyed and review apps included).
    void next.then(() => {
      if (this.chains.get(appId) === next) this.chains.delete(appId);
    });
    return next;
  }

  /**
   * Restarts matching dynos. Web dynos are replaced with preboot, as a deploy replaces
   * them: a new dyno of the same name starts next to the old one, and the old one gets
   * SIGTERM only once the new one is up and the router has it, so a restart under load
   * loses no request. Other types stop, then start. Returns how many were restarted.
   */
  async restart(appId: string, match: (c: Dyno) => boolean): Promise<number> {
    // One already being replaced counts (a second click on Restart is not "not found").
    const dynos = (await this.driver.listDynos(this.opts.installation, appId)).filter((c) => !c.oneOff && match(c));
    for (const c of dynos) platformLog(appId, c.dyno, "Restarting");
    const [web, others] = partition(dynos, (c) => c.type === "web" && c.status === "running");
    for (const c of web) this.retiring.set(c.id, appId);
    if (web.length) void this.reconcile(appId);
    if (others.length) void Promise.all(others.map((c) => this.dynos.stopAndRemove(c))).then(() => this.reconcile(appId));
    return dynos.length;
  }

  /**
   * Stops matching dynos (SIGTERM, SIGKILL after the grace period). A formation dyno is
   * started again by the next pass, as on Heroku; a one-off stays gone.
   */
  async stop(appId: string, match: (c: Dyno) => boolean): Promise<number> {
    const dynos = (await this.driver.listDynos(this.opts.installation, appId)).filter(match);
    for (const c of dynos) platformLog(appId, c.dyno, "Stopping");
    void Promise.all(dynos.map((c) => this.dynos.stopAndRemove(c))).then(() => this.reconcile(appId));
    return dynos.length;
  }

  /** Web dynos that may get requests: up, with an address, not being stopped. */
  routable(appId: string): { dyno: string; host: string; port: number }[] {
    return this.dynos.routable(appId);
  }

  /** How many entries the long-lived maps hold (bench/control-plane prints it; tests check the bounds). */
  footprint() {
    return {
      chains: this.chains.size,
      fingerprints: this.fingerprints.size,
      settled: this.settled.size,
      queued: this.queued.size,
      timers: this.timers.size,
      retiring: this.retiring.size,
      ...this.dynos.footprint(),
      ...this.pool.footprint(),
    };
  }

  /** The runtime view of one app's dynos (for the router table, tests and the API). */
  states(appId: string) {
    return this.dynos.states(appId);
  }

  // ---- one pass ------------------------------------------------------------------------

  private async pass(appId: string) {
    this.settled.delete(appId);
    // Read before the database: a change after it makes the next sweep's fingerprint differ.
    const fingerprint = this.fingerprints.get(appId);
    const desired = await loadDesiredApp(appId);
    const withOneOffs = await this.driver.listDynos(this.opts.installation, appId, { standbys: true });
    const standbys = withOneOffs.filter((c) => c.standby);
    const dynos = withOneOffs.filter((c) => !c.oneOff && !c.standby);
    const present = new Set(dynos.map((c) => c.id));
    this.dynos.forgetGone(appId, present);
    for (const c of dynos) await this.dynos.observe(c);
    for (const [id, owner] of this.retiring) if (owner === appId && !present.has(id)) this.retiring.delete(id);

    if (!desired) {
      // The app was destroyed: nothing of it may keep running, one-offs included (a dyno
      // still on the app's network would keep the network from going).
      await Promise.all(withOneOffs.map((c) => this.dynos.stopAndRemove(c, true)));
      await this.driver.removeApp(this.opts.installation, appId);
      for (const change of this.dynos.takeUnsynced(appId)) bus.emit("dynoRows", change);
      return;
    }

    const actionsBefore = this.dynos.actions;
    const wanted = new Map(desired.dynos.map((d) => [d.name, d]));
    const byName = groupBy(dynos, (c) => c.dyno);
    const work: Promise<unknown>[] = [];

    // Dynos nobody wants any more (scaled down, type removed): SIGTERM them.
    for (const [name, list] of byName) if (!wanted.has(name)) for (const c of list) work.push(this.dynos.stopAndRemove(c));

    const webPrebooting = desired.dynos.some((d) => d.type === "web" && (byName.get(d.name) ?? []).some((c) => this.isStale(c, d)));
    for (const d of desired.dynos) {
      work.push(this.converge(desired, d, byName.get(d.name) ?? [], webPrebooting, standbys));
    }
    await Promise.all(work);
    // The pool refills once every web dyno is up: a scale-up or a release's preboot first.
    const webUp = desired.dynos
      .filter((d) => d.type === "web")
      .every((d) => (byName.get(d.name) ?? []).some((c) => !this.isStale(c, d) && this.dynos.get(c.id)?.state === "up"));
    await this.pool.converge(desired, standbys, webUp && !webPrebooting);
    // Changes from here on are written by the next pass (each is followed by one).
    const changes = this.dynos.takeUnsynced(appId);
    // Nothing created, started or stopped (anywhere) since the list: it still says which
    // container is each dyno's — an idle sweep asks the runtime once per app, not twice.
    const listed = this.dynos.actions === actionsBefore ? dynos : undefined;
    await syncDynoRows(appId, desired, await this.primaries(desired, listed));
    for (const change of changes) bus.emit("dynoRows", change);
    // Converged, and nothing done to get there: each wanted dyno once, of its release,
    // running and up; no other. State changes up to here were just written; what the pool
    // does shows in the next listing as a change.
    const converged =
      listed !== undefined &&
      dynos.length === desired.dynos.length &&
      desired.dynos.every((d) => {
        const list = byName.get(d.name) ?? [];
        return list.length === 1 && !this.isStale(list[0]!, d) && list[0]!.status === "running" && this.dynos.get(list[0]!.id)?.state === "up";
      });
    if (converged && fingerprint !== undefined && !this.queued.has(appId)) this.settled.set(appId, { fingerprint, listing: listingOf(withOneOffs) });
  }

  private async converge(app: DesiredApp, d: DesiredDyno, list: Dyno[], webPrebooting: boolean, standbys: Dyno[]) {
    let matching = list.filter((c) => !this.isStale(c, d)).sort(preferLive);
    // A web dyno of this name still on its way out (scaled down a moment ago, draining) is
    // no primary when a standby of the name is ready: the standby takes its place at once
    // instead of after the drain and the SIGTERM grace.
    if (matching.some((c) => this.dynos.isStopping(c.id)) && this.pool.has(d, standbys)) matching = matching.filter((c) => !this.dynos.isStopping(c.id));
    const stale = list.filter((c) => this.isStale(c, d));
    const [primary, ...duplicates] = matching;
    for (const c of duplicates) await this.dynos.stopAndRemove(c, true);

    if (!primary) {
      if (d.type === "web") {
        // A ready standby of this name and release becomes it; else (and for preboot: the
        // new dyno starts next to the old one, which keeps serving) a new one starts.
        const standby = this.pool.take(d, standbys);
        if (standby && (await this.dynos.promote(standby, app, d))) return;
        await this.dynos.launch(app, d);
      } else if (webPrebooting) {
        return; // other types are replaced once web has moved over
      } else if (stale.some((c) => c.status !== "exited" && c.status !== "dead")) {
        for (const c of stale) void this.dynos.stopAndRemove(c);
      } else {
        for (const c of stale) await this.dynos.stopAndRemove(c, true);
        await this.dynos.launch(app, d);
      }
      return;
    }

    // A restart or a stop may have removed it since this pass observed it: the next pass sees.
    const t = this.dynos.get(primary.id);
    if (!t) return;
    if (primary.status === "created") {
      await this.dynos.start(primary.id, d, app.appId);
    } else if (t.state === "crashed") {
      await this.dynos.restartCrashedWhenDue(primary.id, d, app.appId);
    }
    // Old dynos of this name get SIGTERM only once the new one is up.
    if (stale.length && (d.type !== "web" || t.state === "up")) for (const c of stale) void this.dynos.stopAndRemove(c);
  }

  /** Replaced by a newer release or by a restart: goes once its successor is up (web). */
  private isStale(c: Dyno, d: DesiredDyno) {
    return c.spec !== d.spec || this.retiring.has(c.id);
  }

  private async primaries(desired: DesiredApp, listed?: Dyno[]) {
    const dynos = listed ?? (await this.driver.listDynos(this.opts.installation, desired.appId)).filter((c) => !c.oneOff);
    const out = new Map<string, { containerId: string; releaseId: string; tracked: ReturnType<DynoStates["get"]> }>();
    for (const d of desired.dynos) {
      const list = dynos.filter((c) => c.dyno === d.name);
      const live = list.filter((x) => !this.isStale(x, d)).sort(preferLive);
      // One on its way out is the row's only while nothing else has the name.
      const c = live.find((x) => !this.dynos.isStopping(x.id)) ?? live[0] ?? list.sort(preferLive)[0];
      if (c) out.set(d.name, { containerId: c.id, releaseId: c.releaseId, tracked: this.dynos.get(c.id) });
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

  /**
   * Dyno starts, exits (a crash, an OOM kill, `docker kill`/`stop` behind the platform's
   * back) and removals (`docker rm`) trigger a pass of their app at once; sweeps catch the
   * rest, often while the stream is down, rarely while it is up. When the runtime comes
   * back after an outage (a dockerd restart), every app is swept at once: events of the
   * gap are lost, and live-restored dynos are adopted as they are.
   */
  private watchEvents(): Promise<void> {
    return new Promise((resolve) => {
      const waited = setTimeout(resolve, EVENTS_CONNECT_WAIT_MS);
      this.events = this.driver.watchEvents(this.opts.installation, {
        onEvent: (e) => {
          const appId = e.labels.appId;
          if (!appId || this.closed) return;
          if (e.action === "start" || e.action === "die") bus.emit("container", { appId, id: e.id, action: e.action });
          if (e.labels.oneOff) return;
          // The Engine (20.10) tells of an exit before its container list says so: a pass
          // at once still listed the dyno as running and missed the crash (a sweep seconds
          // later found it). An inspect waits for the container's lock, which the Engine
          // holds until the exit is recorded everywhere; the pass after it sees the exit.
          if (e.action === "die" || e.action === "oom") void this.driver.inspectDyno(e.id).catch(() => null).then(() => this.reconcile(appId));
          else void this.reconcile(appId);
        },
        onConnected: ({ gap }) => {
          clearTimeout(waited);
          resolve();
          this.eventsConnected = true;
          bus.emit("runtimeEvents", { connected: true });
          // After a gap, or connected only after start() stopped waiting and swept: what
          // happened meanwhile came as no event.
          if ((gap || this.lastSweepAt > 0) && !this.closed) {
            if (gap) console.log("slipway: the runtime's event stream is back; sweeping every app");
            void this.sweep();
          }
        },
        onDisconnected: (err) => {
          this.eventsConnected = false;
          // What happens until the stream is back comes as no event: every app gets passes.
          this.settled.clear();
          bus.emit("runtimeEvents", { connected: false });
          if (!this.closed) console.error(`slipway: the runtime's event stream broke (${(err as Error)?.message ?? err}); reconnecting, sweeping every ${this.opts.sweepIntervalMs} ms meanwhile`);
        },
      });
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
function preferLive(a: Dyno, b: Dyno) {
  return (LIVE_ORDER[a.status] ?? 9) - (LIVE_ORDER[b.status] ?? 9) || b.createdAt - a.createdAt;
}

/** What a full sweep compares with a settled app's last pass: its containers and their states. */
function listingOf(dynos: Dyno[]): string {
  return dynos
    .map((c) => `${c.id} ${c.status}`)
    .sort()
    .join("\n");
}
