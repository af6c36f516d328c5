#!/usr/bin/env node
// heroku-remote.mjs — the official `heroku` CLI against a Slipway installation on another
// machine. The CLI sends its API key only to localhost/127.0.0.1 and Heroku's own domains,
// so this opens a forwarder on 127.0.0.1 (a free port) that passes every request on to the
// installation over TLS (the certificate checked against the system's CAs, plus --ca), then
// runs `heroku` with HEROKU_HOST pointing at the forwarder. Plain Node, no dependencies;
// nothing in the CLI is patched.
//
//   node scripts/heroku-remote.mjs --url https://slipway.example.com -- apps
//   node scripts/heroku-remote.mjs --url https://slipway.example.com -- logs -t -a my-app
//   node scripts/heroku-remote.mjs --url https://slipway.example.com --serve   # forwarder only
//
// Options (or environment):
//   --url URL             the installation (SLIPWAY_REMOTE_URL), https://HOST[:PORT]
//   --ca FILE             a PEM file of extra CAs to trust, e.g. a private CA (SLIPWAY_REMOTE_CA);
//                         also given to the CLI as NODE_EXTRA_CA_CERTS (heroku run's TLS)
//   --resolve HOST:PORT:ADDRESS
//                         connect to ADDRESS for HOST:PORT instead of asking DNS (as curl's
//                         --resolve; the certificate is still checked for HOST)
//   --heroku PATH         the CLI to run (SLIPWAY_HEROKU_BIN; default `heroku` on PATH)
//   --port N              the forwarder's port on 127.0.0.1 (default: a free one)
//   --serve               run only the forwarder and print the HEROKU_HOST to use, until Ctrl-C
//
// HEROKU_API_KEY (or the netrc entry `heroku login -i` writes for 127.0.0.1) is the CLI's
// own business; this script never reads it. JSON answers that name the installation's URL
// (a `logs -t` session, for one) are rewritten to name the forwarder, so streams come back
// through it too. Git pushes go straight to the installation over HTTPS (see README.md,
// "Production"); they need no forwarder.
import { spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import os from "node:os";
import tls from "node:tls";

function usage(message) {
  if (message) process.stderr.write(`heroku-remote: ${message}\n`);
  process.stderr.write("usage: node scripts/heroku-remote.mjs --url https://HOST[:PORT] [--ca FILE] [--resolve HOST:PORT:ADDRESS] [--heroku PATH] [--port N] (--serve | [--] HEROKU-ARGS...)\n");
  process.exit(2);
}

const args = process.argv.slice(2);
const opts = { url: process.env.SLIPWAY_REMOTE_URL, ca: process.env.SLIPWAY_REMOTE_CA, resolve: [], heroku: process.env.SLIPWAY_HEROKU_BIN || "heroku", port: 0, serve: false };
let cliArgs = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  const value = () => (i + 1 < args.length ? args[++i] : usage(`${a} needs a value`));
  if (a === "--") {
    cliArgs = args.slice(i + 1);
    break;
  } else if (a === "--url") opts.url = value();
  else if (a === "--ca") opts.ca = value();
  else if (a === "--resolve") opts.resolve.push(value());
  else if (a === "--heroku") opts.heroku = value();
  else if (a === "--port") opts.port = Number(value());
  else if (a === "--serve") opts.serve = true;
  else if (a === "--help" || a === "-h") usage();
  else {
    cliArgs = args.slice(i);
    break;
  }
}
if (!opts.url) usage("--url (or SLIPWAY_REMOTE_URL) is required");
let remote;
try {
  remote = new URL(opts.url);
} catch {
  usage(`not a URL: ${opts.url}`);
}
if (remote.protocol !== "https:") usage("the installation's URL must be https:// (the forwarder exists to carry the key over TLS)");
if (!opts.serve && !cliArgs.length) usage("give the CLI's arguments, or --serve");
const remotePort = Number(remote.port || 443);
const remoteOrigin = remote.origin; // https://host[:port], without a default port
const ca = opts.ca ? [...tls.rootCertificates, fs.readFileSync(opts.ca, "utf8")] : undefined;

// --resolve HOST:PORT:ADDRESS (an IPv6 address in brackets, as curl takes it).
let address = remote.hostname;
for (const r of opts.resolve) {
  const m = /^([^:]+):(\d+):\[?([^\]]+)\]?$/.exec(r);
  if (!m) usage(`--resolve wants HOST:PORT:ADDRESS, not ${r}`);
  if (m[1].toLowerCase() === remote.hostname.toLowerCase() && Number(m[2]) === remotePort) address = m[3];
}

