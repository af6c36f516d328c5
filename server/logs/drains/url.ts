// Drain URLs as Heroku takes them: syslog:// (TCP), syslog+tls:// (TLS), https:// and http://
// (Logplex-style batched POSTs). Everything else is refused here, before a drain is stored.
import net from "node:net";
import { AppError } from "@/server/errors";

export type DrainAuth = { username: string; password: string };

export type ParsedDrainUrl =
  | { kind: "syslog"; tls: boolean; host: string; port: number; target: string }
  | {
      kind: "http";
      tls: boolean;
      host: string;
      port: number;
      /** Path and query string sent in the request line; the fragment is not sent. */
      path: string;
      auth: DrainAuth | null;
      target: string;
    };

const EXAMPLE = "syslog+tls://logs.example.com:6514 or https://logs.example.com/drain";
const MAX_LENGTH = 2048;
// DNS names as resolvers accept them (underscores included), IP literals are checked with net.isIP.
const HOSTNAME = /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*\.?$/;

function bad(message: string): AppError {
  return new AppError("BAD_REQUEST", message, { fieldErrors: { url: message } });
}

export function parseDrainUrl(input: string): ParsedDrainUrl {
  const raw = typeof input === "string" ? input.trim() : "";
  if (!raw) throw bad(`Enter a drain URL, such as ${EXAMPLE}.`);
  if (raw.length > MAX_LENGTH) throw bad(`Drain URLs can be at most ${MAX_LENGTH} characters long.`);
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(raw)?.[1]?.toLowerCase();
  if (!scheme) throw bad(`That is not a URL. Drain URLs look like ${EXAMPLE}.`);
  if (!["syslog", "syslog+tls", "https", "http"].includes(scheme)) {
    throw bad(`Drain URLs must start with syslog://, syslog+tls://, https:// or http:// (not ${scheme}://).`);
  }
  // WHATWG URL parsing rejects "syslog://:514" outright; say what is actually missing.
  if (/^[^:]+:\/\/(?:[^@/?#]*@)?(?:[:/?#]|$)/.test(raw)) throw bad(`The drain URL needs a host, as in ${EXAMPLE}.`);
  const portText = /^[^:]+:\/\/(?:[^@/]*@)?(?:\[[^\]]*\]|[^:/?#]*):(\d+)(?:[/?#]|$)/.exec(raw)?.[1];
  if (portText !== undefined && (Number(portText) < 1 || Number(portText) > 65535)) {
    throw bad("The port of a drain URL must be between 1 and 65535.");
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw bad(`That is not a valid URL. Drain URLs look like ${EXAMPLE}.`);
  }
  const host = url.hostname.toLowerCase().replace(/^\[(.*)\]$/, "$1");
  if (!host) throw bad(`The drain URL needs a host, as in ${EXAMPLE}.`);
  if (!net.isIP(host) && !HOSTNAME.test(host)) throw bad(`"${host}" is not a valid host name.`);
  const target = net.isIPv6(host) ? `[${host}]` : host;

  if (scheme === "syslog" || scheme === "syslog+tls") {
    const example = `${scheme}://logs.example.com:6514`;
    if (url.username || url.password) {
      throw bad("Syslog drains do not take a username or password; remove the part before \"@\".");
    }
    if (!url.port) throw bad(`Syslog drain URLs need a port, as in ${example}.`);
    if ((url.pathname && url.pathname !== "/") || url.search || url.hash) {
      throw bad(`Syslog drain URLs have no path or query string, as in ${example}.`);
    }
    const port = Number(url.port);
    return { kind: "syslog", tls: scheme === "syslog+tls", host, port, target: `${target}:${port}` };
  }

  const tls = scheme === "https";
  const port = url.port ? Number(url.port) : tls ? 443 : 80;
  const auth = url.username || url.password ? decodeAuth(url) : null;
  return { kind: "http", tls, host, port, path: `${url.pathname || "/"}${url.search}`, auth, target: `${target}:${port}` };
}

function decodeAuth(url: URL): DrainAuth {
  try {
    return { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
  } catch {
    throw bad("The username or password in the drain URL has a malformed %-escape.");
  }
}
