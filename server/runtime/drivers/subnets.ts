import "server-only";
// Subnets for the installation's bridge networks (an app's network, an add-on's, a build's).
//
// Left to itself the Engine takes each bridge network from its default address pools,
// 15 × /16 in 172.17–31 and 16 × /20 in 192.168: about 31 networks on a whole machine,
// after which every `docker network create` fails ("could not find an available,
// non-overlapping IPv4 address pool") — creating the ~30th app failed. Slipway picks a
// /24 for each network from its own range instead (SLIPWAY_BRIDGE_SUBNETS, default
// 10.200.0.0/14: 1,024 networks), skipping any subnet another network of that Engine
// holds or a route of this host covers (the LAN or a VPN must stay reachable), and
// trying another one when another process took the same one first.
import type Dockerode from "dockerode";
import fs from "node:fs";
import { env } from "@/server/env";
import { engine, engineStatus } from "@/server/runtime/docker";

type Range = { base: number; bits: number };

const toInt = (ip: string) => ip.split(".").reduce((n, o) => n * 256 + Number(o), 0);
const toIp = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");

export function parseCidr(cidr: string): Range {
  const [ip, bits] = cidr.trim().split("/");
  const b = Number(bits);
  if (!ip || !/^\d+\.\d+\.\d+\.\d+$/.test(ip) || !Number.isInteger(b) || b < 0 || b > 32) throw new Error(`not an IPv4 CIDR range: ${cidr}`);
  const size = 2 ** (32 - b);
  return { base: Math.floor(toInt(ip) / size) * size, bits: b };
}

const overlaps = (a: Range, b: Range) => {
  const end = (r: Range) => r.base + 2 ** (32 - r.bits);
  return a.base < end(b) && b.base < end(a);
};

/** IPv4 routes of this host other than the default route (/proc/net/route: little-endian hex). */
export function hostRoutes(text = readRoutes()): Range[] {
  const le = (hex: string) => {
    const n = parseInt(hex, 16);
    return ((n & 0xff) * 2 ** 24) + (((n >>> 8) & 0xff) << 16) + (((n >>> 16) & 0xff) << 8) + ((n >>> 24) & 0xff);
  };
  return text
    .split("\n")
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((f) => f.length >= 8 && f[7] !== "00000000")
    .map((f) => {
      const mask = le(f[7]!);
      const bits = mask.toString(2).replace(/0+$/, "").length;
      return { base: le(f[1]!), bits };
    });
}

function readRoutes(): string {
  try {
    return fs.readFileSync("/proc/net/route", "utf8");
  } catch {
    return "";
  }
}

/** The first `limit` free /24s of `pool` that overlap none of `taken`, in order. */
export function freeSubnets(pool: Range, taken: Range[], skip: Set<string> = new Set(), limit = 1): string[] {
  const count = 2 ** Math.max(0, 24 - pool.bits);
  const free: string[] = [];
  for (let i = 0; i < count && free.length < limit; i++) {
    const candidate = { base: pool.base + i * 256, bits: 24 };
    const cidr = `${toIp(candidate.base)}/24`;
    if (skip.has(cidr) || taken.some((t) => overlaps(t, candidate))) continue;
    free.push(cidr);
  }
  return free;
}

function pool(): Range {
  return parseCidr(env().SLIPWAY_BRIDGE_SUBNETS);
}

// Subnets this process is creating networks in right now (two creations at once must not
// both pick the first free one).
const reserved = new Set<string>();

/**
 * `docker network create` of a bridge network on a subnet of the installation's range.
 * A subnet taken meanwhile by another process (the Engine refuses an overlapping pool) is
 * skipped and the next one tried. Other errors (409: the name exists) are the caller's.
 */
export async function createBridgeNetwork(d: Dockerode, options: Dockerode.NetworkCreateOptions, local = true): Promise<void> {
  const range = pool();
  const tried = new Set<string>();
  for (let attempt = 0; attempt < 8; attempt++) {
    const networks = await engine("List networks", () => d.listNetworks());
    const taken = [
      ...networks.flatMap((n) => (n.IPAM?.Config ?? []).map((c) => c.Subnet).filter((s): s is string => !!s && s.includes("."))).map(parseCidr),
      ...(local ? hostRoutes() : []),
    ];
    // The first free one, so networks fill the range from its start; after a collision, one
    // of the next free ones at random: another process creating networks as fast as this one
    // (a build beside an app's scale-up) takes the first free one again and again, and
    // following it lost every try.
    const free = freeSubnets(range, taken, new Set([...tried, ...reserved]), attempt === 0 ? 1 : 64);
    const subnet = free[Math.floor(Math.random() * free.length)];
    if (!subnet) {
      throw new Error(`no free /24 left in the installation's bridge range ${toIp(range.base)}/${range.bits} (SLIPWAY_BRIDGE_SUBNETS): remove unused apps or add-ons, or set a larger range`);
    }
    tried.add(subnet);
    reserved.add(subnet);
    try {
      // The gateway named too: the Engine records only what it is given, and readers of the
      // network (`docker network inspect`) expect one.
      const gateway = subnet.replace(/\.0\/24$/, ".1");
      await d.createNetwork({ ...options, IPAM: { Driver: "default", Config: [{ Subnet: subnet, Gateway: gateway }] } });
      return;
    } catch (err) {
      const message = String((err as { json?: { message?: string }; message?: string }).json?.message ?? (err as Error).message);
      if (engineStatus(err) === 409 || !/overlap/i.test(message)) throw err;
    } finally {
      reserved.delete(subnet);
    }
  }
  throw new Error("could not find a free subnet for a bridge network after 8 tries (other processes kept taking them)");
}