const agent = new https.Agent({ keepAlive: true, ca });
// Hop-by-hop headers are the forwarder's own business on each side.
// What the CLI follows (a log session's URL, a build's output stream) must come through
// the forwarder; what it prints for the user to keep (an app's git URL, its web URL) must
// not: the forwarder's port is gone once this command ends.
const KEEP = new Set(["git_url", "web_url"]);
function throughForwarder(text) {
  const swap = (v) => (typeof v === "string" && v.startsWith(remoteOrigin) ? localOrigin + v.slice(remoteOrigin.length) : v);
  const walk = (v) => {
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, KEEP.has(k) ? x : walk(x)]));
    return swap(v);
  };
  try {
    return JSON.stringify(walk(JSON.parse(text)));
  } catch {
    return text.split(remoteOrigin).join(localOrigin);
  }
}

const HOP = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer", "host"]);
const isJson = (type = "") => /^application\/(?:[\w.+-]+\+)?json\b/i.test(type);
let localOrigin = "";

const server = http.createServer((req, res) => {
  const headers = {};
  for (const [k, v] of Object.entries(req.headers)) if (!HOP.has(k)) headers[k] = v;
  headers.host = remote.host;
  // Uncompressed answers: JSON can be rewritten, and a stream is passed on as it comes.
  headers["accept-encoding"] = "identity";
  const upstream = https.request({ host: address, port: remotePort, servername: remote.hostname, method: req.method, path: req.url, headers, agent }, (up) => {
    const out = {};
    for (const [k, v] of Object.entries(up.headers)) if (!HOP.has(k)) out[k] = v;
    if (typeof out.location === "string" && out.location.startsWith(remoteOrigin)) out.location = localOrigin + out.location.slice(remoteOrigin.length);
    if (isJson(up.headers["content-type"]) && !up.headers["content-encoding"]) {
      // Links to the installation (a log session's URL) are made to go through the forwarder.
      const chunks = [];
      up.on("data", (c) => chunks.push(c));
      up.on("end", () => {
        const body = Buffer.from(throughForwarder(Buffer.concat(chunks).toString("utf8")));
        out["content-length"] = String(body.length);
        res.writeHead(up.statusCode ?? 502, out);
        res.end(body);
      });
      up.on("error", () => res.destroy());
      return;
    }
    res.writeHead(up.statusCode ?? 502, out);
    res.flushHeaders();
    up.pipe(res);
    up.on("error", () => res.destroy());
  });
  upstream.on("error", (err) => {
    if (res.headersSent) return res.destroy();
    const reason = `could not reach ${remoteOrigin}${address !== remote.hostname ? ` (at ${address})` : ""}: ${err.message}`;
    res.writeHead(502, { "content-type": "application/json" });
    res.end(JSON.stringify({ id: "bad_gateway", message: `heroku-remote ${reason}` }));
    process.stderr.write(`heroku-remote: ${reason}\n`);
  });
  req.pipe(upstream);
  // The CLI hung up (Ctrl-C on logs -t): so does the forwarder.
  res.on("close", () => {
    if (!res.writableFinished) upstream.destroy();
  });
});
// Long uploads (git) and tails (logs -t): no limits of the forwarder's own.
server.requestTimeout = 0;
server.headersTimeout = 60_000;
server.keepAliveTimeout = 5_000;

server.listen(opts.port, "127.0.0.1", () => {
  localOrigin = `http://127.0.0.1:${server.address().port}`;
  const env = {
    ...process.env,
    HEROKU_HOST: localOrigin,
    // Requests the CLI sends to Heroku's own services with the same key go here as well.
    HEROKU_PARTICLEBOARD_URL: localOrigin,
    HEROKU_BUILDPACK_REGISTRY_URL: localOrigin,
    // Git goes straight to the installation over HTTPS: the git URLs the CLI prints and
    // sets up (apps:create, git:remote) name it, not this forwarder.
    HEROKU_GIT_HOST: remote.host,
    ...(opts.ca ? { NODE_EXTRA_CA_CERTS: opts.ca } : {}),
  };
  if (opts.serve) {
    process.stdout.write(`heroku-remote: forwarding ${localOrigin} → ${remoteOrigin}${address !== remote.hostname ? ` (at ${address})` : ""}\n`);
    process.stdout.write(`export HEROKU_HOST=${localOrigin} HEROKU_PARTICLEBOARD_URL=${localOrigin} HEROKU_BUILDPACK_REGISTRY_URL=${localOrigin} HEROKU_GIT_HOST=${remote.host}${opts.ca ? ` NODE_EXTRA_CA_CERTS=${opts.ca}` : ""}\n`);
    const stop = () => server.close(() => process.exit(0));
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
    return;
  }
  const child = spawn(opts.heroku, cliArgs, { env, stdio: "inherit" });
  // Ctrl-C reaches the CLI from the terminal; a SIGTERM to this script is passed on.
  process.on("SIGINT", () => {});
  process.on("SIGTERM", () => child.kill("SIGTERM"));
  child.on("error", (err) => {
    process.stderr.write(`heroku-remote: cannot run ${opts.heroku}: ${err.message} (install the CLI: npm install -g heroku, or pass --heroku PATH)\n`);
    process.exit(127);
  });
  child.on("exit", (code, signal) => {
    server.close();
    agent.destroy();
    process.exit(code ?? 128 + (os.constants.signals[signal] ?? 1));
  });
});
