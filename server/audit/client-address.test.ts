import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { normalizeAddress, resolveClientAddress, trackClientAddresses, trustedProxies } from "@/server/audit/client-address";
import { clientIp } from "@/server/audit/origin";
import { requestFrom } from "@/server/testing/from-address";

describe("the client's address", () => {
  it("is the TCP peer, whatever X-Forwarded-For says, unless the peer is a trusted proxy", () => {
    expect(resolveClientAddress("::ffff:127.0.0.9", "203.0.113.1", null)).toBe("127.0.0.9");
    const proxies = trustedProxies(["10.0.0.0/8", "::1"]);
    // Behind trusted proxies: the nearest hop (from the right) that is not one of them.
    expect(resolveClientAddress("10.0.0.2", "198.51.100.7, 203.0.113.5, 10.0.0.3", proxies)).toBe("203.0.113.5");
    expect(resolveClientAddress("::1", "2001:db8::1", proxies)).toBe("2001:db8::1");
    // An untrusted peer's header is ignored; garbage stops the walk at the last proxy.
    expect(resolveClientAddress("192.0.2.8", "10.0.0.9", proxies)).toBe("192.0.2.8");
    expect(resolveClientAddress("10.0.0.2", "not-an-ip", proxies)).toBe("10.0.0.2");
    expect(normalizeAddress("::FFFF:192.0.2.1")).toBe("192.0.2.1");
    expect(() => trustedProxies(["10.0.0.0/33"])).toThrow(/SLIPWAY_TRUSTED_PROXIES/);
  });

  describe("as the HTTP server stamps it", () => {
    let server: http.Server;
    let url: string;
    beforeAll(async () => {
      trackClientAddresses();
      server = http.createServer((req, res) => res.end(JSON.stringify({ ip: clientIp(req.headers as Record<string, string>) })));
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it("cannot be forged with X-Forwarded-For or X-Real-IP", async () => {
      const res = await requestFrom("127.0.0.23", url, { headers: { "X-Forwarded-For": "203.0.113.9", "X-Real-IP": "203.0.113.9" } });
      expect(JSON.parse(res.text)).toEqual({ ip: "127.0.0.23" });
    });

    it("is unknown (not believed) for headers that no server stamped", () => {
      expect(clientIp(new Headers({ "x-forwarded-for": "203.0.113.9", "x-real-ip": "203.0.113.9" }))).toBeNull();
    });
  });
});
