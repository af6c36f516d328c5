// Starts the real router process (server/router/main.ts, which runs HAProxy) for tests
// and benches, on a free port, reading the routing table from `dataDir`.
import { spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import path from "node:path";
import type tls from "node:tls";
import { routerFile } from "@/server/router/protocol";

/**
 * `n` different ports, each free on 127.0.0.1 now: all are held before any is let go, since
 * ports asked for one at a time can come back equal (scripts/lib.sh free_ports).
 */
export async function freePorts(n: number): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const srv = net.createServer();
      servers.push(srv);
      await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
    }
    return servers.map((s) => (s.address() as net.AddressInfo).port);
  } finally {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  }
}

/** `env`: more of the router's settings (SLIPWAY_ROUTER_*, SLIPWAY_ROUTER_TLS_CERT); HTTPS listens on a free port too. */
export async function startRouter(opts: { dataDir: string; timeoutMs?: number; env?: Record<string, string> }) {
  const [port, httpsPort] = await freePorts(2);
  const child = spawn(process.execPath, ["--import", "tsx", "server/router/main.ts"], {
    env: {
      ...process.env,
      SLIPWAY_DATA_DIR: opts.dataDir,
      SLIPWAY_ROUTER_PORT: String(port),
      SLIPWAY_ROUTER_HTTPS_PORT: String(httpsPort),
      SLIPWAY_ROUTER_TIMEOUT_MS: String(opts.timeoutMs ?? 30_000),
      ...opts.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const deadline = Date.now() + 20_000;
  while (!(await listening(port))) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the router did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const logFile = routerFile(opts.dataDir, "requests");
  return {
    port,
    httpsPort,
    output: () => output,
    /** Router lines logged so far (Heroku's format). */
    lines: (): string[] => (fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8").trim().split("\n").filter(Boolean).map((l) => l.split("\t")[2]) : []),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/** One command on a HAProxy CLI socket (the router's are in router/proxy/ of its data dir). */
export function haproxyCli(socket: string, command: string) {
  return new Promise<string>((resolve, reject) => {
    const sock = net.connect(socket);
    let out = "";
    sock.on("connect", () => sock.end(`${command}\n`));
    sock.on("data", (d) => (out += d));
    sock.on("error", reject);
    sock.on("close", () => resolve(out));
  });
}

function listening(port: number) {
  return new Promise<boolean>((resolve) => {
    const s = net.connect(port, "127.0.0.1");
    s.once("connect", () => (s.destroy(), resolve(true)));
    s.once("error", () => resolve(false));
  });
}

/** `localPort`: the client's own port (the same one again when `agent` kept the connection). */
export type Answer = { status: number; body: string; headers: http.IncomingHttpHeaders; complete: boolean; localPort?: number };

/**
 * A request through the router with a Host header; never throws on HTTP errors, and a
 * response cut off by the router or dyno resolves with what arrived (`complete: false`).
 * `agent` keeps the connection alive across requests; the default is a new one each time.
 */
export function send(port: number, host: string, o: { method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer; agent?: http.Agent } = {}) {
  return new Promise<Answer>((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, method: o.method ?? "GET", path: o.path ?? "/", headers: { host, ...o.headers }, agent: o.agent ?? false }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers, complete: true, localPort: req.socket?.localPort }));
      res.on("error", () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers, complete: false }));
      res.on("aborted", () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers, complete: false }));
    });
    req.on("error", reject);
    req.end(o.body);
  });
}

/** A GET through the router with a Host header; never throws on HTTP errors. */
export function get(port: number, host: string, urlPath = "/", headers: Record<string, string> = {}) {
  return new Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }>((resolve, reject) => {
    const req = http.get({ host: "127.0.0.1", port, path: urlPath, headers: { host, ...headers }, agent: false }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on("error", reject);
  });
}

/**
 * A GET over HTTPS through the router's TLS listener: SNI and Host are `host`, and the
 * certificate must chain to `ca` and name `host` (or the request fails). Also says which
 * certificate and TLS version were used.
 */
export function getTls(port: number, host: string, urlPath: string, ca: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders; protocol: string | null; peer: tls.PeerCertificate }>((resolve, reject) => {
    const req = https.get({ host: "127.0.0.1", port, path: urlPath, servername: host, headers: { host, ...headers }, ca, agent: false }, (res) => {
      const socket = res.socket as tls.TLSSocket;
      const protocol = socket.getProtocol();
      const peer = socket.getPeerCertificate();
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers, protocol, peer }));
    });
    req.on("error", reject);
  });
}
