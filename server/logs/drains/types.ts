// Shapes shared by the drain transports; index.ts re-exports them as the module's API.
import type tls from "node:tls";
import type { AddressPolicy } from "./address-policy";

export type DrainLine = {
  at: Date;
  /** "app" (dyno output), "slipway" (dyno manager), "slipway[router]", "app[api]" */
  source: string;
  /** e.g. "web.1"; null for router and API lines */
  dyno: string | null;
  message: string;
};

export type DrainState = "connecting" | "delivering" | "failing" | "closed";

export type DrainStatus = {
  state: DrainState;
  /** Lines the receiver accepted (TCP/TLS: handed to the kernel; HTTP: a 2xx for their batch). */
  delivered: number;
  /** Lines given up on: pushed out of a full queue, a batch refused or out of retries, left over at close. */
  dropped: number;
  /** Lines accepted by push() and neither delivered nor dropped yet (waiting or in flight). */
  queued: number;
  lastDeliveredAt: Date | null;
  /**
   * Human-readable, names the receiver by host:port only (never the URL's path, query or
   * password). Before a connection is made it says only "unreachable" or "refused: private
   * address": which of refused, timed out or host unreachable it was would make drains a
   * port scanner.
   */
  lastError: string | null;
  lastErrorAt: Date | null;
};

export interface Drain {
  /** Never blocks and never throws: queues the line, dropping the oldest queued line when full. */
  push(line: DrainLine): void;
  status(): DrainStatus;
  /** Delivers what it can within about 2 s, then closes; lines still queued count as dropped. */
  close(): Promise<void>;
}

/** What both transports are built with (openDrain fills it in from the URL). */
export type TransportOptions = {
  host: string;
  port: number;
  tls: boolean;
  /** host:port, for error messages */
  target: string;
  token: string;
  /** Built once by openDrain when a private CA is trusted; rebuilding it per connection costs ~40 ms. */
  secureContext?: tls.SecureContext;
  maxQueue: number;
  onStatus?: (status: DrainStatus) => void;
  /** Which addresses may be dialled: names resolve through its lookup, IP literals are checked first. */
  policy: AddressPolicy;
};
