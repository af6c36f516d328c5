import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { renderProxy } from "@/server/router/haproxy";
import type { RoutingTable } from "@/server/router/protocol";
import { issueCert, makeTestCa } from "@/server/testing/tls";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-haproxy-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("the HAProxy configuration", () => {
  it("stays valid while a deploy has two web.1s up (the new one before the old one stops)", () => {
    const table: RoutingTable = {
      version: 7,
      generatedAt: new Date().toISOString(),
      apps: [
        {
          id: "a1",
          name: "shop",
          hostnames: ["shop.localhost", "www.shop.example"],
          maintenance: false,
          web: [
            { dyno: "web.1", host: "10.1.0.2", port: 5000 },
            { dyno: "web.1", host: "10.1.0.3", port: 5000 },
            { dyno: "web.2", host: "10.1.0.4", port: 5000 },
          ],
          idle: null,
        },
      ],
    };
    const cfg = renderProxy(table, { port: 18080, dir, serverTimeoutMs: 30_000 });
    const text = fs.readFileSync(cfg, "utf8");
    expect(text).toContain("server web.1 10.1.0.2:5000");
    expect(text).toContain("server web.1_2 10.1.0.3:5000");
    expect(text).toContain("server web.2 10.1.0.4:5000");
    // HAProxy itself is the judge: a duplicate server name would fail here (and, in the
    // router, leave the old configuration running).
    expect(() => execFileSync("haproxy", ["-c", "-q", "-f", cfg], { stdio: "pipe" })).not.toThrow();
  });

  it("terminates TLS with a crt-list (default certificate first, uploaded ones by SNI) and HAProxy accepts it", () => {
    const ca = makeTestCa();
    const fallback = issueCert(ca, ["*.localhost"]);
    const defaultCert = path.join(dir, "default-test.pem");
    fs.writeFileSync(defaultCert, fallback.certPem + fallback.keyPem);
    const shop = issueCert(ca, ["www.shop.example"]);
    const table: RoutingTable = {
      version: 8,
      generatedAt: new Date().toISOString(),
      apps: [{ id: "a1", name: "shop", hostnames: ["shop.localhost", "www.shop.example"], maintenance: false, web: [], idle: "none", tls: { redirect: true, hsts: true } }],
      certificates: [{ id: "c1", appId: "a1", hostnames: ["www.shop.example"], pem: shop.certPem + shop.keyPem }],
    };
    const cfg = renderProxy(table, { port: 18080, dir, serverTimeoutMs: 30_000, https: { port: 18443, defaultCert } });
    const text = fs.readFileSync(cfg, "utf8");
    expect(text).toMatch(/bind :18443 ssl crt-list \S+certs\.list alpn h2,http\/1\.1/);
    expect(text).toContain("ssl-default-bind-options ssl-min-ver TLSv1.2");
    expect(text).toContain("http-request redirect location https://%[var(txn.host)]:18443%[pathq] code 308 unless { ssl_fc }");
    const list = fs.readFileSync(path.join(dir, "certs.list"), "utf8").trim().split("\n");
    expect(list[0]).toBe(defaultCert);
    expect(list[1]).toMatch(/certs\/c1-[0-9a-f]{16}\.pem www\.shop\.example$/);
    expect(fs.statSync(list[1]!.split(" ")[0]!).mode & 0o777).toBe(0o600);
    expect(() => execFileSync("haproxy", ["-c", "-q", "-f", cfg], { stdio: "pipe" })).not.toThrow();
    fs.rmSync(ca.dir, { recursive: true, force: true });
  });

  it("sends the dashboard's hostname to the control plane (HTTP redirected to HTTPS) with its own certificate", () => {
    const ca = makeTestCa();
    const fallback = issueCert(ca, ["*.localhost"]);
    const defaultCert = path.join(dir, "default-dash.pem");
    fs.writeFileSync(defaultCert, fallback.certPem + fallback.keyPem);
    const dash = issueCert(ca, ["slipway.example.com"]);
    const dashCert = path.join(dir, "dashboard.pem");
    fs.writeFileSync(dashCert, dash.certPem + dash.keyPem);
    const table: RoutingTable = { version: 9, generatedAt: new Date().toISOString(), apps: [] };
    const cfg = renderProxy(table, { port: 18080, dir, serverTimeoutMs: 30_000, https: { port: 443, defaultCert }, dashboard: { host: "Slipway.Example.com", upstream: "127.0.0.1:3000", cert: dashCert } });
    const text = fs.readFileSync(cfg, "utf8");
    expect(text).toContain("http-request redirect location https://%[var(txn.host)]%[pathq] code 308 if { var(txn.host) -m str slipway.example.com } !{ ssl_fc }");
    // After the ACME challenge answer (a dashboard certificate from ACME is validated over HTTP).
    expect(text.indexOf("use_backend dashboard")).toBeGreaterThan(text.indexOf("var(txn.acme) -m found"));
    expect(text.indexOf("use_backend dashboard")).toBeLessThan(text.indexOf("use_backend %[var(txn.host),map("));
    expect(text).toMatch(/backend dashboard\n  timeout server 1h\n.*\n  server control-plane 127\.0\.0\.1:3000\n/);
    const list = fs.readFileSync(path.join(dir, "certs.list"), "utf8").trim().split("\n");
    expect(list).toEqual([defaultCert, `${dashCert} slipway.example.com`]);
    expect(() => execFileSync("haproxy", ["-c", "-q", "-f", cfg], { stdio: "pipe" })).not.toThrow();
    fs.rmSync(ca.dir, { recursive: true, force: true });
  });
});
