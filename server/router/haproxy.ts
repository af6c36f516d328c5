// HAProxy configuration for a routing table: one frontend routing by Host through a map
// file to a backend per app (round robin over its up web dynos), Heroku's headers and
// timeouts, and error pages that are Heroku's H-codes. HAProxy moves the bytes; this file
// is all the router tells it.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { errorPage } from "@/server/router/pages";
import type { RoutedApp, RoutedCertificate, RoutingTable } from "@/server/router/protocol";

export type ProxySettings = {
  port: number;
  dir: string;
  /** Heroku's 30 s to first byte (H12). */
  serverTimeoutMs: number;
  /**
   * HTTPS: the listener's port and the certificate (chain and key, one PEM file) served to
   * clients whose SNI names no uploaded certificate (or who send none).
   */
  https?: { port: number; defaultCert: string };
  /**
   * The control plane behind the router under its own hostname (SLIPWAY_DASHBOARD_HOST):
   * requests for `host` go to `upstream` (HOST:PORT, the Next.js server), over HTTPS with
   * `cert` (chain and key, one PEM file) when given, else the default certificate; plain
   * HTTP ones are redirected to HTTPS (ACME challenges excepted).
   */
  dashboard?: { host: string; upstream: string; cert?: string };
};

// Mozilla's "intermediate" configuration: TLS 1.2 with ECDHE and AEAD ciphers only, TLS 1.3.
const TLS12_CIPHERS = [
  "ECDHE-ECDSA-AES128-GCM-SHA256",
  "ECDHE-RSA-AES128-GCM-SHA256",
  "ECDHE-ECDSA-AES256-GCM-SHA384",
  "ECDHE-RSA-AES256-GCM-SHA384",
  "ECDHE-ECDSA-CHACHA20-POLY1305",
  "ECDHE-RSA-CHACHA20-POLY1305",
].join(":");
const TLS13_SUITES = "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";
/** One year, as Heroku's docs suggest; sent only over HTTPS and only when the app asks. */
const HSTS = "max-age=31536000";

export const certificateFile = (dir: string, c: RoutedCertificate) => path.join(dir, "certs", `${c.id}-${crypto.createHash("sha256").update(c.pem).digest("hex").slice(0, 16)}.pem`);

/**
 * The crt-list HAProxy's HTTPS listener reads: the default certificate first (HAProxy serves
 * the first line when no SNI filter matches), then each uploaded certificate restricted to
 * the hostnames it was published for. Certificate files are content-addressed (a changed
 * certificate is a new file), written with mode 0600.
 */
function writeCertificates(table: RoutingTable, s: ProxySettings & { https: NonNullable<ProxySettings["https"]> }): string {
  fs.mkdirSync(path.join(s.dir, "certs"), { recursive: true, mode: 0o700 });
  const lines = [s.https.defaultCert];
  // An ACME certificate for the dashboard comes in the table like an app's (appId "dashboard").
  if (s.dashboard?.cert) lines.push(`${s.dashboard.cert} ${s.dashboard.host.toLowerCase()}`);
  for (const c of table.certificates ?? []) {
    if (!c.hostnames.length) continue;
    // The dashboard's ACME certificate only when it is served here and no file is configured.
    if (c.appId === "dashboard" && (!s.dashboard || s.dashboard.cert)) continue;
    const file = certificateFile(s.dir, c);
    if (!fs.existsSync(file)) {
      fs.writeFileSync(`${file}.tmp`, c.pem.endsWith("\n") ? c.pem : `${c.pem}\n`, { mode: 0o600 });
      fs.renameSync(`${file}.tmp`, file);
    }
    lines.push(`${file} ${c.hostnames.map((h) => h.toLowerCase()).join(" ")}`);
  }
  const list = path.join(s.dir, "certs.list");
  fs.writeFileSync(list, `${lines.join("\n")}\n`);
  return list;
}

/** Removes certificate files the running configuration (`table`) no longer names. */
export function pruneCertificates(table: RoutingTable, dir: string) {
  const keep = new Set((table.certificates ?? []).map((c) => path.basename(certificateFile(dir, c))));
  let names: string[] = [];
  try {
    names = fs.readdirSync(path.join(dir, "certs"));
  } catch {
    return;
  }
  for (const name of names) if (name.endsWith(".pem") && !keep.has(name)) fs.rmSync(path.join(dir, "certs", name), { force: true });
}

