import "server-only";
// Delivery to log drains: for every app with drains, each line of its log bus is pushed to
// each drain (a bounded queue per drain; a slow receiver loses its own lines, never anyone
// else's). Follows the drain list as it changes; status is kept here, live.
import { openDrain, refreshDockerSubnets, type Drain, type DrainLine, type DrainStatus } from "@/server/logs/drains";
import { subscribeLogs, type LogLine } from "@/server/logs/store";
import { bus } from "@/server/runtime/events";
import { drainTargets } from "@/server/services/log-drains";

type Open = { drain: Drain; target: string };
type AppDrains = { drains: Map<string, Open>; unsubscribe: () => void };

/** Our bus's source + dyno in the forms the frames are made from (slipway[router], app[api]). */
function toDrainLine(l: LogLine): DrainLine {
  const bracketed = (l.source === "slipway" && l.dyno === "router") || (l.source === "app" && l.dyno === "api");
  return { at: new Date(l.at), source: bracketed ? `${l.source}[${l.dyno}]` : l.source, dyno: bracketed ? null : l.dyno, message: l.message };
}

export class DrainManager {
  private apps = new Map<string, AppDrains>();
  private syncing = new Map<string, Promise<void>>();
  private closed = false;

  async start() {
    bus.on("drains", this.onChange);
    await refreshDockerSubnets(); // the address policy knows the Docker networks before the first connect
    const all = await drainTargets();
    await Promise.all([...new Set(all.map((d) => d.appId))].map((appId) => this.sync(appId)));
  }

  async close() {
    this.closed = true;
    bus.off("drains", this.onChange);
    const closing: Promise<void>[] = [];
    for (const app of this.apps.values()) {
      app.unsubscribe();
      for (const d of app.drains.values()) closing.push(d.drain.close());
    }
    this.apps.clear();
    await Promise.allSettled(closing);
  }

  /** Live delivery status of a drain; null when it is not open (yet). */
  status(drainId: string): DrainStatus | null {
    for (const app of this.apps.values()) {
      const d = app.drains.get(drainId);
      if (d) return d.drain.status();
    }
    return null;
  }

  private onChange = ({ appId }: { appId: string }) => void this.sync(appId);

  /** Opens new drains of the app and closes removed ones; one sync per app at a time. */
  sync(appId: string): Promise<void> {
    const previous = this.syncing.get(appId) ?? Promise.resolve();
    const next = previous.then(async () => {
      if (this.closed) return;
      try {
        const wanted = await drainTargets(appId);
        let app = this.apps.get(appId);
        if (!app && wanted.length) {
          const drains = new Map<string, Open>();
          const unsubscribe = subscribeLogs(appId, (line) => {
            const out = toDrainLine(line);
            for (const d of drains.values()) d.drain.push(out);
          });
          this.apps.set(appId, (app = { drains, unsubscribe }));
        }
        if (!app) return;
        for (const [id, d] of app.drains) {
          if (!wanted.some((w) => w.id === id && w.target === d.target)) {
            app.drains.delete(id);
            void d.drain.close();
          }
        }
        for (const w of wanted) {
          if (app.drains.has(w.id)) continue;
          try {
            app.drains.set(w.id, { drain: openDrain({ url: w.target, token: w.token }), target: w.target });
          } catch (err) {
            console.error(`slipway: could not open log drain ${w.url}`, (err as Error).message);
          }
        }
        if (!app.drains.size) {
          app.unsubscribe();
          this.apps.delete(appId);
        }
      } catch (err) {
        console.error(`slipway: could not load the log drains of ${appId}`, err);
      }
    });
    this.syncing.set(appId, next);
    return next;
  }
}

const holder = globalThis as unknown as { slipwayDrains?: DrainManager };
export function getDrainManager(): DrainManager | undefined {
  return holder.slipwayDrains;
}
export function setDrainManager(m: DrainManager | undefined) {
  holder.slipwayDrains = m;
}
