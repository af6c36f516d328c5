// Where drains may connect. A drain URL is chosen by any app owner, and delivery connects
// from the host: without this, a drain is a way to reach loopback services, the cloud
// metadata endpoint (169.254.169.254), the LAN, the Docker bridges and other tenants'
// add-on containers. Names are resolved by `lookup` at every connect and the address that
// was checked is the one dialled (no DNS rebinding between check and connect).
import dns from "node:dns";
import net from "node:net";
import os from "node:os";

/** Never reachable unless an installation admin allows the range (SLIPWAY_DRAIN_ALLOWED_CIDRS). */
export const PRIVATE_RANGES: readonly string[] = [
  "0.0.0.0/8", // "this network"
  "10.0.0.0/8",
  "100.64.0.0/10", // carrier-grade NAT
  "127.0.0.0/8",
  "169.254.0.0/16", // link-local, cloud metadata
  "172.16.0.0/12",
  "192.0.0.0/24", // IETF protocol assignments
  "192.168.0.0/16",
  "198.18.0.0/15", // benchmarking
  "224.0.0.0/4", // multicast
  "240.0.0.0/4", // reserved, broadcast
  "::/128",
  "::1/128",
  "fc00::/7", // unique local
  "fe80::/10", // link-local
  "ff00::/8", // multicast
];

export type Cidr = { address: string; prefix: number; family: "ipv4" | "ipv6" };

export function parseCidr(text: string): Cidr {
  const [address = "", prefixText] = text.trim().split("/");
  const version = net.isIP(address);
  if (!version) throw new Error(`"${text}" is not a CIDR range (such as 10.1.0.0/16 or fd00::/8)`);
  const max = version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (!/^\d+$/.test(prefixText ?? String(max)) || prefix > max) throw new Error(`"${text}" has an invalid prefix length`);
  return { address, prefix, family: version === 4 ? "ipv4" : "ipv6" };
}

/** A comma- or space-separated list of CIDR ranges (an empty string is none). */
export function parseCidrList(text: string | undefined): Cidr[] {
  return (text ?? "").split(/[\s,]+/).filter(Boolean).map(parseCidr);
}

function blockList(ranges: readonly (string | Cidr)[]): net.BlockList {
  const list = new net.BlockList();
  for (const r of ranges) {
    const c = typeof r === "string" ? parseCidr(r) : r;
    list.addSubnet(c.address, c.prefix, c.family);
  }
  return list;
}

/** The IPv4 address inside an IPv4-mapped, -compatible or NAT64 IPv6 address, else the input. */
export function unwrapIPv4(address: string): string {
  if (net.isIPv6(address)) {
    const m = /^(?:::ffff:|::|64:ff9b::)(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/i.exec(address);
    if (m?.[1]) return m[1];
    if (m?.[2] && m[3]) {
      const hi = parseInt(m[2], 16);
      const lo = parseInt(m[3], 16);
      return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
    }
  }
  return address;
}

export type AddressPolicyOptions = {
  /** Ranges an admin allows even though they are private (checked first). */
  allowed?: readonly (string | Cidr)[];
  /** More ranges to refuse, asked at each check: the Docker networks' subnets. */
  extraDenied?: () => readonly string[];
};

export class AddressPolicy {
  private readonly allowed: net.BlockList;
  private readonly denied = blockList(PRIVATE_RANGES);

  constructor(private readonly opts: AddressPolicyOptions = {}) {
    this.allowed = blockList(opts.allowed ?? []);
  }

  /** true when a drain may connect to this IP address. */
  permits(address: string): boolean {
    const ip = unwrapIPv4(address);
    const family = net.isIPv4(ip) ? "ipv4" : net.isIPv6(ip) ? "ipv6" : null;
    if (!family) return false;
    if (this.allowed.check(ip, family)) return true;
    if (this.denied.check(ip, family)) return false;
    if (hostAddresses().has(ip.toLowerCase())) return false;
    const extra = this.opts.extraDenied?.() ?? [];
    return extra.length === 0 || !blockList(extra).check(ip, family);
  }

  /**
   * A `lookup` for net/tls/http connect options: resolves the name, keeps only permitted
   * addresses, and fails with code EPRIVATEADDR when none is left. What it answers is what
   * the socket dials.
   */
  readonly lookup: net.LookupFunction = (hostname, options, callback) => {
    void (async () => {
      const found = net.isIP(hostname)
        ? [{ address: hostname, family: net.isIP(hostname) }]
        : await dns.promises.lookup(hostname, { all: true, family: options.family as number | undefined, hints: options.hints });
      const ok: dns.LookupAddress[] = [];
      // Filtered, not refused as a whole: a name with one public and one private address
      // still delivers, and only to the public one.
      for (const a of found) if (this.permits(a.address)) ok.push(a);
      if (!ok.length) throw Object.assign(new Error(`${hostname} resolves only to addresses drains may not reach`), { code: "EPRIVATEADDR" });
      return ok;
    })().then(
      (ok) => ((options as dns.LookupOptions).all ? (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, ok) : callback(null, ok[0]!.address, ok[0]!.family)),
      (err: NodeJS.ErrnoException) => callback(err, "", 0),
    );
  };

  /** Throws EPRIVATEADDR for an IP literal that may not be reached (lookup is skipped for those). */
  checkLiteral(host: string): void {
    if (net.isIP(host) && !this.permits(host)) {
      throw Object.assign(new Error(`${host} is an address drains may not reach`), { code: "EPRIVATEADDR" });
    }
  }
}

/** Every address of this machine's interfaces (eth0's included: it is the host too). */
function hostAddresses(): Set<string> {
  const out = new Set<string>();
  for (const list of Object.values(os.networkInterfaces())) for (const a of list ?? []) out.add(unwrapIPv4(a.address.toLowerCase().replace(/%.*$/, "")));
  return out;
}
