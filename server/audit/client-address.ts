import "server-only";
import crypto from "node:crypto";
import dc from "node:diagnostics_channel";
import type { IncomingMessage } from "node:http";
import net from "node:net";
import { env } from "@/server/env";

// Whose address a request came from, in a way the client cannot forge.
//
// `next start` (next/dist/server/base-server.js) does
//   req.headers['x-forwarded-for'] ??= socket.remoteAddress
// so a request that carries its own X-Forwarded-For keeps it, and route handlers (which see
// only Headers, never the socket) cannot tell a forged one from the real peer. So each
// request is stamped as Node's HTTP server receives it — the `http.server.request.start`
// diagnostics channel fires before the 'request' event that Next.js handles — with the
// address it came from, under a header name drawn at random per process. A client cannot
// send that header, and any request the hook did not see (the first ones while the server
// boots, or no hook at all) simply has no address rather than a chosen one.

type Shared = { header: string; channel?: dc.Channel };
const SHARED = Symbol.for("slipway.client-address");

// Next.js bundles a module once per route: the name must be one per process, not per bundle.
function shared(): Shared {
  const g = globalThis as unknown as Record<symbol, Shared | undefined>;
  return (g[SHARED] ??= { header: `x-slipway-peer-${crypto.randomBytes(12).toString("hex")}` });
}

/** The header this process stamps requests with. */
export function clientAddressHeader(): string {
  return shared().header;
}

/** `::ffff:10.0.0.1` → `10.0.0.1`; anything that is not an IP address → null. */
export function normalizeAddress(raw: string | null | undefined): string | null {
  const value = raw?.trim().replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, "");
  return value && net.isIP(value) ? value.toLowerCase() : null;
}

/** A BlockList of SLIPWAY_TRUSTED_PROXIES entries (`10.0.0.5`, `10.0.0.0/8`, `::1`, `fd00::/8`). */
export function trustedProxies(entries: readonly string[]): net.BlockList | null {
  if (!entries.length) return null;
  const list = new net.BlockList();
  for (const entry of entries) {
    const [address, bits] = entry.split("/");
    const ip = normalizeAddress(address);
    const family = ip ? (net.isIPv6(ip) ? "ipv6" : "ipv4") : null;
    const prefix = bits === undefined ? null : Number(bits);
    if (!ip || !family || (prefix !== null && !(Number.isInteger(prefix) && prefix >= 0 && prefix <= (family === "ipv6" ? 128 : 32)))) {
      throw new Error(`SLIPWAY_TRUSTED_PROXIES: "${entry}" is not an address or a CIDR range`);
    }
    if (prefix === null) list.addAddress(ip, family);
    else list.addSubnet(ip, prefix, family);
  }
  return list;
}

function isTrusted(list: net.BlockList, ip: string): boolean {
  return list.check(ip, net.isIPv6(ip) ? "ipv6" : "ipv4");
}

/**
 * The client's address: the TCP peer, unless the peer is a trusted proxy — then the nearest
 * X-Forwarded-For hop (from the right) that is not one. Hops further left were written by
 * whoever connected to the first proxy, so they are never believed.
 */
export function resolveClientAddress(peer: string | undefined, forwardedFor: string | string[] | undefined, trusted: net.BlockList | null): string | null {
  let address = normalizeAddress(peer);
  if (!address || !trusted) return address;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(",") : (forwardedFor ?? "")).split(",").filter((h) => h.trim());
  while (isTrusted(trusted, address) && hops.length) {
    const hop = normalizeAddress(hops.pop());
    if (!hop) break;
    address = hop;
  }
  return address;
}

/** Stamps every request this process's HTTP servers receive from now on (idempotent). */
export function trackClientAddresses(): void {
  const state = shared();
  if (state.channel) return;
  const trusted = trustedProxies(env().SLIPWAY_TRUSTED_PROXIES);
  // Held on the process-wide state: a channel nobody references may be collected.
  state.channel = dc.channel("http.server.request.start");
  state.channel.subscribe((message) => {
    const { request } = message as { request: IncomingMessage };
    const address = resolveClientAddress(request.socket?.remoteAddress, request.headers["x-forwarded-for"], trusted);
    delete request.headers[state.header];
    if (address) request.headers[state.header] = address;
  });
}
