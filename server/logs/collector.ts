import "server-only";
// Dyno output into the log bus. Every running dyno of this installation is followed
// through the runtime driver's log stream with timestamps; the last timestamp taken from
// each dyno is its cursor (kept with the lines on disk), so following again — after a
// restart of the dyno, of the control plane or of the Engine (a follow ends when the
// Engine goes away; the next scan follows again) — starts where the last reader stopped
// and skips what it already has: no line lost, none twice.
import { appendLog, logCursor } from "@/server/logs/store";
import { runtimeDriver, type Dyno, type RuntimeDriver } from "@/server/runtime/driver";
import { bus } from "@/server/runtime/events";

type Follower = { abort: AbortController; done: Promise<void> };

/**
 * The scan's interval while the dyno manager's Engine events flow: a dyno's start reaches
 * the collector as a `container` event then, and a follow that ends asks for a scan of its
 * own, so the periodic list of every dyno (200 dynos: a large JSON every 2 s) is only a
 * safety net. When the stream breaks, scans go back to every scanIntervalMs.
 */
const EVENTS_SCAN_INTERVAL_MS = 30_000;

export class LogCollector {
  private followers = new Map<string, Follower>();
  private known = new Map<string, { appId: string; dyno: string }>();
  private timer: NodeJS.Timeout | undefined;
  private nextScanAt = 0;
  private eventsFlow = false;
  private unhook: (() => void) | undefined;
  private scanning: Promise<void> | null = null;
  private closed = false;
  /** The runtime is unreachable: said once, not every scan. */
  private unreachable = false;

  constructor(
    private readonly installation: string,
    private readonly scanIntervalMs = 2_000,
    private readonly driver: RuntimeDriver = runtimeDriver(),
  ) {}

  start() {
    bus.on("container", this.onContainer);
    bus.on("runtimeEvents", this.onRuntimeEvents);
    this.unhook = this.driver.onBeforeRemove((id) => this.finish(id));
    this.schedule(this.scanIntervalMs);
    return this.scan();
  }

  close() {
    this.closed = true;
    clearTimeout(this.timer);
    bus.off("container", this.onContainer);
    bus.off("runtimeEvents", this.onRuntimeEvents);
    this.unhook?.();
    for (const f of this.followers.values()) f.abort.abort();
  }

  private onContainer = (e: { id: string; action: string }) => {
    if (e.action === "start") void this.scan();
  };

  /** Connected again (after an Engine restart too): follow what runs now; broken: scan often. */
  private onRuntimeEvents = (e: { connected: boolean }) => {
    this.eventsFlow = e.connected;
    if (e.connected) void this.scan();
    this.schedule(this.interval(), !e.connected);
  };

  private interval() {
    return this.eventsFlow ? Math.max(this.scanIntervalMs, EVENTS_SCAN_INTERVAL_MS) : this.scanIntervalMs;
  }

  /** The next periodic scan in `ms` (`earlier`: only if that is sooner than the one planned). */
  private schedule(ms: number, earlier = false) {
    if (this.closed || (earlier && this.nextScanAt <= Date.now() + ms)) return;
    clearTimeout(this.timer);
    this.nextScanAt = Date.now() + ms;
    this.timer = setTimeout(() => {
      this.nextScanAt = Infinity; // none planned: one asked for during this scan stands
      void this.scan().finally(() => this.schedule(this.interval(), true));
    }, ms);
    this.timer.unref();
  }

  /** Follows every running container not followed yet. */
  scan(): Promise<void> {
    this.scanning ??= (async () => {
      try {
        const dynos = await this.driver.listDynos(this.installation);
        if (this.unreachable) console.log("slipway: the runtime answers again; following dyno output from each dyno's cursor");
        this.unreachable = false;
        // What exists now (removed dynos drop out): finish() reads the rest of these.
        this.known = new Map(dynos.map((c) => [c.id, { appId: c.appId, dyno: c.dyno }]));
        for (const c of dynos) if (c.status === "running" && !this.followers.has(c.id)) this.follow(c, true);
      } catch (err) {
        if (!this.closed && !this.unreachable) console.error("slipway: could not list dynos for their logs (retrying every scan)", err);
        this.unreachable = true;
      } finally {
        this.scanning = null;
      }
    })();
    return this.scanning;
  }

  /**
   * The container is about to be removed: let its stream deliver the rest (it ends once
   * the container has stopped), or read the rest once when nobody was following.
   */
  private async finish(id: string) {
    const following = this.followers.get(id);
    if (following) return following.done;
    const c = this.known.get(id);
    if (c) await this.follow({ id, ...c }, false).done;
  }

  private follow(c: Pick<Dyno, "id" | "appId" | "dyno">, live: boolean): Follower {
    const f: Follower = { abort: new AbortController(), done: Promise.resolve() };
    this.followers.set(c.id, f);
    f.done = (async () => {
      try {
        const lines = this.driver.dynoLogs(c.id, { follow: live, sinceNs: logCursor(c.appId, c.id), signal: f.abort.signal });
        for await (const line of lines) {
          const cursor = logCursor(c.appId, c.id);
          if (cursor !== undefined && line.ns <= cursor) continue; // already taken before a restart
          appendLog(c.appId, { at: line.at, source: "app", dyno: c.dyno, message: line.message, container: c.id, ns: line.ns });
        }
      } catch (err) {
        if (!this.closed && !/not found/i.test(String((err as Error).message))) console.error(`slipway: reading the output of ${c.dyno} failed`, err);
      } finally {
        if (this.followers.get(c.id) === f) this.followers.delete(c.id);
        // A follow that ended (the dyno stopped, the Engine went away, its log stream broke)
        // is followed again by a scan if the dyno still runs: soon, not at the next slow scan.
        if (live && !this.closed && this.eventsFlow) this.schedule(this.scanIntervalMs, true);
      }
    })();
    return f;
  }
}
