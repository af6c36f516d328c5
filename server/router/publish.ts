import "server-only";
// The control plane's half of routing: the routing table (apps, their hostnames,
// maintenance, the web dynos that are up) written for the router process whenever any of
// it changes, and every few seconds besides.
import { db } from "@/server/db";
import { dataDir } from "@/server/env";
import { defaultHostname } from "@/server/services/domains";
import { getRuntime } from "@/server/runtime";
import { bus } from "@/server/runtime/events";
import { readJsonFile, readTable, routerFile, sameRoutes, writeTable, type Applied, type Draining, type RoutedApp, type RoutingTable } from "@/server/router/protocol";
import { acmeChallenges, dashboardCertificate } from "@/server/services/acme";
import { routedCertificates } from "@/server/services/certificates";

export async function buildTable(version: number): Promise<RoutingTable> {
  const runtime = getRuntime();
  const apps = await db.app.findMany({
    select: { id: true, name: true, maintenance: true, sslRedirect: true, hsts: true, domains: { select: { hostname: true }, orderBy: { hostname: "asc" } } },
    orderBy: { name: "asc" },
  });
  const routed = apps.map((a) => {
    const web = runtime?.routable(a.id) ?? [];
    const crashed = runtime?.states(a.id).some((s) => s.type === "web" && s.state === "crashed") ?? false;
    return {
      id: a.id,
      name: a.name,
      hostnames: [defaultHostname(a.name), ...a.domains.map((d) => d.hostname.toLowerCase())],
      maintenance: a.maintenance,
      web,
      idle: web.length ? null : crashed ? "crashed" : "none",
      tls: { redirect: a.sslRedirect, hsts: a.hsts },
    } satisfies RoutedApp;
  });
  const dashboard = dashboardCertificate();
  const certificates = [...(dashboard ? [dashboard] : []), ...(await routedCertificates(routed))];
  return { version, generatedAt: new Date().toISOString(), apps: routed, certificates, challenges: acmeChallenges() };
}

type Publisher = { publish: () => Promise<RoutingTable | null>; stop: () => void };
const holder = globalThis as unknown as { slipwayRoutes?: Publisher };

/**
 * Keeps the table current: on dyno and route events (coalesced), and every `intervalMs`.
 * The first table waits (at most `settleMs`) for dynos the previous one routes to (see
 * `previousTargetsSettled`).
 */
export function startPublishing(intervalMs = 5_000, settleMs = 15_000) {
  if (holder.slipwayRoutes) return holder.slipwayRoutes.stop;
  let pending: NodeJS.Timeout | null = null;
  let chain: Promise<unknown> = previousTargetsSettled(settleMs);
  // Serialized, so versions only go up. `force` writes even when the routes are the same
  // (a caller waiting for the router's acknowledgement needs a new version).
  const write = (force: boolean) => {
    const run = chain.then(async () => {
      try {
        const current = readTable(dataDir());
        const next = await buildTable((current?.version ?? 0) + 1);
        if (!force && sameRoutes(current, next)) return current;
        writeTable(dataDir(), next);
        return next;
      } catch (err) {
        console.error("slipway: could not publish the routing table", err);
        return null;
      }
    });
    chain = run;
    return run;
  };
  const soon = () => {
    pending ??= setTimeout(() => {
      pending = null;
      void write(false);
    }, 20);
  };
  bus.on("dyno", soon);
  bus.on("routes", soon);
  const timer = setInterval(() => void write(false), intervalMs);
  timer.unref();
  void write(false);
  const stop = () => {
    clearInterval(timer);
    if (pending) clearTimeout(pending);
    bus.off("dyno", soon);
    bus.off("routes", soon);
    holder.slipwayRoutes = undefined;
  };
  holder.slipwayRoutes = { publish: () => write(true), stop };
  return stop;
}

/**
 * After a control-plane restart the runtime adopts running web dynos as `starting` until it
 * has probed them again, so a table built at once would send their apps to H14 while they
 * serve perfectly well. The router keeps routing with the previous table meanwhile: wait
 * until every dyno that table routes to is up again or no longer starting (stopped,
 * crashed, gone), at most `maxMs` (a dyno whose probe hangs must not freeze routing).
 */
async function previousTargetsSettled(maxMs: number) {
  const previous = readTable(dataDir());
  const deadline = Date.now() + maxMs;
  const reprobing = () => {
    const runtime = getRuntime();
    if (!runtime || !previous) return false;
    return previous.apps.some((a) => {
      const starting = new Set(runtime.states(a.id).filter((s) => s.type === "web" && s.state === "starting").map((s) => s.dyno));
      return a.web.some((t) => starting.has(t.dyno));
    });
  };
  while (reprobing() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

/** The table version the router process says is live (router/applied.json), or 0. */
export function appliedVersion(): number {
  return readJsonFile<Applied>(routerFile(dataDir(), "applied"))?.version ?? 0;
}

/**
 * Publishes the table now and waits (at most `maxMs`) until the router has it live: called
 * before a web dyno gets SIGTERM, so no new request reaches it. False when the router did
 * not confirm in time (it may not be running).
 */
export async function publishAndWaitForRouter(maxMs: number): Promise<boolean> {
  const table = await holder.slipwayRoutes?.publish();
  if (!table) return false;
  return waitUntil(Date.now() + maxMs, () => appliedVersion() >= table.version);
}

/** What the router says is still in flight to dynos it no longer routes to (router/draining.json). */
export function draining(): Draining | null {
  return readJsonFile<Draining>(routerFile(dataDir(), "draining"));
}

/**
 * The runtime's `drain` before a web dyno of `appId` gets SIGTERM: out of the routing table
 * (the router confirms within `ackMs`), then the requests it is still serving finish, as
 * Heroku drains a dyno before stopping it. Bounded by `maxMs` in all (default the router's
 * 30 s timeout: no request may take longer). False when either did not happen in time.
 */
export async function drainForStop(appId: string, opts: { ackMs: number; maxMs?: number }): Promise<boolean> {
  const start = Date.now();
  const table = await holder.slipwayRoutes?.publish();
  if (!table) return false;
  if (!(await waitUntil(start + opts.ackMs, () => appliedVersion() >= table.version))) return false;
  return waitUntil(start + (opts.maxMs ?? 30_000), () => {
    const d = draining();
    return !!d && d.version >= table.version && !d.busy.some((b) => b.appId === appId);
  });
}

async function waitUntil(deadline: number, done: () => boolean): Promise<boolean> {
  while (Date.now() < deadline) {
    if (done()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return done();
}
