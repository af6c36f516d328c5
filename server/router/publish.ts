import "server-only";
// The control plane's half of routing: the routing table (apps, their hostnames,
// maintenance, the web dynos that are up) written for the router process whenever any of
// it changes, and every few seconds besides.
import { db } from "@/server/db";
import { dataDir } from "@/server/env";
import { defaultHostname } from "@/server/services/domains";
import { getRuntime } from "@/server/runtime";
import { bus } from "@/server/runtime/events";
import { readTable, sameRoutes, writeTable, type RoutingTable } from "@/server/router/table";

export async function buildTable(version: number): Promise<RoutingTable> {
  const runtime = getRuntime();
  const apps = await db.app.findMany({
    select: { id: true, name: true, maintenance: true, domains: { select: { hostname: true }, orderBy: { hostname: "asc" } } },
    orderBy: { name: "asc" },
  });
  return {
    version,
    generatedAt: new Date().toISOString(),
    apps: apps.map((a) => {
      const web = runtime?.routable(a.id) ?? [];
      const crashed = runtime?.states(a.id).some((s) => s.type === "web" && s.state === "crashed") ?? false;
      return {
        id: a.id,
        name: a.name,
        hostnames: [defaultHostname(a.name), ...a.domains.map((d) => d.hostname.toLowerCase())],
        maintenance: a.maintenance,
        web,
        idle: web.length ? null : crashed ? "crashed" : "none",
      };
    }),
  };
}

const holder = globalThis as unknown as { slipwayRoutes?: { timer: NodeJS.Timeout; stop: () => void } };

/** Keeps the table current: on dyno and route events (coalesced), and every `intervalMs`. */
export function startPublishing(intervalMs = 5_000) {
  if (holder.slipwayRoutes) return holder.slipwayRoutes.stop;
  let version = readTable(dataDir())?.version ?? 0;
  let pending: NodeJS.Timeout | null = null;
  let running: Promise<void> = Promise.resolve();
  const publish = () => {
    running = running.then(async () => {
      try {
        const next = await buildTable(version + 1);
        if (sameRoutes(readTable(dataDir()), next)) return;
        version = next.version;
        writeTable(dataDir(), next);
      } catch (err) {
        console.error("slipway: could not publish the routing table", err);
      }
    });
  };
  const soon = () => {
    pending ??= setTimeout(() => {
      pending = null;
      publish();
    }, 20);
  };
  bus.on("dyno", soon);
  bus.on("routes", soon);
  const timer = setInterval(publish, intervalMs);
  timer.unref();
  publish();
  const stop = () => {
    clearInterval(timer);
    bus.off("dyno", soon);
    bus.off("routes", soon);
    holder.slipwayRoutes = undefined;
  };
  holder.slipwayRoutes = { timer, stop };
  return stop;
}

/** Publishes now and resolves once written (tests). */
export async function publishNow() {
  const version = (readTable(dataDir())?.version ?? 0) + 1;
  const next = await buildTable(version);
  writeTable(dataDir(), next);
  return next;
}
