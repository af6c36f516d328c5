// Bridge networks on subnets of the installation's own range (runtime/drivers/subnets.ts): past
// Docker's ~31 default-pool networks, on the real Engine.
import { afterAll, describe, expect, it } from "vitest";
import { unique } from "@/server/testing/callers";
import { docker } from "@/server/runtime/docker";
import { createBridgeNetwork, freeSubnets, hostRoutes, parseCidr } from "@/server/runtime/drivers/subnets";

describe("subnet arithmetic", () => {
  it("reads this host's routes and skips what they and other networks cover", () => {
    const routes = hostRoutes(
      "Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\tMTU\tWindow\tIRTT\n" +
        "eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n" + // default route: ignored
        "eth0\t0000C80A\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0\n" + // 10.200.0.0/16
        "docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0\n", // 172.17.0.0/16
    );
    expect(routes).toEqual([parseCidr("10.200.0.0/16"), parseCidr("172.17.0.0/16")]);
    expect(freeSubnets(parseCidr("10.200.0.0/14"), routes)).toEqual(["10.201.0.0/24"]);
    expect(freeSubnets(parseCidr("10.200.0.0/14"), [...routes, parseCidr("10.201.0.0/23")], new Set(["10.201.2.0/24"]))).toEqual(["10.201.3.0/24"]);
    expect(freeSubnets(parseCidr("10.200.0.0/23"), [parseCidr("10.0.0.0/8")])).toEqual([]);
    // After a collision the allocator picks among the next free ones (at most the limit).
    expect(freeSubnets(parseCidr("10.200.0.0/22"), [parseCidr("10.200.1.0/24")], new Set(["10.200.3.0/24"]), 64)).toEqual(["10.200.0.0/24", "10.200.2.0/24"]);
    expect(freeSubnets(parseCidr("10.200.0.0/14"), [], new Set(), 3)).toEqual(["10.200.0.0/24", "10.200.1.0/24", "10.200.2.0/24"]);
    expect(() => parseCidr("10.200.0.0")).toThrow(/not an IPv4 CIDR/);
  });
});

describe("createBridgeNetwork on the Engine", () => {
  const prefix = `test-subnets-${unique()}`;
  afterAll(async () => {
    const nets = await docker().listNetworks({ filters: { name: [prefix] } });
    await Promise.all(nets.map((n) => docker().getNetwork(n.Id).remove().catch(() => undefined)));
  });

  it("makes 40 networks at once, more than Docker's default pools hold, each on its own /24 of the range", async () => {
    const names = Array.from({ length: 40 }, (_, i) => `${prefix}-${i}`);
    await Promise.all(names.map((Name) => createBridgeNetwork(docker(), { Name, Driver: "bridge", CheckDuplicate: true, Labels: { "slipway.test": prefix } })));
    const configs = await Promise.all(names.map(async (n) => (await docker().getNetwork(n).inspect()).IPAM?.Config?.[0]));
    const subnets = configs.map((c) => c?.Subnet as string);
    expect(configs.map((c) => c?.Gateway)).toEqual(subnets.map((s) => s.replace(/\.0\/24$/, ".1")));
    expect(new Set(subnets).size).toBe(40);
    const range = parseCidr(process.env.SLIPWAY_BRIDGE_SUBNETS || "10.200.0.0/14");
    for (const s of subnets) {
      const { base, bits } = parseCidr(s);
      expect(bits).toBe(24);
      expect(base >= range.base && base < range.base + 2 ** (32 - range.bits)).toBe(true);
    }
    // Every other network of the Engine, and every route of this host, is left alone.
    const others = (await docker().listNetworks())
      .filter((n) => !names.includes(n.Name))
      .flatMap((n) => (n.IPAM?.Config ?? []).map((c) => c.Subnet))
      .filter((s): s is string => !!s && s.includes("."));
    for (const taken of [...others.map(parseCidr), ...hostRoutes().filter((r) => r.bits > 0)]) {
      for (const s of subnets.map(parseCidr)) {
        const end = (r: { base: number; bits: number }) => r.base + 2 ** (32 - r.bits);
        const overlapping = s.base < end(taken) && taken.base < end(s);
        const ours = hostRoutes().some((r) => r.base === s.base && r.bits === s.bits); // the new bridges' own routes
        expect(overlapping && !ours).toBe(false);
      }
    }
  });
});
