import "server-only";
// The standby pool (issue 18): an app that opts in (App.standbyDynos > 0) keeps that many web
// dynos of its current release booted and frozen (`docker pause`: the cgroup freezer), so a
// scale-up promotes them in milliseconds instead of waiting for containers to start and Node
// to boot one after another.
//
// Identity. A standby is created as the dyno it will become: the next names the formation
// would take (web.Q+1 … web.Q+N for Q web dynos), so its labels (immutable) and its $DYNO
// (fixed when its process started) are already right once promoted. The one thing that says
// "not yet" is the end of its container name (STANDBY_NAME_SUFFIX), which the Engine lets us
// change: promotion thaws it and renames it, and from then on it is a plain formation dyno
// to everything (the dyno rows, `ps`, the router, logs, metrics, a control plane that
// restarts). Until then `listDynos` leaves it out, the dyno manager never tracks it (so the
// router never has it) and no Dyno row names it.
//
// Lifecycle. A pass of the reconciler promotes a ready standby of the same name and spec
// before it would launch a new dyno; then converge() removes the standbys the pool no
// longer wants (another release or size, a name the formation now uses, a pool made smaller,
// a crashed or half-booted one this process is not preparing) and, once every web dyno is
// up (a scale-up or a release's preboot gets the CPU first), prepares the missing ones.
//
// Same dyno as any other: created by the same driver call (limits, network, user, no Docker
// socket), only held. A driver without pause/promote (swarm) has no pool: sizes are ignored,
// said once per app.
import { dynoSpecOf, type DesiredApp, type DesiredDyno } from "@/server/runtime/desired";
import type { Dyno, RuntimeDriver } from "@/server/runtime/driver";
import { bus } from "@/server/runtime/events";
import { waitForPort } from "@/server/runtime/port-check";
import type { RuntimeOptions } from "@/server/runtime/reconciler";

/**
 * paused: created, started, booted until it accepts $PORT, then frozen (promotion: thaw).
 * created: created only (promotion: start, then the normal boot). Kept for bench/scale's
 * comparison; paused is the default because it is the one that meets the goal.
 */
export type StandbyMode = "paused" | "created";

/** After a standby failed to boot, the pool waits this long (a sweep refills it then). */
const COOL_OFF_MS = 60_000;

type Preparing = { id?: string; cancelled: boolean };

type Hooks = { reconcile: (appId: string) => void; closed: () => boolean };

export class StandbyPool {
  /**
   * Standbys this process is preparing, per app and name, from before their dyno exists (a
   * pass may list it between its creation and the Engine's answer: it is ours, not a
   * leftover to remove); `cancelled` once the pool gave it up.
   */
  private pending = new Map<string, Map<string, Preparing>>();
  private warned = new Set<string>();
  /** Standbys being prepared, awaited by close(): none is left half-made behind a closed dyno manager. */
  private inflight = new Set<Promise<void>>();
  /** A standby that failed to boot: the app's pool is not refilled before this (a crashing release must not loop). */
  private coolOff = new Map<string, number>();

  constructor(
    private readonly opts: RuntimeOptions,
    private readonly driver: RuntimeDriver,
    private readonly hooks: Hooks,
  ) {}

  get mode(): StandbyMode {
    return this.opts.standbyMode ?? "paused";
  }

  get supported() {
    return !!this.driver.pauseDyno && !!this.driver.promoteDyno;
  }

  /** Whether a ready standby for `d` (same name, same spec) is among `standbys`. */
  has(d: DesiredDyno, standbys: Dyno[]): boolean {
    return this.supported && d.type === "web" && standbys.some((c) => c.dyno === d.name && c.spec === d.spec && this.isReady(c));
  }

  /** A ready standby for `d`, taken out of `standbys`; promote it. */
  take(d: DesiredDyno, standbys: Dyno[]): Dyno | undefined {
    if (!this.has(d, standbys)) return undefined;
    const i = standbys.findIndex((c) => c.dyno === d.name && c.spec === d.spec && this.isReady(c));
    return standbys.splice(i, 1)[0];
  }

