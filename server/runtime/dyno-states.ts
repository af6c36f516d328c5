import "server-only";
// The dyno state machine, as Heroku's dyno manager behaves: starting → up → crashed | down.
// A web dyno is up once it accepts TCP on $PORT, killed as R10 when it does not within the
// boot timeout; a crash restarts at once the first time, then after a cool-off that doubles
// up to a cap; an out-of-memory kill is logged as R15; a dyno being stopped is drained from
// the router first. Driver-agnostic: it acts through the RuntimeDriver only. The per-app
// convergence pass (reconciler.ts) decides *which* dynos to launch, start or stop.
import { dynoSpecOf, type DesiredApp, type DesiredDyno } from "@/server/runtime/desired";
import type { Dyno, DynoAddress, RuntimeDriver } from "@/server/runtime/driver";
import { loadCrashState } from "@/server/runtime/dyno-rows";
import { bus, platformLog, type DynoStateChange } from "@/server/runtime/events";
import { waitForPort } from "@/server/runtime/port-check";
import type { RuntimeOptions } from "@/server/runtime/reconciler";

export type DynoState = "starting" | "up" | "crashed" | "down";

export type Tracked = {
  appId: string;
  dyno: string;
  type: string;
  state: DynoState;
  restartCount: number;
  nextRestartAt: number | null;
  exitCode: number | null;
  /** Where the router reaches it, once it is up (web dynos). */
  address?: DynoAddress | null;
};

type Hooks = {
  /** Asks for a pass of the app (after a boot check ends). */
  reconcile: (appId: string) => void;
  /** Asks for a pass of the app in `ms` (a crash cool-off ending). */
  wake: (appId: string, ms: number) => void;
  closed: () => boolean;
};

export class DynoStates {
  private tracked = new Map<string, Tracked>(); // by dyno id
  private stopping = new Set<string>();
  private watching = new Set<string>();
  /** State changes per app not yet in the Dyno rows (see changed()). */
  private unsynced = new Map<string, DynoStateChange[]>();
  /** Creates, starts and stops asked of the runtime so far: unchanged, a list taken earlier still holds. */
  actions = 0;

  constructor(
    private readonly opts: RuntimeOptions,
    private readonly driver: RuntimeDriver,
    private readonly hooks: Hooks,
  ) {}

  get(id: string): Tracked | undefined {
    return this.tracked.get(id);
  }

  /** Being stopped and removed (scaled down, replaced, stopped): on its way out. */
  isStopping(id: string): boolean {
    return this.stopping.has(id);
  }

  // routable() and states() run for every app at each routing-table publish (every 5 s and
  // on dyno events): a plain loop, not a copy of every tracked dyno per call.
  /** Web dynos that may get requests: up, with an address, not being stopped. */
  routable(appId: string): { dyno: string; host: string; port: number }[] {
    const web: { dyno: string; host: string; port: number }[] = [];
    for (const [id, t] of this.tracked) {
      if (t.appId === appId && t.type === "web" && t.state === "up" && t.address && !this.stopping.has(id)) web.push({ dyno: t.dyno, host: t.address.host, port: t.address.port });
    }
    return web.sort((a, b) => a.dyno.localeCompare(b.dyno, undefined, { numeric: true }));
  }

  states(appId: string) {
    const states: (Tracked & { dynoId: string })[] = [];
    for (const [id, t] of this.tracked) if (t.appId === appId) states.push({ dynoId: id, ...t });
    return states;
  }

  /**
   * Forgets the app's dynos the runtime no longer lists and nobody here is stopping: ones
   * removed behind the dyno manager's back (`docker rm`, an Engine restart without live
   * restore) otherwise stayed tracked for the life of the process.
   */
  forgetGone(appId: string, present: Set<string>) {
    for (const [id, t] of this.tracked) {
      if (t.appId === appId && !present.has(id) && !this.stopping.has(id)) this.tracked.delete(id);
    }
  }

  footprint() {
    return { tracked: this.tracked.size, stopping: this.stopping.size, watching: this.watching.size, unsynced: this.unsynced.size };
  }

