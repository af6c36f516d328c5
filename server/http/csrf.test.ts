// CSRF over real HTTP: requests carrying the dashboard's session cookie and a foreign
// Origin (or Sec-Fetch-Site) are refused before anything changes; our own pages, API
// keys and reads pass; the Platform API never takes the cookie at all.
import http from "node:http";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/server/db";
import { createApiKey } from "@/server/services/api-keys";
import { createApp } from "@/server/services/apps";
import { createUser } from "@/server/services/users";
import { appStreamRoutes, gitRoute, platformRoute, serveRoutes, trpcRoute } from "@/server/testing/route-server";
import { sessionCookie } from "@/server/testing/session-cookie";

const unique = () => Math.random().toString(36).slice(2, 8);
let server: Awaited<ReturnType<typeof serveRoutes>>;
let cookie: string;
let key: string;
let userId: string;
let appName: string;

/** A raw HTTP request (fetch would not let a test set Origin or Sec-Fetch-* as a browser does). */
function request(method: string, path: string, headers: Record<string, string>, body?: string) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const req = http.request(`${server.url}${path}`, { method, headers: { ...(body ? { "Content-Type": "application/json", "Content-Length": String(Buffer.byteLength(body)) } : {}), ...headers } }, (res) => {
      let text = "";
      res.setEncoding("utf8").on("data", (c: string) => (text += c)).on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

const createAppCall = (name: string, headers: Record<string, string>) => request("POST", "/api/trpc/apps.create", headers, JSON.stringify(superjson.serialize({ name })));

beforeAll(async () => {
  server = await serveRoutes([await trpcRoute(), ...(await appStreamRoutes()), await platformRoute(), await gitRoute()]);
  const user = await createUser({ email: `csrf-${unique()}@example.com`, password: "password1" });
  userId = user.id;
  cookie = await sessionCookie(user.id);
  key = (await createApiKey({ userId, description: "csrf" })).token;
  appName = (await createApp({ userId, name: `csrf-${unique()}` })).name;
});

afterAll(async () => {
  await server?.close();
});

describe("cross-site requests with the session cookie", () => {
  it("refuses a tRPC mutation from another origin, and changes nothing", async () => {
    const foreign: Record<string, string>[] = [
      { Origin: "https://evil.example" },
      { Origin: "https://evil.example", "Sec-Fetch-Site": "cross-site" },
      { Origin: `http://myapp.localhost`, "Sec-Fetch-Site": "same-site" }, // an app on a subdomain
      { Origin: "null" }, // a page that hides where it is
    ];
    for (const headers of foreign) {
      const name = `csrf-${unique()}`;
      const res = await createAppCall(name, { Cookie: cookie, ...headers });
      expect(res.status, JSON.stringify(headers)).toBe(403);
      const error = superjson.deserialize((JSON.parse(res.body) as { error: never }).error) as { message: string; data: { code: string } };
      expect(error.data.code).toBe("FORBIDDEN");
      expect(error.message).toMatch(/not from Slipway's dashboard, so it was refused/);
      expect(await db.app.count({ where: { name } })).toBe(0);
    }
  });

  it("lets the dashboard's own requests through, and API keys from anywhere", async () => {
    const own: Record<string, string>[] = [
      { Origin: server.url }, // Origin matches Host
      { Origin: server.url, "Sec-Fetch-Site": "same-origin" },
      { "Sec-Fetch-Site": "none" }, // typed into the address bar / a bookmark
      {}, // no browser at all (a script with a cookie): browsers always send Origin on a cross-site POST
    ];
    for (const headers of own) {
      const name = `csrf-${unique()}`;
      const res = await createAppCall(name, { Cookie: cookie, ...headers });
      expect(res.status, `${JSON.stringify(headers)}: ${res.body}`).toBe(200);
      expect(await db.app.count({ where: { name } })).toBe(1);
    }
    const name = `csrf-${unique()}`;
    const res = await createAppCall(name, { Authorization: `Bearer ${key}`, Cookie: cookie, Origin: "https://evil.example", "Sec-Fetch-Site": "cross-site" });
    expect(res.status).toBe(200);
    // Reads are not refused (the browser keeps their answers from the other site).
    const read = await request("GET", `/api/trpc/apps.list?input=${encodeURIComponent(JSON.stringify(superjson.serialize({})))}`, { Cookie: cookie, Origin: "https://evil.example" });
    expect(read.status).toBe(200);
  });

  it("refuses a route handler's POST from another origin in the one error shape", async () => {
    const foreign = await request("POST", `/api/apps/${appName}/run`, { Cookie: cookie, Origin: "https://evil.example" }, JSON.stringify({ command: "echo hi" }));
    expect(foreign.status).toBe(403);
    expect(JSON.parse(foreign.body)).toEqual({ error: { code: "FORBIDDEN", message: expect.stringMatching(/^This request came from https:\/\/evil\.example, not from Slipway's dashboard/) } });
    // From our own page it gets past the access check (and stops at the body: no dyno starts).
    const own = await request("POST", `/api/apps/${appName}/run`, { Cookie: cookie, Origin: server.url }, JSON.stringify({}));
    expect(own.status).toBe(400);
    expect(JSON.parse(own.body)).toEqual({ error: { code: "BAD_REQUEST", message: "command: Invalid input: expected string, received undefined" } });
  });

  it("the Platform API ignores the session cookie", async () => {
    const res = await request("GET", "/api/v3/account", { Cookie: cookie, Accept: "application/vnd.heroku+json; version=3" });
    expect(res.status).toBe(401);
    const ok = await request("GET", "/api/v3/account", { Authorization: `Bearer ${key}`, Accept: "application/vnd.heroku+json; version=3" });
    expect(ok.status).toBe(200);
  });
});

describe("one error shape", () => {
  it("JSON for the dashboard and scripts, text for git (with the Basic challenge)", async () => {
    const anon = await request("POST", `/api/apps/${appName}/run`, {}, JSON.stringify({ command: "x" }));
    expect(anon.status).toBe(401);
    expect(JSON.parse(anon.body)).toEqual({ error: { code: "UNAUTHORIZED", message: "Sign in first, or send an API key (Authorization: Bearer)." } });
    const hidden = await request("GET", `/api/apps/no-such-app-${unique()}/logs`, { Authorization: `Bearer ${key}` });
    expect(hidden.status).toBe(404);
    expect(JSON.parse(hidden.body).error).toMatchObject({ code: "NOT_FOUND", message: expect.stringMatching(/^Couldn't find app no-such-app-\w+, or you don't have access to it\.$/) });
    const git = await request("GET", `/${appName}.git/info/refs?service=git-receive-pack`, {});
    expect(git.status).toBe(401);
    expect(git.headers["content-type"]).toMatch(/^text\/plain/);
    expect(git.headers["www-authenticate"]).toBe('Basic realm="Slipway"');
    expect(git.body).toBe("Authentication required: use an API key as the password.\n");
  });
});
