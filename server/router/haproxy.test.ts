import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { renderProxy } from "@/server/router/haproxy";
import type { RoutingTable } from "@/server/router/protocol";

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
});
