// `heroku login -i`'s door (POST /oauth/authorizations with HTTP Basic) over real HTTP, with
// clients connecting from addresses of their own (127.x.y.z), so the per-address limit is
// the platform's own view of the TCP peer — not a header a client could write.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { trackClientAddresses } from "@/server/audit/client-address";
import { LIMITS } from "@/server/auth/throttle";
import { db } from "@/server/db";
import { createUser } from "@/server/services/users";
import { randomLoopbackAddress, requestFrom } from "@/server/testing/from-address";
import { serveRoutes } from "@/server/testing/route-server";

const unique = () => Math.random().toString(36).slice(2, 8);
let server: Awaited<ReturnType<typeof serveRoutes>>;

beforeAll(async () => {
  trackClientAddresses();
  const methods = await import("@/app/api/v3/[...path]/route");
  server = await serveRoutes([{ pattern: /^\/api\/v3\/(.+)$/, params: (m) => ({ path: m[1]!.split("/") }), methods: methods as never }]);
});
afterAll(() => server.close());

function login(from: string, email: string, password: string, headers: Record<string, string> = {}) {
  return requestFrom(from, `${server.url}/api/v3/oauth/authorizations`, {
    method: "POST",
    headers: {
      Accept: "application/vnd.heroku+json; version=3",
      "Content-Type": "application/json",
      Authorization: `Basic ${Buffer.from(`${email}:${password}`).toString("base64")}`,
      ...headers,
    },
    body: JSON.stringify({ description: "login protection test" }),
  });
}

const account = async (prefix: string) => {
  const password = `pw-${unique()}-${unique()}`;
  const user = await createUser({ email: `${prefix}-${unique()}@example.com`, password });
  return { ...user, password };
};

// Each sign-in costs a bcrypt compare (cost 12, a second or more on a busy machine).
describe("POST /oauth/authorizations is rate limited per account and per address", { timeout: 240_000 }, () => {
  it("ten wrong passwords, then 429 rate_limit with Retry-After — even for the right password, from any address", async () => {
    const victim = await account("victim");
    const from = randomLoopbackAddress();
    for (let i = 0; i < LIMITS.failures; i++) {
      const res = await login(from, victim.email, `wrong-${i}`);
      expect(res.status).toBe(401);
      expect(JSON.parse(res.text)).toMatchObject({ id: "unauthorized" });
    }
    for (const address of [from, randomLoopbackAddress()]) {
      const res = await login(address, victim.email, victim.password);
      expect(res.status).toBe(429);
      expect(Number(res.headers["retry-after"])).toBeGreaterThan(14 * 60);
      expect(Number(res.headers["retry-after"])).toBeLessThanOrEqual(15 * 60);
      expect(JSON.parse(res.text)).toEqual({ id: "rate_limit", message: expect.stringMatching(/^Too many failed attempts .* Try again in 15 minutes\.$/) });
    }
    // The failures are in the audit trail, with the address the platform saw.
    const events = await db.activityEvent.findMany({ where: { kind: "auth.sign_in_failed", userId: victim.id } });
    expect(events).toHaveLength(LIMITS.failures);
    expect(events.every((e) => e.ip === from && e.via === "cli" && e.actorEmail === victim.email)).toBe(true);
  });

  it("ten failures from one address on ten accounts lock that address (not those accounts), whatever X-Forwarded-For says", async () => {
    const sprayer = randomLoopbackAddress();
    for (let i = 0; i < LIMITS.failures; i++) expect((await login(sprayer, `nobody-${unique()}@example.com`, "guess")).status).toBe(401);
    const bystander = await account("bystander");
    const refused = await login(sprayer, bystander.email, bystander.password, { "X-Forwarded-For": "203.0.113.50", "X-Real-IP": "203.0.113.50" });
    expect(refused.status).toBe(429);
    expect(refused.headers["retry-after"]).toBeDefined();
    // The same account from another address signs in; naming the locked address in a header
    // does not lock anyone else out either.
    const elsewhere = await login(randomLoopbackAddress(), bystander.email, bystander.password, { "X-Forwarded-For": sprayer });
    expect(elsewhere.status).toBe(201);
    expect(JSON.parse(elsewhere.text)).toMatchObject({ access_token: { token: expect.stringMatching(/^slw_/) } });
  });

  it("successful sign-ins are never counted", async () => {
    const regular = await account("regular");
    const from = randomLoopbackAddress();
    for (let i = 0; i < 3; i++) expect((await login(from, regular.email, regular.password)).status).toBe(201);
    expect(await db.authThrottle.count({ where: { key: { in: [`ip:${from}`, `email:${regular.email}`] } } })).toBe(0);
  });
});
