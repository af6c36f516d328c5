// Over real HTTP against a running platform: the dashboard's security headers, and the
// JSON doors' body bound (the tRPC route needs Next's request scope, so it is tried here).
import { describe, expect, it } from "vitest";
import { baseUrl, bearer, newUser } from "@/server/testing/heroku-cli";

describe.skipIf(!baseUrl)("HTTP hardening", { timeout: 60_000 }, () => {
  it("sends CSP with frame-ancestors 'none', nosniff, a referrer and a permissions policy on pages and API answers", async () => {
    for (const path of ["/login", "/apps", "/api/trpc/formation.sizes"]) {
      const res = await fetch(`${baseUrl}${path}`, { redirect: "manual" });
      const csp = res.headers.get("content-security-policy") ?? "";
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).toContain("default-src 'self'");
      expect(csp, path).toContain("object-src 'none'");
      expect(csp, path).not.toContain("'unsafe-eval'"); // production build
      expect(res.headers.get("x-content-type-options"), path).toBe("nosniff");
      expect(res.headers.get("x-frame-options"), path).toBe("DENY");
      expect(res.headers.get("referrer-policy"), path).toBe("same-origin");
      expect(res.headers.get("permissions-policy"), path).toContain("camera=()");
    }
  });

  it("refuses a 2 MB body with 413 on tRPC and on the Platform API", async () => {
    const { apiKey } = await newUser("body");
    const big = JSON.stringify({ json: { name: "x".repeat(2 * 1024 * 1024) } });
    const trpc = await fetch(`${baseUrl}/api/trpc/apps.create`, { method: "POST", headers: { "Content-Type": "application/json", ...bearer(apiKey) }, body: big });
    expect(trpc.status).toBe(413);
    expect(((await trpc.json()) as { error: { json: { data: { code: string } } } }).error.json.data.code).toBe("PAYLOAD_TOO_LARGE");
    const v3 = await fetch(`${baseUrl}/apps`, {
      method: "POST",
      headers: { Accept: "application/vnd.heroku+json; version=3", "Content-Type": "application/json", ...bearer(apiKey) },
      body: big,
    });
    expect(v3.status).toBe(413);
    expect(await v3.json()).toMatchObject({ id: "payload_too_large" });
  });
});
