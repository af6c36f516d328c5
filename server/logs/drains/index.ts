import "server-only";
// Log drain delivery: every log line of an app, copied to each of its drains, the way Heroku's
// Logplex does it. Delivery only — storing drains, routes and wiring to the event bus live elsewhere.
//
//   parseDrainUrl(url): ParsedDrainUrl
//     Accepts syslog://host:port (TCP), syslog+tls://host:port (TLS), https://… and http://…
//     (userinfo becomes Basic auth). Throws AppError("BAD_REQUEST") with fieldErrors.url otherwise.
//
//   openDrain({ url, token, ca?, maxQueue?, onStatus? }): Drain
//     token     the drain token ("d.<uuid>"): HOSTNAME of syslog frames, Logplex-Drain-Token header.
//               No app name: like Logplex, frames identify the drain by token only, so a receiver
//               shared by several apps tells them apart by token and learns no names.
//     ca        PEM trusted in addition to the system roots (receivers with private certificates)
//     maxQueue  lines held while the receiver is slow or away (default 10,000); when full the
//               oldest are dropped, counted, and announced to the receiver with an L10 line
//     onStatus  told of state changes, new errors and drops, at most once a second, and of "closed"
//     policy    which addresses it may dial (default: drainAddressPolicy(), from the settings):
//               refused ones never see a packet, and the status says "refused: private address"
//   drain.push(line)   O(1), never blocks or throws; safe at tens of thousands of lines a second
//   drain.status()     { state, delivered, dropped, queued, lastDeliveredAt, lastError, lastErrorAt }
//   drain.close()      delivers what it can within ~2 s, then closes; the rest counts as dropped
//
// Transports: syslog drains keep one connection, reconnecting with backoff from 0.5 s doubling to
// 30 s, and resend lines whose write had not completed when a connection died. HTTP(S) drains
// POST up to 500 lines (or what came within 100 ms) per request, one request at a time; 5xx,
// 408, 429 and network errors are retried 3 times with backoff, other answers drop the batch.
//
// States: "connecting" until the first connection (TCP/TLS) or accepted batch (HTTP);
// "delivering" while that holds; "failing" after an error until the next success; "closed".
// Frame format and PRI choices: see syslog-frame.ts.
import tls from "node:tls";
import { AppError } from "@/server/errors";
import type { AddressPolicy } from "./address-policy";
import { HttpDrain } from "./http-drain";
import { drainAddressPolicy } from "./policy";
import { SyslogDrain } from "./syslog-drain";
import type { Drain, DrainStatus } from "./types";
import { parseDrainUrl } from "./url";

export type { Drain, DrainLine, DrainState, DrainStatus } from "./types";
export type { ParsedDrainUrl } from "./url";
export { parseDrainUrl } from "./url";
export { formatFrame } from "./syslog-frame";
export { AddressPolicy } from "./address-policy";
export { drainAddressPolicy, refreshDockerSubnets } from "./policy";

export type OpenDrainOptions = {
  url: string;
  token: string;
  ca?: string | Buffer;
  maxQueue?: number;
  onStatus?: (status: DrainStatus) => void;
  /** Addresses it may dial; by default the installation's (drainAddressPolicy). */
  policy?: AddressPolicy;
};

export const DEFAULT_MAX_QUEUE = 10_000;

export function openDrain(opts: OpenDrainOptions): Drain {
  const parsed = parseDrainUrl(opts.url);
  const maxQueue = opts.maxQueue ?? DEFAULT_MAX_QUEUE;
  // Both come from the platform, not from users; a bad token would break the header or frame.
  if (!Number.isInteger(maxQueue) || maxQueue < 1) throw new AppError("INTERNAL", `Drain maxQueue must be a positive integer, got ${maxQueue}.`);
  if (!/^[\x21-\x7e]{1,255}$/.test(opts.token)) throw new AppError("INTERNAL", "Drain tokens are 1–255 printable ASCII characters.");
  // Trusted in addition to the system roots, so a drain given a CA can still reach public receivers.
  const secureContext = opts.ca ? tls.createSecureContext({ ca: [...tls.rootCertificates, opts.ca] }) : undefined;
  const policy = opts.policy ?? drainAddressPolicy();
  const common = { token: opts.token, secureContext, maxQueue, onStatus: opts.onStatus, target: parsed.target, policy };
  if (parsed.kind === "syslog") return new SyslogDrain({ ...common, host: parsed.host, port: parsed.port, tls: parsed.tls });
  return new HttpDrain({ ...common, host: parsed.host, port: parsed.port, tls: parsed.tls, path: parsed.path, auth: parsed.auth });
}
