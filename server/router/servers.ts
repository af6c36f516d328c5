// Dyno changes without a reload: when a new routing table differs from the live one only in
// which web dynos an app has (none included: haproxy.ts serves the H14/H10 page from any
// backend idle.map marks as having none), the router changes the running HAProxy worker's servers
// through its runtime API (`add server`, `set server … state maint`, `del server`, and
// `set map` for why an app has no dyno) instead of reloading. A reload hands the listeners
// to a new worker and the old one is stopped after `hard-stop-after`, cutting WebSockets and
// long responses of every app. No server-only: the router imports it.
import { backendName } from "@/server/router/haproxy";
import { sameCertificates, type RoutedApp, type RoutingTable } from "@/server/router/protocol";

/** backend → server name → "host:port", for the servers taking requests. */
export type Servers = Map<string, Map<string, string>>;

/** The servers a freshly rendered configuration has (named as haproxy.ts's backend() names them). */
export function configuredServers(table: RoutingTable): Servers {
  return new Map(
    table.apps.map((a) => {
      const seen = new Map<string, number>();
      const servers = a.web.map((t): [string, string] => {
        const n = (seen.get(t.dyno) ?? 0) + 1;
        seen.set(t.dyno, n);
        return [n === 1 ? t.dyno : `${t.dyno}_${n}`, `${t.host}:${t.port}`];
      });
      return [backendName(a.id), new Map(servers)];
    }),
  );
}

export type ServerChange =
  | { op: "add"; backend: string; server: string; addr: string }
  | { op: "remove"; backend: string; server: string }
  /** Why the app has no dyno up (H10 "crashed" or H14 "none"; null: it has some). */
  | { op: "idle"; backend: string; idle: RoutedApp["idle"] };

/**
 * What takes a worker running `from` (whose servers are `live`; `taken` are the names it
 * still has, removed ones included) to `to`, or null when something else changed (apps,
 * hostnames, maintenance, TLS settings, certificates): that needs a reload. An app gaining
 * its first dyno or losing its last is a server change like any other. Additions come
 * first, so a backend is never without a server midway, then why an app has none (before
 * its last server goes, so the first request after it gets the right page).
 */
export function serverChanges(from: RoutingTable, to: RoutingTable, live: Servers, taken: Map<string, Set<string>>): ServerChange[] | null {
  if (from.apps.length !== to.apps.length || !sameCertificates(from, to)) return null;
  const adds: ServerChange[] = [];
  const idles: ServerChange[] = [];
  const removes: ServerChange[] = [];
  for (const [i, next] of to.apps.entries()) {
    const prev = from.apps[i]!;
    const { web: _a, idle: idlePrev, ...restPrev } = prev;
    const { web: _b, idle: idleNext, ...restNext } = next;
    if (JSON.stringify(restPrev) !== JSON.stringify(restNext)) return null;
    const backend = backendName(next.id);
    if (idlePrev !== idleNext) idles.push({ op: "idle", backend, idle: idleNext });
    const current = [...(live.get(backend) ?? new Map<string, string>())];
    const names = new Set(taken.get(backend));
    const kept = new Set<string>();
    for (const t of next.web) {
      const addr = `${t.host}:${t.port}`;
      const match = current.find(([name, a]) => a === addr && name.replace(/_\d+$/, "") === t.dyno && !kept.has(name));
      if (match) {
        kept.add(match[0]);
        continue;
      }
      let server = t.dyno;
      for (let n = 2; names.has(server); n++) server = `${t.dyno}_${n}`;
      names.add(server);
      adds.push({ op: "add", backend, server, addr });
    }
    for (const [name] of current) if (!kept.has(name)) removes.push({ op: "remove", backend, server: name });
  }
  return [...adds, ...idles, ...removes];
}