/**
 * HAProxy writes the Heroku router line itself (most requests need no rewriting in Node),
 * after a few fields the router reads: backend, termination state, server, status, Tr, Ta,
 * when the request came in (the stream's accept date in ms, its handshake and idle times) and
 * when its response went out (µs since the epoch): the router line is stamped with the
 * request's end (parseProxyLog). And
 * what idle.map said when a no-dyno page was served ("crashed": H10, "none": H14; empty
 * otherwise), so the line names the page the client got, not what the router's table says
 * by the time it reads the line (a crashing dyno's restart turned H10 lines into H14 ones).
 * Fields are separated by \x1f, which HAProxy escapes inside values.
 */
const LOG_FORMAT = [
  "%b",
  "%tsc",
  "%s",
  "%ST",
  "%Tr",
  "%Ta",
  "%Ts%ms",
  "%Th",
  "%Ti",
  "%[var(txn.sent)]",
  "%[var(txn.idle)]",
  'at=info method=%HM path=\\"%HU\\" host=%[var(txn.host)] request_id=%[var(txn.rid)] fwd=\\"%ci\\" dyno=%s connect=%Tc%[str(ms)] service=%Tr%[str(ms)] status=%ST bytes=%B protocol=http',
].join("\\x1f");

export const backendName = (appId: string) => `app-${appId}`;

/** The map from backend to why it has no dyno up (see backend()), changed at runtime by the router. */
export const idleMapFile = (dir: string) => path.join(dir, "idle.map");
export const idleValue = (idle: RoutedApp["idle"]) => idle ?? "up";