  /** Rebuilds (or refreshes) what we know of a dyno from the runtime. */
  async observe(c: Dyno) {
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

  /** A crashed dyno starts again once its cool-off is over (a pass is asked for then). */
  async restartCrashedWhenDue(id: string, d: DesiredDyno, appId: string) {
    const t = this.tracked.get(id);
    if (!t || t.state !== "crashed") return;
    if (t.nextRestartAt !== null && t.nextRestartAt > Date.now()) {
      this.hooks.wake(appId, t.nextRestartAt - Date.now());
      return;
    }
    t.restartCount += 1;
    t.nextRestartAt = null;
    await this.start(id, d, appId);
  }

  /** Creates and starts a new dyno of the app's current release. */
  async launch(app: DesiredApp, d: DesiredDyno) {
    this.actions++;
    const id = await this.driver.createDyno(dynoSpecOf(this.opts, app, d));
    const t: Tracked = { appId: app.appId, dyno: d.name, type: d.type, state: "starting", restartCount: 0, nextRestartAt: null, exitCode: null };
    this.tracked.set(id, t);
    this.changed({ appId: app.appId, dyno: d.name, from: null, to: "starting" });
    await this.start(id, d, app.appId);
  }

  /**
   * Makes a standby of the app's pool this dyno (standby-pool.ts): thawed and renamed by the
   * driver, then tracked and boot-checked as a new one (a paused one accepts $PORT at once).
   * False when it could not be (gone): the caller launches a new one instead.
   */
  async promote(c: Dyno, app: DesiredApp, d: DesiredDyno): Promise<boolean> {
    this.actions++;
    try {
      await this.driver.promoteDyno!(c.id);
    } catch (err) {
      console.error(`slipway: standby ${d.name} of ${app.appName} could not be promoted; starting a new one`, err);
      await this.driver.removeDyno(c.id).catch(() => undefined);
      return false;
    }
    const t: Tracked = { appId: app.appId, dyno: d.name, type: d.type, state: "starting", restartCount: 0, nextRestartAt: null, exitCode: null };
    this.tracked.set(c.id, t);
    this.changed({ appId: app.appId, dyno: d.name, from: null, to: "starting" });
    // The log collector follows it from now on (its boot output included).
    bus.emit("container", { appId: app.appId, id: c.id, action: "start" });
    if (c.status === "created") {
      await this.start(c.id, d, app.appId);
    } else {
      platformLog(app.appId, d.name, `Starting process with command \`${d.command}\` (a standby, booted before)`);
      this.watchBoot(c.id, app.appId, d.name, false);
    }
    return true;
  }

  /** Starts a created or exited dyno: web dynos then wait for their port, others are up. */
  async start(id: string, d: DesiredDyno, appId: string) {
    this.actions++;
    const t = this.tracked.get(id)!;
    platformLog(appId, d.name, `Starting process with command \`${d.command}\``);
    this.setState(t, "starting");
    await this.driver.startDyno(id);
    if (d.type === "web") this.watchBoot(id, appId, d.name, false);
    else this.setState(t, "up");
  }

  /** SIGTERM (after the router's drain for an up web dyno), SIGKILL after the grace, removal. */
  async stopAndRemove(c: Dyno, immediately = false) {
    this.actions++;
    const t = this.tracked.get(c.id);
    if (this.stopping.has(c.id) && !immediately) return;
    this.stopping.add(c.id);
    try {
      // Out of the routing table first, and the router's requests in flight to it finished
      // (drain waits for both, bounded); only then SIGTERM, which a dyno may obey at once.
      if (!immediately && c.type === "web" && t?.state === "up" && this.opts.drain) await this.opts.drain(c.appId);
      if (c.status === "running" || c.status === "restarting" || c.status === "paused") {
        platformLog(c.appId, c.dyno, "Stopping all processes with SIGTERM");
        await this.driver.stopDyno(c.id, immediately ? 0 : this.opts.stopTimeoutSeconds);
        if (t && (t.state === "starting" || t.state === "up")) await this.onExit(c.id, t);
      }
      await this.driver.removeDyno(c.id);
    } finally {
      this.tracked.delete(c.id);
      this.stopping.delete(c.id);
    }
  }

  /** Takes the changes not yet announced on `dynoRows`; announce them once the rows are written. */
  takeUnsynced(appId: string): DynoStateChange[] {
    const changes = this.unsynced.get(appId) ?? [];
    this.unsynced.delete(appId);
    return changes;
  }

  private async onExit(id: string, t: Tracked) {
    const info = await this.driver.inspectDyno(id).catch(() => null);
    const code = info?.exitCode ?? -1;
    t.exitCode = code;
    if (info?.oomKilled) {
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
    if (delay > 0) this.hooks.wake(t.appId, delay);
  }

  /** A web dyno is up once it accepts TCP on $PORT; not within the boot timeout → R10. */
  private watchBoot(id: string, appId: string, dyno: string, resumed: boolean) {
    if (this.watching.has(id)) return;
    this.watching.add(id);
    void (async () => {
      try {
        const info = resumed ? await this.driver.inspectDyno(id) : null;
        const started = info?.startedAt ?? Date.now();
        // An adopted dyno that has run longer than the boot timeout already booted under
        // an earlier control plane: give it a short probe, never an R10.
        const bootedLongAgo = resumed && Date.now() - started > this.opts.bootTimeoutMs;
        const deadline = bootedLongAgo ? Date.now() + 10_000 : started + this.opts.bootTimeoutMs;
        const address = await waitForPort(this.driver, id, this.opts.port, deadline, () => {
          const t = this.tracked.get(id);
          return this.hooks.closed() || !t || t.state !== "starting";
        });
        const t = this.tracked.get(id);
        if (!t || this.hooks.closed() || t.state !== "starting") return;
        if (address || bootedLongAgo) {
          if (!address) console.error(`slipway: adopted ${dyno} does not accept connections on $PORT; leaving it running`);
          t.address = address ?? (await this.driver.dynoAddress(id, this.opts.port));
          this.setState(t, "up");
        } else {
          const seconds = Math.round(this.opts.bootTimeoutMs / 1000);
          platformLog(appId, dyno, `Error R10 (Boot timeout) -> Web process failed to bind to $PORT within ${seconds} seconds of launch`);
          platformLog(appId, dyno, "Stopping process with SIGKILL");
          await this.driver.killDyno(id);
        }
      } catch (err) {
        console.error(`slipway: boot check of ${dyno} failed`, err);
      } finally {
        this.watching.delete(id);
        this.hooks.reconcile(appId);
      }
    })();
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
}
