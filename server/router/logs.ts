// HAProxy's per-request log line → Heroku's router log line (Logplex style), with the
// H-code its termination state means. HAProxy already writes the `at=info` line; only
// errors are rewritten here. Pure functions: the router process feeds them.
import type { RoutedApp } from "@/server/router/protocol";

export type ProxyLog = {
  backend: string;
  term: string;
  server: string;
  status: string;
  tr: string;
  ta: string;
  /**
   * When the request ended, µs since the epoch (NaN when HAProxy could not say): the later of
   * its start plus Ta (to the ms) and the moment its response's head went out (to the µs). Both come before the
   * client has the whole response, so before anything the client does next (its next
   * request's dyno lines), and the second comes after the dyno answered (its own lines for
   * this request). The time HAProxy logs the line comes later, by however busy it is.
   */
  endedAt: number;
  /** idle.map's word for the backend when the request went through it ("crashed", "none", "up"), or "". */
  idle: string;
  line: string;
};

export function parseProxyLog(raw: string): ProxyLog | null {
  const parts = raw.split("\x1f");
  if (parts.length !== 12) return null;
  const [backend, term, server, status, tr, ta, accepted, th, ti, sent, idle, line] = parts as [string, string, string, string, string, string, string, string, string, string, string, string];
  const endedAt = requestEnd(Number(accepted), Number(th), Number(ti), Number(ta), Number(sent));
  return { backend, term, server, status, tr, ta, endedAt, idle: idle === "-" ? "" : idle, line: line.replace(/\n$/, "") };
}

/** A time HAProxy logs in ms, NaN or negative (unset) as 0. */
const ms = (v: number) => Math.max(0, v || 0);

/**
 * ProxyLog's `endedAt` from HAProxy's fields as numbers (NaN where a field is not one).
 * HAProxy 2.6 has no request_date: the request began at the stream's accept date plus its
 * handshake and idle times. Each is rounded down to the ms, so start + Ta is never later
 * than the real end.
 */
export function requestEnd(accepted: number, th: number, ti: number, ta: number, sentUs: number): number {
  const accept = ms(accepted);
  const start = accept && accept + ms(th) + ms(ti);
  return Math.max(start && (start + ms(ta)) * 1000, sentUs || 0) || NaN;
}

const DESC: Record<string, string> = {
  H10: "App crashed",
  H12: "Request timeout",
  H13: "Connection closed without response",
  H14: "No web dynos running",
  H17: "Poorly formatted HTTP response",
  H18: "Server Request Interrupted",
  H19: "Backend connection timeout",
  H21: "Backend connection refused",
  H80: "Maintenance mode",
  H99: "Platform error",
};

/**
 * The Heroku error code of a request, or null when it was served. HAProxy's termination
 * state (first letter: who ended it, second: in which phase) says what happened:
 * - `SC` with a real server: every dyno tried (retries + redispatch) refused or reset the
 *   connection. Heroku logs that as H21 "Backend connection refused" (the dyno is up but
 *   not accepting), not H13 (H13 is a connection accepted then closed) nor H10 (the
 *   platform knows of no running dyno). `sC` is the connect timeout (5 s, as Heroku's):
 *   H19 "Backend connection timeout".
 * - `PH`: the dyno's response was refused by the proxy (invalid header, headers too
 *   large): Heroku's H17 "Poorly formatted HTTP response".
 * - `SD`/`sD`: the dyno went away mid-transfer (the request body or the response): H18.
 * - any other proxy-side (P), internal (I) or resource (R) failure is the router's own: H99.
 */
export function herokuCode(log: ProxyLog, app: RoutedApp | undefined): string | null {
  const term = log.term.slice(0, 2);
  if (app?.maintenance && term[1] === "R") return "H80";
  if (log.server === "<NOSRV>" && Number(log.status) === 503) {
    // The page HAProxy served (idle.map at the time); the table's view only for a line
    // without it (an unknown backend's, or from an older configuration).
    if (log.idle === "crashed") return "H10";
    if (log.idle === "none") return "H14";
    return app?.idle === "crashed" ? "H10" : "H14";
  }
  if (term === "SC") return "H21";
  if (term === "sC") return "H19";
  if (term === "sH") return "H12";
  if (term === "SH") return "H13";
  if (term === "PH") return "H17";
  if (term === "SD" || term === "sD") return "H18";
  if (term[0] === "P" || term[0] === "I" || term[0] === "R") return "H99";
  return null;
}

export type RouterLine = { appId: string; code: string | null; status: number; serviceMs: number; line: string };

/** Heroku's router line: `at=info method=GET path="/" host=… request_id=… fwd="…" dyno=web.1 …`. */
export function routerLine(log: ProxyLog, app: RoutedApp | undefined): RouterLine | null {
  if (!app) return null; // unknown hosts belong to no app's log
  const code = herokuCode(log, app);
  const serviceMs = Math.max(0, Number(log.tr) || 0);
  const named = log.line.replace(/ dyno=([\w-]+\.\d+)_\d+ /, " dyno=$1 "); // web.1_2 → web.1 (see haproxy.ts)
  if (!code) return { appId: app.id, code, status: Number(log.status), serviceMs, line: named };
  const line = named
    .replace(/^at=info/, `at=error code=${code} desc="${DESC[code]}"`)
    .replace(/ dyno=<NOSRV> /, " dyno= ")
    .replace(/ connect=-1ms /, " connect=0ms ")
    .replace(/ service=-?\d+ms /, ` service=${code === "H12" ? Math.max(0, Number(log.ta) || 0) : serviceMs}ms `)
    .replace(/ status=-?\d+ /, " status=503 "); // -1: the dyno left before any answer (H18 mid-upload)
  return { appId: app.id, code, status: 503, serviceMs, line };
}
