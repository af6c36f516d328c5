// HAProxy's per-request log line → Heroku's router log line (Logplex style), with the
// H-code its termination state means. Pure functions: the router process feeds them.
import { LOG_FIELDS } from "@/server/router/haproxy";
import type { RoutedApp } from "@/server/router/table";

export type ProxyLog = Record<(typeof LOG_FIELDS)[number], string>;

export function parseProxyLog(line: string): ProxyLog | null {
  const parts = line.replace(/\n$/, "").split("\x1f");
  if (parts.length !== LOG_FIELDS.length) return null;
  return Object.fromEntries(LOG_FIELDS.map((f, i) => [f, parts[i]])) as ProxyLog;
}

const DESC: Record<string, string> = {
  H10: "App crashed",
  H12: "Request timeout",
  H13: "Connection closed without response",
  H14: "No web dynos running",
  H18: "Server Request Interrupted",
  H80: "Maintenance mode",
  H99: "Platform error",
};

/** The Heroku error code of a request, or null when it was served. */
export function herokuCode(log: ProxyLog, app: RoutedApp | undefined): string | null {
  const term = log.term.slice(0, 2);
  if (app?.maintenance && term[1] === "R") return "H80";
  if (log.server === "<NOSRV>" && Number(log.status) === 503) {
    return app?.idle === "crashed" ? "H10" : "H14";
  }
  if (term === "sH") return "H12";
  if (term === "SH") return "H13";
  if (term === "SD" || term === "sD") return "H18";
  if (term[0] === "P" || term[0] === "I" || term[0] === "R") return "H99";
  return null;
}

export type RouterLine = { appId: string; code: string | null; status: number; serviceMs: number; line: string };

/** Heroku's router line: `at=info method=GET path="/" host=… request_id=… fwd="…" dyno=web.1 …`. */
export function routerLine(log: ProxyLog, app: RoutedApp | undefined): RouterLine | null {
  if (!app) return null; // unknown hosts belong to no app's log
  const code = herokuCode(log, app);
  const status = code ? 503 : Number(log.status);
  const ms = (v: string) => `${Math.max(0, Number(v) || 0)}ms`;
  const service = Math.max(0, Number(log.tr) || 0);
  const parts = [
    code ? `at=error code=${code} desc="${DESC[code]}"` : "at=info",
    `method=${log.method}`,
    `path="${log.path.replace(/"/g, "%22")}"`,
    `host=${log.host}`,
    `request_id=${log.rid}`,
    `fwd="${log.client}"`,
    `dyno=${log.server === "<NOSRV>" ? "" : log.server}`,
    `connect=${ms(log.tc)}`,
    `service=${code === "H12" ? ms(log.ta) : `${service}ms`}`,
    `status=${status}`,
    `bytes=${Math.max(0, Number(log.bytes) || 0)}`,
    "protocol=http",
  ];
  return { appId: app.id, code, status, serviceMs: service, line: parts.join(" ") };
}
