// The router's file protocol: the files the control plane and the router process exchange
// in $SLIPWAY_DATA_DIR/router/, their names and their types, in one place for both sides.
// Every JSON file is replaced atomically (written aside, then renamed), so a reader sees
// the previous whole file or the next one, never a torn one; either side may be down and
// the other keeps working with the last file. No server-only: the router imports it.
//
//   file            written by      read by          what
//   table.json      control plane   router           the routing table (RoutingTable)
//   applied.json    router          control plane    the table version live in HAProxy (Applied)
//   draining.json   router          control plane    requests still in flight to dynos out of the table (Draining)
//   stats.json      router          control plane    per-app request counters since the router started (RouterStats)
//   requests.log    router          control plane    one line per request (RequestLogLine), rotated to requests.log.1
//   proxy/          router          router, tests    HAProxy's config, pid file and sockets
import fs from "node:fs";
import path from "node:path";

export const ROUTER_FILES = {
  table: "table.json",
  applied: "applied.json",
  draining: "draining.json",
  stats: "stats.json",
  requests: "requests.log",
  proxy: "proxy",
} as const;

export function routerDir(dataDir: string) {
  return path.join(dataDir, "router");
}

/** The path of one of the protocol's files. */
export function routerFile(dataDir: string, name: keyof typeof ROUTER_FILES) {
  return path.join(routerDir(dataDir), ROUTER_FILES[name]);
}

// ---- table.json ----------------------------------------------------------------------

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
  /** HTTPS settings: plain HTTP requests redirected (308) to HTTPS; HSTS sent over HTTPS. */
  tls?: { redirect: boolean; hsts: boolean };
};

/**
 * A certificate the router serves over SNI for `hostnames` (the app's hostnames it covers):
 * `pem` is the chain, leaf first, then the private key, as HAProxy reads it. Only in
 * table.json (mode 0600) and the router's proxy/certs/ (mode 0600); encrypted in the database.
 * The dashboard's ACME certificate (SLIPWAY_DASHBOARD_ACME) comes as `appId: "dashboard"`.
 */
export type RoutedCertificate = { id: string; appId: string; hostnames: string[]; pem: string };

export type RoutingTable = {
  version: number;
  generatedAt: string;
  apps: RoutedApp[];
  certificates?: RoutedCertificate[];
  /** ACME HTTP-01 challenges in progress: token → key authorization, answered on every host. */
  challenges?: Record<string, string>;
};

export function tablePath(dataDir: string) {
  return routerFile(dataDir, "table");
}

export function writeTable(dataDir: string, table: RoutingTable) {
  fs.mkdirSync(routerDir(dataDir), { recursive: true });
  // Mode 0600: the table carries the private keys of uploaded certificates.
  writeJsonAtomically(tablePath(dataDir), table, 0o600);
}

export function readTable(dataDir: string): RoutingTable | null {
  return readJsonFile<RoutingTable>(tablePath(dataDir));
}

/** Same routes and certificates (ignoring version and time)? Saves the router a reload. */
export function sameRoutes(a: RoutingTable | null, b: RoutingTable | null) {
  return JSON.stringify(a?.apps ?? null) === JSON.stringify(b?.apps ?? null) && sameCertificates(a, b);
}

/** Same certificates and ACME challenges (what a reload, not the runtime API, applies)? */
export function sameCertificates(a: RoutingTable | null, b: RoutingTable | null) {
  return JSON.stringify([a?.certificates ?? [], a?.challenges ?? {}]) === JSON.stringify([b?.certificates ?? [], b?.challenges ?? {}]);
}

// ---- applied.json, draining.json -----------------------------------------------------

/** The table version the router has live (the control plane waits on it before a dyno's SIGTERM). */
export type Applied = { version: number; at: string };

/** Dynos the live table (`version`) no longer routes to that still have requests in flight. */
export type Draining = { version: number; at?: string; busy: { appId: string; dyno: string; addr: string; requests: number }[] };

// ---- stats.json ----------------------------------------------------------------------

export type AppCounters = { status: Record<string, number>; codes: Record<string, number>; latency: number[] };

/** Cumulative counters; `startedAt` tells readers the counters began again from zero. */
export type RouterStats = { at: string; startedAt: string; buckets: number[]; apps: Record<string, AppCounters> };

// ---- requests.log --------------------------------------------------------------------

/** One request: when it ended (ISO 8601 to the µs, isoMicros), which app, and its Heroku-style router line. */
export type RequestLogLine = { at: string; appId: string; line: string };

/** µs since the epoch as ISO 8601 with six decimals ("2026-12-07T11:00:00.123456Z"). */
export function isoMicros(us: number): string {
  const whole = Math.floor(us);
  const second = Math.floor(whole / 1_000_000);
  // The date and time to the second changes once a second, not at every request's line:
  // formatted once (toISOString costs ~0.7 µs, the router's log writes tens of thousands a second).
  if (second !== iso.second) iso = { second, prefix: new Date(second * 1000).toISOString().slice(0, 20) };
  return `${iso.prefix}${String(whole - second * 1_000_000).padStart(6, "0")}Z`;
}
let iso = { second: NaN, prefix: "" };

/** isoMicros's time as a Date and the µs within its ms (0 for a time given to the ms). */
export function parseIsoMicros(at: string): { date: Date; micros: number } {
  return { date: new Date(at), micros: Number(/\.\d{3}(\d{3})/.exec(at)?.[1] ?? 0) };
}

export function formatRequestLine(l: RequestLogLine): string {
  return `${l.at}\t${l.appId}\t${l.line}\n`;
}

/** A line of requests.log without its newline; null when it is not one. */
export function parseRequestLine(text: string): RequestLogLine | null {
  const [at, appId, line] = text.split("\t");
  return at && appId && line !== undefined ? { at, appId, line } : null;
}

// ---- files ---------------------------------------------------------------------------

/** Replaces `file` at once: readers see the old whole file or the new one. */
export function writeJsonAtomically(file: string, value: unknown, mode?: number) {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(value), { mode });
  fs.renameSync(tmp, file);
}

/** The file's JSON; null when it is missing or not (yet) valid. */
export function readJsonFile<T>(file: string): T | null {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as T;
  } catch {
    return null;
  }
}