/** Writes haproxy.cfg, hosts.map and the error pages into settings.dir; returns the config path. */
export function renderProxy(table: RoutingTable, s: ProxySettings): string {
  const errors = path.join(s.dir, "errors");
  fs.mkdirSync(errors, { recursive: true });
  const page = (name: string, code: string | null, status: number, title: string, text: string) => {
    const file = path.join(errors, `${name}.http`);
    fs.writeFileSync(file, errorPage({ status, code, title, text }));
    // The body alone too, for `http-request return` (whose `errorfile` form logs status 200).
    fs.writeFileSync(path.join(errors, `${name}.body.html`), errorPage({ status, code, title, text, bodyOnly: true }));
    return file;
  };
  const files = {
    unknown: page("unknown", null, 404, "There's nothing here, yet", "No app answers at this address. Check the app's name, or add this domain to the app in its Settings."),
    h10: page("h10", "H10", 503, "Application error", "Every web dyno of this app has crashed. If you are its developer, check its logs."),
    h12: page("h12", "H12", 503, "Application error", "The app did not answer within 30 seconds. If you are its developer, check its logs."),
    // HAProxy picks an error page by status alone, and one 502 is either a dyno that hung up
    // without answering (H13) or one whose answer was not valid HTTP (H17); nothing it can
    // read when it writes the page tells them apart (termination state and connection error
    // are not set yet), so the page names both codes and the log line says which.
    h13: page("h13", "H13 / H17", 503, "Application error", "The app closed the connection without a valid answer. If you are its developer, check its logs."),
    h14: page("h14", "H14", 503, "Application error", "This app has no web dynos running. If you are its developer, scale its web process up."),
    // The same for a 503 from a backend with dynos: every dyno refused the connection (H21)
    // or none accepted it within 5 s (H19).
    h21: page("h21", "H19 / H21", 503, "Application error", "The app's web dynos are not accepting connections. If you are its developer, check its logs."),
    h99: page("h99", "H99", 503, "Platform error", "Something went wrong in Slipway's router. Try again shortly."),
  };
  const maintenance = path.join(errors, "maintenance.html");
  fs.writeFileSync(maintenance, errorPage({ status: 503, code: "H80", title: "Offline for maintenance", text: "This app is undergoing maintenance right now. Please check back soon.", bodyOnly: true }));

  // ACME HTTP-01: /.well-known/acme-challenge/<token> answers the key authorization on any host.
  const challengesFile = path.join(s.dir, "challenges.map");
  fs.writeFileSync(challengesFile, Object.entries(table.challenges ?? {}).map(([token, auth]) => `${token} ${auth}\n`).join(""));

  // Why each app has no dyno up: backend → "crashed" (H10), "none" (H14) or "up"; every
  // backend has a line, so the router can `set map` any of them at runtime.
  const idleMap = idleMapFile(s.dir);
  fs.writeFileSync(idleMap, table.apps.map((a) => `${backendName(a.id)} ${idleValue(a.idle)}\n`).join(""));

  const map = table.apps.flatMap((a) => a.hostnames.map((h) => `${h.toLowerCase()} ${backendName(a.id)}`)).join("\n");
  const mapFile = path.join(s.dir, "hosts.map");
  fs.writeFileSync(mapFile, `${map}\n`);

  const https = s.https;
  const crtList = https ? writeCertificates(table, { ...s, https }) : null;
  // Over HTTPS a redirect keeps the port the listener has, unless it is the default one.
  const httpsAuthority = https && https.port !== 443 ? `%[var(txn.host)]:${https.port}` : "%[var(txn.host)]";

  const cfg = `# Written by the Slipway router from the routing table v${table.version}; do not edit.
global
  # Read back through \`show info\`: the router knows which table the running worker has.
  description slipway-table-v${table.version}
  # Onto HAProxy's stdout: a pipe (8 MB) the router process reads in large chunks. Every
  # worker, old ones after a reload included, inherits the same pipe from the master, so
  # one reader gets every worker's lines; each line is one write, whole (at most 4096 bytes,
  # PIPE_BUF). A full pipe drops the line (HAProxy counts it in DroppedLogs), the reason
  # the pipe is large and read every few ms. The in-memory ring streamed over the stats
  # socket before lost ~55% of the lines under a burst and cost more CPU per request.
  log stdout len 4096 format raw local0
  stats socket ${path.join(s.dir, "haproxy.sock")} mode 600 level admin expose-fd listeners
  maxconn 4096
  # One thread: with two, a thread finding the log pipe taken by the other (HAProxy writes
  # it under a lock it tries 200 times) drops its line; a burst of 20,000 requests lost ~60
  # lines (log-burst.test.ts), none with one thread, and one thread is cheaper per request.
  nbthread 1
  # An old worker (after a reload) keeps its WebSockets and long responses until they end or
  # this passes. Dyno changes no longer reload (the router uses the runtime API); reloads
  # come from apps, domains and maintenance, and each would cut every app's connections:
  # as long as \`timeout tunnel\`, for a few MB per old worker.
  hard-stop-after 1h
  ssl-default-bind-ciphers ${TLS12_CIPHERS}
  ssl-default-bind-ciphersuites ${TLS13_SUITES}
  ssl-default-bind-options ssl-min-ver TLSv1.2 no-tls-tickets

defaults
  mode http
  log global
  log-format "${LOG_FORMAT}"
  option http-keep-alive
  option forwardfor
  http-reuse safe
  retries 2
  option redispatch 1
  retry-on conn-failure
  timeout connect 5s
  timeout client 75s
  timeout server ${s.serverTimeoutMs}ms
  timeout http-request 30s
  timeout http-keep-alive 75s
  timeout tunnel 1h
  errorfile 500 ${files.h99}
  errorfile 502 ${files.h13}
  errorfile 503 ${files.h99}
  errorfile 504 ${files.h12}

frontend router
  bind :${s.port}${crtList ? `\n  bind :${https!.port} ssl crt-list ${crtList} alpn h2,http/1.1` : ""}
  unique-id-format %[uuid()]
  # Heroku keeps a client's X-Request-Id when it is one header of 20-200 characters from
  # [A-Za-z0-9+=/-]; any other gets a new UUID. fhdr: the whole value (hdr splits at commas,
  # so "a, <valid id>" would pass the check but reach the dyno whole).
  http-request set-header X-Request-Id %[unique-id] unless { req.fhdr_cnt(x-request-id) eq 1 } { req.fhdr(x-request-id) -m reg ^[A-Za-z0-9+=/-]{20,200}$ }
  http-request set-var(txn.rid) req.fhdr(x-request-id)
  http-after-response set-header X-Request-Id %[var(txn.rid)]
  # When the response's head went out (every response, the router's own pages too): the
  # router line's time, not the moment HAProxy gets round to logging it, which under load
  # can come after the client's next request reached the dyno (parseProxyLog).
  http-after-response set-var(txn.sent) date(0,us)
  http-request set-var(txn.host) req.hdr(host),field(1,:),lower
  http-request set-header X-Forwarded-Proto https if { ssl_fc }
  http-request set-header X-Forwarded-Proto http unless { ssl_fc }
  http-request set-header X-Forwarded-Port %[dst_port]
  http-request set-header X-Request-Start t=%[date(0,ms)]
  http-request add-header Via "1.1 slipway"
  http-request set-var(txn.acme) path,field(4,/),map(${challengesFile}) if { path_beg /.well-known/acme-challenge/ }
  http-request return status 200 content-type text/plain lf-string "%[var(txn.acme)]" if { var(txn.acme) -m found }${dashboardRules(s, httpsAuthority)}
  use_backend %[var(txn.host),map(${mapFile})]
  default_backend unknown

backend unknown
  http-request return status 404 content-type "text/html; charset=utf-8" file ${path.join(errors, "unknown.body.html")}

${s.dashboard ? dashboardBackend(s.dashboard) : ""}${table.apps.map((a) => backend(a, files, maintenance, idleMap, https ? httpsAuthority : null)).join("\n")}
`;
  fs.writeFileSync(path.join(errors, "unknown.body.html"), errorPage({ status: 404, code: null, title: "There's nothing here, yet", text: "No app answers at this address. Check the app's name, or add this domain to the app in its Settings.", bodyOnly: true }));
  const file = path.join(s.dir, "haproxy.cfg");
  fs.writeFileSync(`${file}.tmp`, cfg);
  fs.renameSync(`${file}.tmp`, file);
  return file;
}

