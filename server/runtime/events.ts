import "server-only";
// The internal event bus: platform log lines (dyno manager, router, API) and dyno state
// changes. The logs work carries these to users; the dashboard listens for state changes.
import { EventEmitter } from "node:events";

export type PlatformLogLine = {
  appId: string;
  /** "slipway" (dyno manager), "app" (dyno output), "slipway[router]", "app[api]" */
  source: string;
  dyno: string | null;
  message: string;
  at: Date;
  /** The µs within `at`'s ms, when the source knows them (router lines). */
  micros?: number;
};

export type DynoStateChange = { appId: string; dyno: string; from: string | null; to: string };

/** Something the routing table is made of changed for this app (dynos, domains, maintenance). */
export type RoutesChange = { appId: string };

/** The Engine started or stopped one of this installation's containers (dynos and one-offs). */
export type ContainerEvent = { appId: string; id: string; action: "start" | "die" };

/**
 * Someone's access changed (a member removed or demoted, a grant revoked, an app locked or
 * transferred, a team deleted, an API key revoked). Open streams of the users concerned
 * re-check their access at once and close if it is gone. Any field may be absent: a
 * missing one means "any" (e.g. `{ teamId }` alone: everyone on that team's apps).
 */
export type AccessChange = { userId?: string; appId?: string; teamId?: string };

type Events = {
  log: [PlatformLogLine];
  /** At the moment of the change, for in-memory readers (the routing table, crash markers). */
  dyno: [DynoStateChange];
  /** The same change once the Dyno rows say so: readers of the database (the dashboard) wait for this one. */
  dynoRows: [DynoStateChange];
  routes: [RoutesChange];
  container: [ContainerEvent];
  drains: [{ appId: string }];
  /** ACM turned on or off, or a domain added: the ACME client looks at once. */
  acm: [{ appId: string }];
  access: [AccessChange];
  /**
   * The dyno manager's Engine event stream connected (true) or broke (false). While it
   * flows, dyno starts and exits arrive as `container` events, and loops that list dynos
   * to find them (the log collector) only need to look now and then.
   */
  runtimeEvents: [{ connected: boolean }];
  /** A standby of the app's pool was prepared (or failed to be): tests and the dashboard's pool figure. */
  standby: [{ appId: string }];
};

const holder = globalThis as unknown as { slipwayBus?: EventEmitter<Events> };
export const bus: EventEmitter<Events> = (holder.slipwayBus ??= new EventEmitter<Events>().setMaxListeners(0));

// Whether the dyno manager's Engine event stream flows now (its last runtimeEvents said so).
let eventsFlowing = false;
bus.on("runtimeEvents", (e) => (eventsFlowing = e.connected));
/** The runtime's events flow: a start or exit of a container of this installation comes as a `container` event. */
export const runtimeEventsFlowing = () => eventsFlowing;

export function platformLog(appId: string, dyno: string | null, message: string, source = "slipway", at = new Date(), micros = 0) {
  const valid = !Number.isNaN(at.getTime());
  bus.emit("log", { appId, source, dyno, message, at: valid ? at : new Date(), micros: valid ? micros : 0 });
}

export function accessChanged(change: AccessChange) {
  bus.emit("access", change);
}
