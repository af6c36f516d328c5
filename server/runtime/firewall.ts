import "server-only";
// The installation's iptables rules: what dynos and builds may reach besides the outside
// world and their own network. Docker's own chains already keep one bridge from another
// (so an app's dynos cannot reach another app's dynos, add-ons or builds); these rules add
// what Docker leaves open:
//   INPUT       a container's packets to ANY address of this host (the bridge gateway,
//               eth0, other bridges' gateways) are refused except to the installation's
//               public listeners (router, dashboard); replies to the host's own connections
//               (the router and the boot check connect to dynos) pass.
//   DOCKER-USER forwarded packets to link-local addresses (169.254.169.254, the cloud
//               metadata service) are refused; so are packets to private ranges beyond
//               this host (10/8, 172.16/12, 192.168/16, 100.64/10: the LAN or VPC the host
//               sits in) unless an admin allows the range (SLIPWAY_DYNO_ALLOWED_CIDRS).
//               DNS to the host's resolvers (Docker's embedded DNS forwards from the
//               container's namespace) passes, and packets to the installation's own
//               bridges are left to Docker's chains (own network yes, other apps no).
// Rules match the installation's bridges by name prefix (network.ts), live in two chains of
// its own, are jumped to from INPUT and DOCKER-USER by a rule whose comment names the
// installation, and are rebuilt (flush + fill) at every install: idempotent, replaceable,
// and never touching Docker's NAT or another installation's rules.
import { execFile } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import { bridgePrefix } from "@/server/runtime/network";

const IPTABLES = "iptables";

export type FirewallOptions = {
  installation: string;
  /** Host TCP ports containers may open: the router's and the dashboard's. */
  publicPorts: number[];
  /** Private ranges beyond the host that containers may reach (SLIPWAY_DYNO_ALLOWED_CIDRS). */
  allowedCidrs?: string[];
  /** DNS servers containers' lookups go to; default: this host's /etc/resolv.conf. */
  nameservers?: string[];
};

/** Private IPv4 ranges a container may not reach beyond this host unless allowed. */
export const PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"];

/** The IPv4 resolvers of this host (those Docker's embedded DNS forwards to). */
export function hostNameservers(resolvConf = "/etc/resolv.conf"): string[] {
  let text = "";
  try {
    text = fs.readFileSync(resolvConf, "utf8");
  } catch {
    return [];
  }
  return [...text.matchAll(/^\s*nameserver\s+(\S+)/gm)].map((m) => m[1]).filter((a) => net.isIPv4(a) && !a.startsWith("127."));
}

export type FirewallResult = { installed: true } | { installed: false; reason: string };

/** `SLW-<5 hex>-IN` and `-FWD`: short (iptables allows 28 characters), one pair per installation. */
export function firewallChains(installation: string) {
  const tag = crypto.createHash("sha256").update(installation).digest("hex").slice(0, 5);
  return { input: `SLW-${tag}-IN`, forward: `SLW-${tag}-FWD`, comment: `slipway:${installation}` };
}

function iptables(args: string[]): Promise<{ ok: boolean; stderr: string }> {
  // -w: wait for the xtables lock (dockerd changes rules at the same time).
  return new Promise((resolve) => {
    execFile(IPTABLES, ["-w", "5", ...args], { timeout: 15_000 }, (err, _stdout, stderr) => resolve({ ok: !err, stderr: String(stderr || (err as Error | null)?.message || "") }));
  });
}

async function must(args: string[]) {
  const r = await iptables(args);
  if (!r.ok) throw new Error(`iptables ${args.join(" ")}: ${r.stderr.trim()}`);
}

/** Jump rule in `parent`, inserted first unless it is already there. */
async function ensureJump(parent: string, rule: string[]) {
  if ((await iptables(["-C", parent, ...rule])).ok) return;
  await must(["-I", parent, "1", ...rule]);
}

/**
 * Installs (or re-checks and rebuilds) the installation's rules. Never throws: without root
 * or iptables the platform still runs, and says loudly that dynos are not confined.
 */