/** Frontend lines sending the dashboard's hostname to the control plane (HTTP redirected to HTTPS). */
function dashboardRules(s: ProxySettings, httpsAuthority: string): string {
  if (!s.dashboard) return "";
  const host = s.dashboard.host.toLowerCase();
  const lines = [""];
  if (s.https) lines.push(`  http-request redirect location https://${httpsAuthority}%[pathq] code 308 if { var(txn.host) -m str ${host} } !{ ssl_fc }`);
  lines.push(`  use_backend dashboard if { var(txn.host) -m str ${host} }`);
  return lines.join("\n");
}

/**
 * The control plane: one server, no retries of a request it may have acted on, and a long
 * server timeout (a `logs -t` tail and a git push's build output stay quiet for minutes).
 */
function dashboardBackend(d: NonNullable<ProxySettings["dashboard"]>) {
  return ["backend dashboard", "  timeout server 1h", "  http-request disable-l7-retry unless METH_GET || METH_OPTIONS", `  server control-plane ${d.upstream}`, ""].join("\n") + "\n";
}

function backend(a: RoutedApp, files: Record<string, string>, maintenance: string, idleMap: string, httpsAuthority: string | null) {
  const lines = [`backend ${backendName(a.id)}`, "  balance roundrobin"];
  // Heroku's "SSL redirect": 308 keeps the method and body of a plain HTTP request.
  if (httpsAuthority && a.tls?.redirect) lines.push(`  http-request redirect location https://${httpsAuthority}%[pathq] code 308 unless { ssl_fc }`);
  if (httpsAuthority && a.tls?.hsts) lines.push(`  http-after-response set-header Strict-Transport-Security "${HSTS}" if { ssl_fc }`);
  // Node closes a keep-alive connection idle for 5 s. HAProxy can pick such a pooled dyno
  // connection just as the dyno closes it: router.test.ts once saw a client's connection
  // dropped without an answer (1 request of 8 sent ~5 s apart, before this line). Retrying
  // on a new connection when the dyno closed without sending a byte covers that race, for
  // safe methods only: a POST the dyno may have acted on is never sent twice.
  lines.push("  retry-on conn-failure empty-response", "  http-request disable-l7-retry unless METH_GET || METH_OPTIONS");
  if (a.maintenance) lines.push(`  http-request return status 503 content-type "text/html; charset=utf-8" file ${maintenance} hdr Retry-After 60`);
  // No web dyno: H10 when they crashed, else H14, as idle.map says ("up" while it has some).
  // The same configuration serves an app with or without dynos, so its first dyno is a
  // runtime `add server` and `set map` (servers.ts), no reload. Not `nbsrv eq 0`: a worker
  // stopping after a reload counts no usable server while it still forwards, and answered
  // H14 for an app with dynos (one or two requests per reload under load).
  const noDyno = (page: string) => `http-request return status 503 content-type "text/html; charset=utf-8" file ${page.replace(/\.http$/, ".body.html")} hdr Cache-Control "no-cache, no-store"`;
  lines.push(
    `  http-request set-var(txn.idle) be_name,map(${idleMap})`,
    `  ${noDyno(files.h10!)} if { var(txn.idle) -m str crashed }`,
    `  ${noDyno(files.h14!)} if { var(txn.idle) -m str none }`,
  );
  // With dynos up (no health checks mark them down) a 503 means every connect failed after the retries.
  lines.push(`  errorfile 503 ${files.h21}`);
  // Server names must be unique in a backend, but a deploy briefly has two web.1s up (the
  // new one before the old one stops): the second is web.1_2, which the log line un-suffixes.
  const seen = new Map<string, number>();
  for (const t of a.web) {
    const n = (seen.get(t.dyno) ?? 0) + 1;
    seen.set(t.dyno, n);
    lines.push(`  server ${n === 1 ? t.dyno : `${t.dyno}_${n}`} ${t.host}:${t.port}`);
  }
  return `${lines.join("\n")}\n`;
}