  /** Removes the standbys the pool does not want; prepares the missing ones once `settled`. */
  async converge(app: DesiredApp, standbys: Dyno[], settled: boolean) {
    if (app.standby && !this.supported && !this.warned.has(app.appId)) {
      this.warned.add(app.appId);
      console.log(`slipway: ${app.appName} asks for ${app.standby.count} standby dynos; the ${this.driver.name} runtime has no standby pool (ignored)`);
    }
    const want = this.supported && app.release ? (app.standby?.dynos ?? []) : [];
    if (!app.standby) {
      this.warned.delete(app.appId);
      this.coolOff.delete(app.appId);
    }
    const wanted = new Map(want.map((d) => [d.name, d]));
    const kept = new Set<string>();
    const removals: Promise<unknown>[] = [];
    const pending = this.pending.get(app.appId);
    for (const c of [...standbys].sort((a, b) => Number(this.isReady(b)) - Number(this.isReady(a)))) {
      const d = wanted.get(c.dyno);
      const p = pending?.get(c.dyno);
      const mine = p && (p.id === undefined || p.id === c.id) ? p : undefined;
      if (d && c.spec === d.spec && !kept.has(c.dyno) && (mine || this.isReady(c))) {
        kept.add(c.dyno);
        continue;
      }
      if (mine) mine.cancelled = true;
      removals.push(this.driver.removeDyno(c.id));
    }
    await Promise.all(removals);
    const until = this.coolOff.get(app.appId);
    if (until && until <= Date.now()) this.coolOff.delete(app.appId);
    if (!settled || this.hooks.closed() || (until && until > Date.now())) return;
    for (const d of want) {
      if (kept.has(d.name) || pending?.has(d.name)) continue;
      const work = this.prepare(app, d);
      this.inflight.add(work);
      void work.finally(() => this.inflight.delete(work));
    }
  }

  /** Waits for the standbys being prepared: each is finished or, the manager being closed, removed. */
  async close() {
    await Promise.allSettled([...this.inflight]);
  }

  footprint() {
    return { standbyApps: this.pending.size, standbyCoolOffs: this.coolOff.size };
  }

  private isReady(c: Dyno) {
    const p = this.pending.get(c.appId)?.get(c.dyno);
    return (!p || (p.id !== undefined && p.id !== c.id)) && c.status === (this.mode === "paused" ? "paused" : "created");
  }

  private async prepare(app: DesiredApp, d: DesiredDyno) {
    const names = this.pending.get(app.appId) ?? new Map<string, Preparing>();
    const entry: Preparing = { cancelled: false };
    this.pending.set(app.appId, names.set(d.name, entry));
    let id: string | undefined;
    try {
      id = entry.id = await this.driver.createDyno({ ...dynoSpecOf(this.opts, app, d), standby: true });
      if (this.hooks.closed() || entry.cancelled) throw new Error("no longer wanted");
      if (this.mode === "paused") {
        await this.driver.startDyno(id);
        const deadline = Date.now() + this.opts.bootTimeoutMs;
        const address = await waitForPort(this.driver, id, this.opts.port, deadline, () => this.hooks.closed() || entry.cancelled);
        if (!address) throw new Error(entry.cancelled ? "no longer wanted" : "it did not accept connections on $PORT within the boot timeout");
        await this.driver.pauseDyno!(id);
      }
    } catch (err) {
      if (id) await this.driver.removeDyno(id).catch(() => undefined);
      if (!entry.cancelled && !this.hooks.closed()) {
        this.coolOff.set(app.appId, Date.now() + COOL_OFF_MS);
        console.error(`slipway: standby ${d.name} of ${app.appName} could not be prepared: ${(err as Error).message}`);
      }
    } finally {
      names.delete(d.name);
      if (!names.size) this.pending.delete(app.appId);
      bus.emit("standby", { appId: app.appId });
      if (!this.hooks.closed()) this.hooks.reconcile(app.appId);
    }
  }
}
