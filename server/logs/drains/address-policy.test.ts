import { describe, expect, it } from "vitest";
import { AddressPolicy, parseCidrList, unwrapIPv4 } from "./address-policy";

describe("the drain address policy", () => {
  const policy = new AddressPolicy({ extraDenied: () => ["203.0.113.0/24"] });

  it.each([
    "0.0.0.0", "0.1.2.3", "10.0.0.1", "100.64.0.1", "100.127.255.254", "127.0.0.1", "127.9.9.9", "169.254.169.254",
    "172.16.0.1", "172.31.255.254", "192.0.0.8", "192.168.1.1", "198.18.0.1", "224.0.0.1", "239.1.1.1", "255.255.255.255",
    "::", "::1", "fc00::1", "fd12:3456::1", "fe80::1", "ff02::1",
    "::ffff:127.0.0.1", "::ffff:7f00:1", "::ffff:a9fe:a9fe", "::ffff:10.1.2.3", "64:ff9b::a9fe:a9fe", "::127.0.0.1",
    // A Docker network's subnet outside the private ranges (a daemon with custom pools).
    "203.0.113.7",
  ])("refuses %s", (ip) => expect(policy.permits(ip)).toBe(false));

  it.each(["93.184.215.14", "1.1.1.1", "100.128.0.1", "172.32.0.1", "2606:4700::1111", "::ffff:93.184.215.14"])("permits %s", (ip) => {
    expect(policy.permits(ip)).toBe(true);
  });

  it("lets an admin's ranges through, and only those", () => {
    const lan = new AddressPolicy({ allowed: parseCidrList("10.20.0.0/16, fd00:1::/64") });
    expect(lan.permits("10.20.3.4")).toBe(true);
    expect(lan.permits("::ffff:10.20.3.4")).toBe(true);
    expect(lan.permits("fd00:1::5")).toBe(true);
    expect(lan.permits("10.21.0.1")).toBe(false);
    expect(lan.permits("fd00:2::5")).toBe(false);
  });

  it("reads the IPv4 address inside IPv6 forms", () => {
    expect(unwrapIPv4("::ffff:7f00:1")).toBe("127.0.0.1");
    expect(unwrapIPv4("64:ff9b::c0a8:101")).toBe("192.168.1.1");
    expect(unwrapIPv4("2001:db8::1")).toBe("2001:db8::1");
    expect(() => parseCidrList("10.0.0.0/33")).toThrow(/prefix/);
    expect(() => parseCidrList("example.com/8")).toThrow(/not a CIDR/);
  });

  it("filters a name's answers in lookup, failing with EPRIVATEADDR when none is left", async () => {
    const lookup = (host: string) =>
      new Promise<{ err: NodeJS.ErrnoException | null; all: unknown }>((resolve) =>
        policy.lookup(host, { all: true }, (err, all) => resolve({ err, all })),
      );
    const local = await lookup("localhost");
    expect(local.err?.code).toBe("EPRIVATEADDR");
  });
});
