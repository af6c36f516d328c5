// Quotas through the doors of a running platform: the official CLI asks for
// 100 × performance-l and is refused with the limit and the use named; nothing changes.
// Runs only against a started platform (scripts/with-platform.sh sets SLIPWAY_TEST_BASE_URL).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, apiOk, baseUrl, bearer, heroku, newUser, ok, removeHomes, unique } from "@/server/testing/heroku-cli";

describe.skipIf(!baseUrl)("quotas at the doors", { timeout: 180_000 }, () => {
  const app = `quota-${unique()}-${unique()}`;
  let apiKey: string;
  /** The CLI wraps long errors at 80 columns, continuing each line with " ›   ". */
  const unwrapped = (text: string) => text.replace(/\s*\n\s*›\s+/g, " ");

  beforeAll(async () => {
    ({ apiKey } = await newUser("quota"));
    await apiOk("POST", "/apps", apiKey, { name: app }); // apps:create is heroku-cli's case
    // An image release gives the app a web process type (no build needed).
    const res = await fetch(`${baseUrl}/api/trpc/releases.deployImage`, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...bearer(apiKey) },
      body: JSON.stringify({ json: { app, image: "slipway/stack:bookworm", processTypes: { web: "sleep 3600" } } }),
    });
    expect(res.status, await res.clone().text()).toBe(200);
  });

  afterAll(async () => {
    await api("DELETE", `/apps/${app}`, bearer(apiKey));
    removeHomes();
  });

  it("ps:scale web=100:performance-l is refused with the limit and the use, and the formation stays", async () => {
    const run = await heroku(["ps:scale", "web=100:performance-l", "-a", app], { apiKey });
    expect(run.code).not.toBe(0);
    expect(unwrapped(run.stderr)).toMatch(/This would use 1400 GB of dyno memory; your limit is [\d.]+ GB \(512 MB in use\)\./);
    expect((await ok(["ps:scale", "-a", app], { apiKey })).stdout.trim()).toBe("web=1:standard-1x");
  });

  it("answers the Platform API with 422 quota_exceeded, and tRPC with UNPROCESSABLE_CONTENT", async () => {
    const patch = await api("PATCH", `/apps/${app}/formation`, bearer(apiKey), { updates: [{ type: "web", quantity: "11" }] });
    expect(patch).toEqual({ status: 422, body: { id: "quota_exceeded", message: "You can run at most 10 dynos per process type; web would have 11 (1 running)." } });
    const res = await fetch(`${baseUrl}/api/trpc/formation.update`, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...bearer(apiKey) },
      body: JSON.stringify({ json: { app, updates: [{ type: "web", quantity: 1, size: "performance-l" }] } }),
    });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { error: { json: { message: string; data: { code: string } } } };
    expect(body.error.json.data.code).toBe("UNPROCESSABLE_CONTENT");
    expect(body.error.json.message).toMatch(/^This would use 14 GB of dyno memory; your limit is [\d.]+ GB \(512 MB in use\)\.$/);
    expect((await ok(["ps:scale", "-a", app], { apiKey })).stdout.trim()).toBe("web=1:standard-1x");
  });
});
