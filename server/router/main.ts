// The router process: `node --import tsx server/router/main.ts`, started by `npm run up`
// and the tests beside the control plane. It turns the routing table the control plane
// publishes into HAProxy's configuration (reloading HAProxy when routes change), reads
// HAProxy's request log into Heroku router lines and per-app counters, and keeps routing
// with the last table whenever the control plane is down.
import { execFile, execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { inFlight } from "@/server/router/drain";
import { RequestLog } from "@/server/router/request-log";
import { openLogPipe, UNSIZED } from "@/server/router/log-pipe";
import { logIngest } from "@/server/router/log-ingest";
import { configuredServers, serverChanges, type ServerChange, type Servers } from "@/server/router/servers";
import { backendName, idleMapFile, idleValue, pruneCertificates, renderProxy } from "@/server/router/haproxy";
import { readTable, routerFile, sameRoutes, writeJsonAtomically, type Applied, type Draining, type RoutingTable } from "@/server/router/protocol";
import { Counters } from "@/server/router/counters";

const dataDir = path.resolve(process.env.SLIPWAY_DATA_DIR ?? path.join(process.cwd(), ".slipway"));
const port = Number(process.env.SLIPWAY_ROUTER_PORT ?? 8080);
// HTTPS (TLS terminated by HAProxy); 0 turns the listener off.
const httpsPort = Number(process.env.SLIPWAY_ROUTER_HTTPS_PORT ?? 8443);
if (httpsPort === port) {
  // HAProxy would bind both listeners to it (SO_REUSEPORT), each connection going to either.
  console.error(`slipway-router: SLIPWAY_ROUTER_PORT and SLIPWAY_ROUTER_HTTPS_PORT are both ${port}: give the HTTPS listener a port of its own (0: none)`);
  process.exit(2);
}
const serverTimeoutMs = Number(process.env.SLIPWAY_ROUTER_TIMEOUT_MS ?? 30_000);
const dir = routerFile(dataDir, "proxy");
const requestsLog = routerFile(dataDir, "requests");
const statsFile = routerFile(dataDir, "stats");
const pidFile = path.join(dir, "haproxy.pid");
fs.mkdirSync(dir, { recursive: true });

const log = (msg: string) => console.log(`slipway-router: ${process.env.DEBUG_ROUTER ? `${new Date().toISOString().slice(17, 23)} ` : ""}${msg}`);
const empty: RoutingTable = { version: 0, generatedAt: new Date(0).toISOString(), apps: [] };

// A HAProxy left by a router that was killed: this one takes over the port.
try {
  const old = Number(fs.readFileSync(pidFile, "utf8"));
  if (old) process.kill(old, "SIGTERM");
} catch {}

let table: RoutingTable = readTable(dataDir) ?? empty;
let byBackend = new Map(table.apps.map((a) => [backendName(a.id), a]));
const counters = new Counters();

// Rotated at SLIPWAY_ROUTER_LOG_MAX_BYTES (64 MB) once the control plane's reader is past it.
const out = new RequestLog(requestsLog, Number(process.env.SLIPWAY_ROUTER_LOG_MAX_BYTES ?? 64 * 1024 * 1024));
/**
 * HAProxy's request log: one raw line per request, which every worker (old ones after a
 * reload too) writes onto the same pipe (log-pipe.ts), read here in chunks and turned into
 * requests.log's lines in bytes (log-ingest.ts). Each line carries its request's end
 * (parseProxyLog), to the µs, not the time it was read here.
 */
function ingest() {
  const lines = logIngest({
    app: (backend) => byBackend.get(backend),
    counters,
    notice: (raw) => {
      if (raw === UNSIZED) logPipe.unpaced(); // a 64 KB pipe fills in a few ms: read as lines come
      else if (raw.trim()) process.stdout.write(`${raw}\n`); // HAProxy's own notices
    },
  });
  return (chunk: Buffer) => {
    const batch = lines.push(chunk);
    if (batch) out.write(batch);
  };
}

const sockPath = path.join(dir, "haproxy.sock");
/** The worker running the configuration last loaded (0 until one is). */
let currentWorker = 0;
/** The worker whose servers `live`/`taken`/`undeleted` describe. */
let serversOf = 0;

/** SLIPWAY_ROUTER_TRACE_CLI=1 prints each command (tests count what an idle router sends). */
const traceCli = !!process.env.SLIPWAY_ROUTER_TRACE_CLI;
function cli(command: string, socket = sockPath): Promise<string> {
  if (traceCli) console.log(`slipway-router: cli ${command}`);
  return new Promise((resolve) => {
    const sock = net.connect(socket);
    let out = "";
    sock.on("connect", () => sock.end(`${command}\n`));
    sock.on("data", (d) => (out += d));
    sock.on("error", () => resolve(""));
    sock.on("close", () => resolve(out));
  });
}

/**
 * The current worker and the table it runs, asked of the master: during a reload the
 * workers' shared stats socket may still be answered by the old worker.
 */
async function workerInfo(): Promise<{ pid: number; version: number }> {
  const procs = await cli("show proc", masterSock);
  const current = procs.split("# old workers")[0]!.split("# workers")[1] ?? "";
  const pid = Number(/^(\d+)\s+worker/m.exec(current)?.[1] ?? 0);
  if (!pid) return { pid: 0, version: -1 };
  const info = await cli(`@!${pid} show info`, masterSock);
  return { pid, version: Number(/^description: slipway-table-v(\d+)/im.exec(info)?.[1] ?? -1) };
}

/**
 * Waits for a worker running the configuration last rendered. One follower at a time; a
 * reload that does not show up within 3 s is asked for again.
 */
let following: Promise<void> | null = null;
function followWorker(): Promise<void> {
  following ??= (async () => {
    for (let i = 1; ; i++) {
      const { pid, version } = await workerInfo();
      if (pid && version === workerVersion) {
        if (pid !== serversOf) {
          // A new worker: the servers are the configuration's, none left over from runtime changes.
          live = configuredServers(table);
          taken = new Map([...live].map(([b, servers]) => [b, new Set(servers.keys())]));
          undeleted.clear();
          serversOf = pid;
        }
        currentWorker = pid;
        return;
      }
      if (i % 60 === 0) {
        log(`no worker with table v${workerVersion} yet; reloading again`);
        workerVersion = renderedVersion; // the configuration on disk is the latest
        await reload();
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  })().finally(() => (following = null));
  return following;
}

/**
 * The certificate for clients whose SNI names no uploaded certificate: the installation's
 * (SLIPWAY_ROUTER_TLS_CERT, one PEM file with the chain and the key, e.g. a wildcard for
 * *.<base domain>), else a self-signed one made once with openssl into proxy/.
 */
function defaultCertificate(): string {
  const configured = process.env.SLIPWAY_ROUTER_TLS_CERT;
  if (configured) return path.resolve(configured);
  const file = path.join(dir, "default.pem");
  if (!fs.existsSync(file)) {
    const base = process.env.SLIPWAY_BASE_DOMAIN ?? "localhost";
    const key = path.join(dir, "default.key.tmp");
    const crt = path.join(dir, "default.crt.tmp");
    execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "3650", "-subj", `/CN=*.${base}`, "-addext", `subjectAltName=DNS:*.${base},DNS:${base}`, "-keyout", key, "-out", crt], { stdio: "pipe" });
    fs.writeFileSync(`${file}.tmp`, fs.readFileSync(crt, "utf8") + fs.readFileSync(key, "utf8"), { mode: 0o600 });
    fs.renameSync(`${file}.tmp`, file);
    fs.rmSync(key, { force: true });
    fs.rmSync(crt, { force: true });
    log(`made a self-signed default certificate for *.${base} (set SLIPWAY_ROUTER_TLS_CERT to serve your own)`);
  }
  return file;
}

/**
 * The control plane under its own hostname (SLIPWAY_DASHBOARD_HOST, e.g. slipway.example.com):
 * sent to SLIPWAY_DASHBOARD_UPSTREAM (default 127.0.0.1:SLIPWAY_PORT), over HTTPS with
 * SLIPWAY_DASHBOARD_TLS_CERT (chain and key in one PEM file), else an ACME certificate the
 * control plane publishes (SLIPWAY_DASHBOARD_ACME=1), else the default certificate.
 */
const dashboardHost = process.env.SLIPWAY_DASHBOARD_HOST?.trim().toLowerCase();
if (dashboardHost && !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(dashboardHost)) {
  log(`SLIPWAY_DASHBOARD_HOST=${dashboardHost} is not a hostname`);
  process.exit(1);
}
const dashboard = dashboardHost
  ? {
      host: dashboardHost,
      upstream: process.env.SLIPWAY_DASHBOARD_UPSTREAM || `127.0.0.1:${process.env.SLIPWAY_PORT || 3000}`,
      cert: process.env.SLIPWAY_DASHBOARD_TLS_CERT ? path.resolve(process.env.SLIPWAY_DASHBOARD_TLS_CERT) : undefined,
    }
  : undefined;
const settings = { port, dir, serverTimeoutMs, https: httpsPort ? { port: httpsPort, defaultCert: defaultCertificate() } : undefined, dashboard };
let cfg = renderProxy(table, settings);
let renderedVersion = table.version;
/** The table version of the configuration HAProxy last (re)loaded; runtime changes go beyond it. */
let workerVersion = table.version;
let live: Servers = new Map();
let taken = new Map<string, Set<string>>();
/** Removed servers that still had requests when asked to go: deleted once idle. */
const undeleted = new Set<string>();
const masterSock = path.join(dir, "master.sock");
// HAProxy's stdout is the request log's pipe, SLIPWAY_ROUTER_LOG_PIPE_BYTES (8 MB) large: 1 MB
// holds 80 ms of lines at 50k requests/s, and on a busy machine the router is not always
// running that often. The kernel uses only the pages holding lines. Past
// /proc/sys/fs/pipe-max-size (1 MB unless raised) only a process with CAP_SYS_RESOURCE may
// go; otherwise the pipe gets that maximum.
const logPipe = openLogPipe(path.join(dir, "requests.fifo"), Number(process.env.SLIPWAY_ROUTER_LOG_PIPE_BYTES ?? 8 * 1024 * 1024), ingest());
const [command, args] = logPipe.sized("haproxy", ["-W", "-db", "-S", `${masterSock},mode,600`, "-f", cfg, "-p", pidFile]);
const proxy: ChildProcess = spawn(command, args, { stdio: ["ignore", logPipe.writeFd, "inherit"] });
fs.closeSync(logPipe.writeFd); // HAProxy's master and workers hold it: the pipe ends when they have all exited
if (!logPipe.sizable) {
  log("perl is missing: the request log pipe keeps its default size (64 KB), read as lines come");
  logPipe.unpaced();
}

/**
 * Reloads through the master CLI: it answers only once the master has re-executed itself,
 * so a reload is never asked of a master that would drop it (as a signal can be).
 */
async function reload() {
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const sock = net.connect(masterSock);
      sock.on("connect", () => sock.end("reload\n"));
      sock.on("error", () => resolve(false));
      sock.on("close", (hadError) => resolve(!hadError));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  log("the HAProxy master does not answer; reloading by signal");
  proxy.kill("SIGUSR2");
}

/** Tells the control plane which table is live (it waits on this before stopping a dyno). */
let acknowledged = 0;
function acknowledge(version: number) {
  acknowledged = version;
  writeJsonAtomically(routerFile(dataDir, "applied"), { version, at: new Date().toISOString() } satisfies Applied);
  void reportDraining();
}

/**
 * Dynos the live table no longer has that still have requests in flight, written to
 * router/draining.json for the control plane, which SIGTERMs a leaving dyno only once it
 * is not listed (Heroku drains a dyno before stopping it). After a reload the old worker
 * keeps serving the requests it had; the master CLI reaches it as `@!<pid>` until it exits.
 * Asked after each acknowledged table, then every 200 ms only while something is leaving
 * (a removed server not yet deleted, an old worker, a dyno still draining): an idle router
 * sends HAProxy nothing.
 */
const drainingFile = routerFile(dataDir, "draining");
let reported = "";
let reporting: Promise<void> | null = null;
let reportAgain = false;
let drainPoll: NodeJS.Timeout | null = null;
let stopping = false;
async function reportDraining(): Promise<void> {
  if (drainPoll) clearTimeout(drainPoll);
  drainPoll = null;
  if (reporting) {
    reportAgain = true; // a poll that started before the latest acknowledgement does not count
    return reporting;
  }
  let leaving = false;
  reporting = (async () => {
    do {
      reportAgain = false;
      const version = acknowledged;
      const routed = new Set(table.apps.flatMap((a) => a.web.map((t) => `${backendName(a.id)} ${t.host}:${t.port}`)));
      const procs = await cli("show proc", masterSock);
      // The master did not answer: say nothing rather than "drained", and ask again.
      leaving = !procs.includes("# workers");
      if (leaving) continue;
      const old = new Set([...(procs.split("# old workers")[1] ?? "").matchAll(/^(\d+)\s+worker/gm)].map((m) => Number(m[1])));
      // The current worker (servers removed through the runtime API finish there) and old ones.
      const workers = [...procs.matchAll(/^(\d+)\s+worker/gm)].map((m) => Number(m[1]));
      const stats = await Promise.all(workers.map(async (pid) => ({ pid, csv: await cli(`@!${pid} show stat`, masterSock) })));
      const busy = stats.flatMap((s) => inFlight(s.csv));
      for (const target of undeleted) {
        if (busy.some((b) => `${b.backend}/${b.server}` === target)) continue;
        if ((await cli(`@!${currentWorker} del server ${target}`, masterSock)).includes("Server deleted")) {
          undeleted.delete(target);
          taken.get(target.split("/")[0]!)?.delete(target.split("/")[1]!);
        }
      }
      const draining = busy.filter((b) => !routed.has(`${b.backend} ${b.addr}`));
      leaving = undeleted.size > 0 || old.size > 0 || draining.length > 0;
      const state = JSON.stringify({
        version,
        busy: draining.map((b) => ({ appId: b.backend.replace(/^app-/, ""), dyno: b.server, addr: b.addr, requests: b.requests })),
      } satisfies Draining);
      if (state !== reported) {
        writeJsonAtomically(drainingFile, { ...(JSON.parse(state) as Draining), at: new Date().toISOString() } satisfies Draining);
        reported = state;
      }
    } while (reportAgain);
  })().finally(() => {
    reporting = null;
    if (leaving && !stopping) drainPoll ??= setTimeout(() => void reportDraining(), 200);
  });
  return reporting;
}
void followWorker().then(() => acknowledge(renderedVersion));
proxy.on("exit", (code, signal) => {
  log(`haproxy exited (${signal ?? code})`);
  process.exit(1);
});
fs.writeFileSync(pidFile, String(proxy.pid));
log(`routing on :${port}${httpsPort ? ` and :${httpsPort} (HTTPS)` : ""} (table v${table.version}, ${table.apps.length} apps)${dashboard ? `; ${dashboard.host} → the control plane at ${dashboard.upstream}` : ""}`);

// One reload at a time (the master re-executes itself for each); changes that arrive
// during a reload are applied after it.
let reloading = false;
let dirty = false;
function apply() {
  const next = readTable(dataDir);
  if (!next) return;
  if (reloading) {
    if (process.env.DEBUG_ROUTER && !dirty) log(`table v${next.version} waits for the reload in progress`);
    dirty = true;
    return;
  }
  if (sameRoutes(next, table)) {
    table = next;
    if (currentWorker) acknowledge(next.version); // nothing to reload: this table is live
    return;
  }
  reloading = true;
  dirty = false;
  const version = next.version;
  void (async () => {
    const changes = currentWorker && !following ? serverChanges(table, next, live, taken) : null;
    if (changes && (await changeServers(changes))) {
      table = next;
      byBackend = new Map(table.apps.map((a) => [backendName(a.id), a]));
      renderedVersion = version;
      renderProxy(next, settings); // what the next reload starts from
      acknowledge(version);
      log(`table v${version} applied without a reload (${changes.map((c) => (c.op === "idle" ? `${c.backend} ${idleValue(c.idle)}` : `${c.op} ${c.backend}/${c.server}`)).join(", ")})`);
      reloading = false;
      if (dirty) apply();
      return;
    }
    // A configuration HAProxy refuses would leave the master on the old one and this
    // router waiting for a worker that never comes: check first, keep routing with the
    // current configuration, and say why.
    const previous = fs.readFileSync(cfg, "utf8");
    renderProxy(next, settings);
    const problem = await checkConfig(cfg);
    if (problem) {
      fs.writeFileSync(cfg, previous);
      log(`table v${version} makes a configuration HAProxy refuses; still routing with v${renderedVersion}:\n${problem}`);
    } else {
      table = next;
      byBackend = new Map(table.apps.map((a) => [backendName(a.id), a]));
      renderedVersion = version;
      workerVersion = version;
      // Master-worker reload: a new worker takes the listeners; the old one finishes its requests.
      if (process.env.DEBUG_ROUTER) log(`reloading for table v${version}`);
      await reload();
      await followWorker();
      acknowledge(version);
      pruneCertificates(table, dir); // the new worker has loaded the ones it serves
      log(`reloaded for table v${version}`);
    }
    reloading = false;
    if (dirty) apply();
  })();
}

/**
 * Dyno changes through the current worker's runtime API; false (then the caller reloads)
 * when HAProxy refuses one. An app's first dyno is an `add server` like any other (its
 * backend served the H14 page while it had none up); H10 or H14 is a `set map`. A removed
 * server goes to maintenance: no new requests, those in flight finish (the drain report
 * counts them), and it is deleted once idle.
 */
async function changeServers(changes: ServerChange[]): Promise<boolean> {
  const pid = currentWorker;
  for (const c of changes) {
    if (c.op === "idle") {
      // Empty when HAProxy took it; else its complaint (no such map or entry).
      const said = (await cli(`@!${pid} set map ${idleMapFile(dir)} ${c.backend} ${idleValue(c.idle)}`, masterSock)).trim();
      if (said) {
        log(`HAProxy did not mark ${c.backend} ${idleValue(c.idle)} (${said}); reloading instead`);
        return false;
      }
      continue;
    }
    const target = `${c.backend}/${c.server}`;
    if (c.op === "add") {
      // A server added at runtime gets none of the defaults a configured one has: without an
      // idle pool (HAProxy 2.6: pool-max-conn 0, no purge delay) every request opened a new
      // dyno connection, which router.test.ts saw once an app's first dyno came this way.
      const added = await cli(`@!${pid} add server ${target} ${c.addr} pool-max-conn -1 pool-purge-delay 5s`, masterSock);
      if (!added.includes("New server registered")) {
        log(`HAProxy did not add ${target} (${added.trim()}); reloading instead`);
        return false;
      }
      await cli(`@!${pid} enable server ${target}`, masterSock);
      if (!live.has(c.backend)) live.set(c.backend, new Map());
      live.get(c.backend)!.set(c.server, c.addr);
      if (!taken.has(c.backend)) taken.set(c.backend, new Set());
      taken.get(c.backend)!.add(c.server);
    } else {
      await cli(`@!${pid} set server ${target} state maint`, masterSock);
      live.get(c.backend)?.delete(c.server);
      if ((await cli(`@!${pid} del server ${target}`, masterSock)).includes("Server deleted")) taken.get(c.backend)?.delete(c.server);
      else undeleted.add(target);
    }
  }
  return true;
}

/** HAProxy's own check of a configuration file: null when valid, else its complaint. */
function checkConfig(file: string): Promise<string | null> {
  return new Promise((resolve) => {
    execFile("haproxy", ["-c", "-q", "-f", file], (err, stdout, stderr) => resolve(err ? (stderr || stdout || String(err)).trim() : null));
  });
}
// A new table is applied as soon as it is renamed into place (an inotify watch on the
// directory: a deploy's new dyno is routed ~50-100 ms sooner than by polling); the 100 ms
// poll stays as the fallback where watches fail.
const tableFile = routerFile(dataDir, "table");
fs.watchFile(tableFile, { interval: 100 }, apply);
let tableWatcher: fs.FSWatcher | null = null;
try {
  tableWatcher = fs.watch(path.dirname(tableFile), { persistent: false }, (_event, name) => {
    if (name === path.basename(tableFile)) apply();
  });
  tableWatcher.on("error", () => tableWatcher?.close());
} catch (err) {
  log(`cannot watch ${path.dirname(tableFile)} (${(err as Error).message}); polling the table every 100 ms`);
}
const statsTimer = setInterval(() => counters.write(statsFile), 5_000);

function stop() {
  clearInterval(statsTimer);
  stopping = true;
  if (drainPoll) clearTimeout(drainPoll);
  fs.unwatchFile(tableFile);
  tableWatcher?.close();
  proxy.removeAllListeners("exit");
  proxy.kill("SIGUSR1"); // soft stop: finish requests in flight
  setTimeout(() => proxy.kill("SIGKILL"), 5_000).unref();
  proxy.once("exit", () => process.exit(0));
  fs.rmSync(pidFile, { force: true });
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
