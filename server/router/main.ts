// The router process: `node --import tsx server/router/main.ts`, started by `npm run up`
// and the tests beside the control plane. It turns the routing table the control plane
// publishes into HAProxy's configuration (reloading HAProxy when routes change), reads
// HAProxy's request log into Heroku router lines and per-app counters, and keeps routing
// with the last table whenever the control plane is down.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { routerLine, parseProxyLog } from "@/server/router/logs";
import { backendName, renderProxy } from "@/server/router/haproxy";
import { readTable, routerDir, sameRoutes, type RoutingTable } from "@/server/router/table";
import { Counters } from "@/server/router/counters";

const dataDir = path.resolve(process.env.SLIPWAY_DATA_DIR ?? path.join(process.cwd(), ".slipway"));
const port = Number(process.env.SLIPWAY_ROUTER_PORT ?? 8080);
const serverTimeoutMs = Number(process.env.SLIPWAY_ROUTER_TIMEOUT_MS ?? 30_000);
const dir = path.join(routerDir(dataDir), "proxy");
const requestsLog = path.join(routerDir(dataDir), "requests.log");
const statsFile = path.join(routerDir(dataDir), "stats.json");
const pidFile = path.join(dir, "haproxy.pid");
fs.mkdirSync(dir, { recursive: true });

const log = (msg: string) => console.log(`slipway-router: ${msg}`);
const empty: RoutingTable = { version: 0, generatedAt: new Date(0).toISOString(), apps: [] };

// A HAProxy left by a router that was killed: this one takes over the port.
try {
  const old = Number(fs.readFileSync(pidFile, "utf8"));
  if (old) process.kill(old, "SIGTERM");
} catch {}

let table: RoutingTable = readTable(dataDir) ?? empty;
let byBackend = new Map(table.apps.map((a) => [backendName(a.id), a]));
const counters = new Counters();

const out = fs.createWriteStream(requestsLog, { flags: "a" });
/** HAProxy's stdout: one raw log line per request, read in chunks. */
function ingest(stream: NodeJS.ReadableStream) {
  let partial = "";
  stream.setEncoding?.("utf8");
  stream.on("data", (chunk: string) => {
    const lines = (partial + chunk).split("\n");
    partial = lines.pop() ?? "";
    let batch = "";
    const at = new Date().toISOString();
    for (const raw of lines) {
      const parsed = parseProxyLog(raw);
      if (!parsed) {
        if (raw.trim()) process.stdout.write(`${raw}\n`); // HAProxy's own notices
        continue;
      }
      const line = routerLine(parsed, byBackend.get(parsed.backend));
      if (!line) continue;
      counters.add(line);
      batch += `${at}\t${line.appId}\t${line.line}\n`;
    }
    if (batch) out.write(batch);
  });
}

const settings = { port, dir, serverTimeoutMs };
let cfg = renderProxy(table, settings);
const proxy: ChildProcess = spawn("haproxy", ["-W", "-db", "-f", cfg, "-p", pidFile], { stdio: ["ignore", "pipe", "inherit"] });
ingest(proxy.stdout!);
proxy.on("exit", (code, signal) => {
  log(`haproxy exited (${signal ?? code})`);
  process.exit(1);
});
fs.writeFileSync(pidFile, String(proxy.pid));
log(`routing on :${port} (table v${table.version}, ${table.apps.length} apps)`);

let reloading = false;
function apply() {
  const next = readTable(dataDir);
  if (!next || reloading || sameRoutes(next, table)) {
    if (next) table = next;
    return;
  }
  table = next;
  byBackend = new Map(table.apps.map((a) => [backendName(a.id), a]));
  cfg = renderProxy(table, settings);
  // Master-worker reload: a new worker takes the listeners; the old one finishes its requests.
  proxy.kill("SIGUSR2");
  log(`reloaded for table v${table.version}`);
}
fs.watchFile(path.join(routerDir(dataDir), "table.json"), { interval: 100 }, apply);
const statsTimer = setInterval(() => counters.write(statsFile), 5_000);

function stop() {
  clearInterval(statsTimer);
  fs.unwatchFile(path.join(routerDir(dataDir), "table.json"));
  proxy.removeAllListeners("exit");
  proxy.kill("SIGUSR1"); // soft stop: finish requests in flight
  setTimeout(() => proxy.kill("SIGKILL"), 5_000).unref();
  proxy.once("exit", () => process.exit(0));
  fs.rmSync(pidFile, { force: true });
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