export async function installFirewall(opts: FirewallOptions): Promise<FirewallResult> {
  const why = await unavailable();
  if (why) {
    console.warn(`slipway: WARNING: ${why}; dynos and builds can reach this host's ports, 169.254.169.254 and the private network around this host (run the platform as root on a host with iptables to confine them)`);
    return { installed: false, reason: why };
  }
  const { input, forward, comment } = firewallChains(opts.installation);
  const bridges = `${bridgePrefix(opts.installation)}+`;
  const ports = [...new Set(opts.publicPorts)].filter((p) => Number.isInteger(p) && p > 0 && p < 65536);
  try {
    for (const chain of [input, forward]) {
      await iptables(["-N", chain]); // fails when it exists: fine, it is flushed next
      await must(["-F", chain]);
    }
    await must(["-A", input, "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "RETURN"]);
    if (ports.length) await must(["-A", input, "-p", "tcp", "-m", "multiport", "--dports", ports.join(","), "-j", "RETURN"]);
    // REJECT, not DROP: a refused connect fails at once instead of hanging a dyno for minutes.
    await must(["-A", input, "-p", "tcp", "-j", "REJECT", "--reject-with", "tcp-reset"]);
    await must(["-A", input, "-j", "REJECT", "--reject-with", "icmp-port-unreachable"]);
    for (const proto of ["tcp", "all"]) {
      const reject = proto === "tcp" ? ["--reject-with", "tcp-reset"] : ["--reject-with", "icmp-net-unreachable"];
      await must(["-A", forward, "-d", "169.254.0.0/16", ...(proto === "tcp" ? ["-p", "tcp"] : []), "-j", "REJECT", ...reject]);
    }
    // Between the installation's own bridges Docker's chains decide (own app: yes; another
    // app's network: its isolation chains drop it).
    await must(["-A", forward, "-o", bridges, "-j", "RETURN"]);
    for (const ns of opts.nameservers ?? hostNameservers()) {
      for (const proto of ["udp", "tcp"]) await must(["-A", forward, "-d", ns, "-p", proto, "--dport", "53", "-j", "RETURN"]);
    }
    for (const cidr of opts.allowedCidrs ?? []) await must(["-A", forward, "-d", cidr, "-j", "RETURN"]);
    for (const cidr of PRIVATE_RANGES) {
      await must(["-A", forward, "-d", cidr, "-p", "tcp", "-j", "REJECT", "--reject-with", "tcp-reset"]);
      await must(["-A", forward, "-d", cidr, "-j", "REJECT", "--reject-with", "icmp-net-unreachable"]);
    }
    await must(["-A", forward, "-j", "RETURN"]);
    await ensureJump("INPUT", ["-i", bridges, "-m", "comment", "--comment", comment, "-j", input]);
    await ensureJump("DOCKER-USER", ["-i", bridges, "-m", "comment", "--comment", comment, "-j", forward]);
    return { installed: true };
  } catch (err) {
    const reason = (err as Error).message;
    console.warn(`slipway: WARNING: the firewall could not be installed (${reason}); dynos are not confined`);
    return { installed: false, reason };
  }
}

/** Whether the installation's rules are in place (the jumps and a filled input chain). */
export async function firewallInstalled(installation: string): Promise<boolean> {
  const { input, forward, comment } = firewallChains(installation);
  const bridges = `${bridgePrefix(installation)}+`;
  const jumps = await Promise.all([
    iptables(["-C", "INPUT", "-i", bridges, "-m", "comment", "--comment", comment, "-j", input]),
    iptables(["-C", "DOCKER-USER", "-i", bridges, "-m", "comment", "--comment", comment, "-j", forward]),
    iptables(["-C", forward, "-d", "169.254.0.0/16", "-p", "tcp", "-j", "REJECT", "--reject-with", "tcp-reset"]),
    iptables(["-C", forward, "-d", PRIVATE_RANGES[0], "-p", "tcp", "-j", "REJECT", "--reject-with", "tcp-reset"]),
  ]);
  return jumps.every((j) => j.ok);
}

/** Removes the installation's jumps and chains (tests, uninstall). */
export async function removeFirewall(installation: string): Promise<void> {
  if (await unavailable()) return;
  const { input, forward, comment } = firewallChains(installation);
  const bridges = `${bridgePrefix(installation)}+`;
  for (const [parent, chain] of [["INPUT", input], ["DOCKER-USER", forward]] as const) {
    while ((await iptables(["-D", parent, "-i", bridges, "-m", "comment", "--comment", comment, "-j", chain])).ok);
    await iptables(["-F", chain]);
    await iptables(["-X", chain]);
  }
}

async function unavailable(): Promise<string | null> {
  if (process.platform !== "linux") return "the firewall needs Linux";
  if (process.getuid?.() !== 0) return "the platform does not run as root, so it cannot install its iptables rules";
  const probe = await iptables(["-S", "DOCKER-USER"]);
  if (!probe.ok) {
    return /No chain|does not exist/i.test(probe.stderr)
      ? "iptables has no DOCKER-USER chain (is the Docker Engine running with its iptables integration?)"
      : `iptables is not usable (${probe.stderr.trim() || "not installed"})`;
  }
  return null;
}

let timer: NodeJS.Timeout | undefined;

/** Installs now and re-checks every few minutes (rules flushed by hand or by a restart come back). */
export async function startFirewall(opts: FirewallOptions): Promise<FirewallResult> {
  const result = await installFirewall(opts);
  if (result.installed && !timer) {
    timer = setInterval(() => {
      void firewallInstalled(opts.installation).then((ok) => (ok ? undefined : installFirewall(opts)));
    }, 5 * 60_000);
    timer.unref();
  }
  return result;
}
