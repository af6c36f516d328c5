// The routing table: what the control plane publishes and the router process reads. A
// JSON file in the data directory, replaced atomically, so the router keeps routing with
// the last table when the control plane is down. No server-only: the router imports it.
import fs from "node:fs";
import path from "node:path";

export type RouteTarget = { dyno: string; host: string; port: number };

export type RoutedApp = {
  id: string;
  name: string;
  /** Every Host this app answers: <name>.<base domain> and its custom domains. */
  hostnames: string[];
  maintenance: boolean;
  /** Web dynos in state `up` (and not being stopped). */
  web: RouteTarget[];
  /** Why there is nothing to route to: "crashed" (H10) or "none" (H14). */
  idle: "crashed" | "none" | null;
};

export type RoutingTable = { version: number; generatedAt: string; apps: RoutedApp[] };

export function routerDir(dataDir: string) {
  return path.join(dataDir, "router");
}

export function tablePath(dataDir: string) {
  return path.join(routerDir(dataDir), "table.json");
}

export function writeTable(dataDir: string, table: RoutingTable) {
  const file = tablePath(dataDir);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(table));
  fs.renameSync(tmp, file);
}

export function readTable(dataDir: string): RoutingTable | null {
  try {
    return JSON.parse(fs.readFileSync(tablePath(dataDir), "utf8")) as RoutingTable;
  } catch {
    return null;
  }
}

/** Same routes (ignoring version and time)? Saves the router a reload. */
export function sameRoutes(a: RoutingTable | null, b: RoutingTable | null) {
  return JSON.stringify(a?.apps ?? null) === JSON.stringify(b?.apps ?? null);
}
