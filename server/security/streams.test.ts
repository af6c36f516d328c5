// Leaving takes effect at once for streams already open: a log tail (SSE), a tRPC
// subscription over HTTP and a log session's token, opened by a team member, end when
// the member is removed; a tail opened with an API key ends when the key is revoked.
import http from "node:http";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/server/db";
import { createLogSession } from "@/server/logs/session";
import { closeLogStreams } from "@/server/logs/stream";
import { accessChanged } from "@/server/runtime/events";
import { watchAccess } from "@/server/security/access-watch";
import { createApiKey, revokeApiKey } from "@/server/services/api-keys";
import { createUser } from "@/server/services/users";
import { appStreamRoutes, serveRoutes, trpcRoute } from "@/server/testing/route-server";
import { sessionCookie } from "@/server/testing/session-cookie";

const unique = () => Math.random().toString(36).slice(2, 8);
const BOUND_MS = 5_000;
let server: Awaited<ReturnType<typeof serveRoutes>>;
let team: { id: string };
let app: { id: string; name: string };

async function newMember(role = "member") {
  const user = await createUser({ email: `stream-${unique()}@example.com`, password: "password1" });
  await db.teamMember.create({ data: { teamId: team.id, userId: user.id, role } });
  const key = await createApiKey({ userId: user.id, description: "streams" });
  return { id: user.id, cookie: await sessionCookie(user.id), key: key.token, keyId: key.id };
}

/** Opens a streaming GET; resolves once the first bytes arrived, with a promise of its end. */
function openStream(path: string, headers: Record<string, string>) {
  return new Promise<{ status: number; first: string; ended: Promise<string> }>((resolve, reject) => {
    const req = http.get(`${server.url}${path}`, { headers }, (res) => {
      let text = "";
      let first = true;
      const ended = new Promise<string>((done) => res.on("end", () => done(text)).on("close", () => done(text)));
      res.setEncoding("utf8").on("data", (chunk: string) => {
        text += chunk;
        if (first) (first = false), resolve({ status: res.statusCode!, first: chunk, ended });
      });
      res.on("end", () => first && resolve({ status: res.statusCode!, first: text, ended }));
    });
    req.on("error", reject);
  });
}

function within<T>(p: Promise<T>, what: string): Promise<T> {
  const late = new Promise<T>((_, reject) => {
    setTimeout(() => reject(new Error(`${what} did not end within ${BOUND_MS} ms`)), BOUND_MS).unref();
  });
  return Promise.race([p, late]);
}

async function removeFromTeam(userId: string) {
  await db.teamMember.deleteMany({ where: { teamId: team.id, userId } });
  accessChanged({ userId, teamId: team.id });
}

beforeAll(async () => {
  server = await serveRoutes([await trpcRoute(), ...(await appStreamRoutes())]);
  team = await db.team.create({ data: { name: `streams-${unique()}` } });
  app = await db.app.create({ data: { name: `streams-${unique()}`, teamId: team.id } });
});

afterAll(async () => {
  closeLogStreams(); // the bystander's tail
  await server?.close();
});

describe("open streams end when access does", () => {
  it("a member's SSE log tail ends when they are removed from the team", async () => {
    const member = await newMember();
    const bystander = await newMember();
    const tail = await openStream(`/api/apps/${app.name}/logs?tail=1`, { Cookie: member.cookie });
    const other = await openStream(`/api/apps/${app.name}/logs?tail=1`, { Cookie: bystander.cookie });
    expect(tail.status).toBe(200);
    expect(tail.first).toContain("retry: 2000");
    await removeFromTeam(member.id);
    await within(tail.ended, "the removed member's tail");
    // Someone else's tail on the same app is not touched (it is closed by the test's end).
    const stillOpen = await Promise.race([other.ended.then(() => false), new Promise((r) => setTimeout(() => r(true), 300))]);
    expect(stillOpen).toBe(true);
    // And the door stays shut for a new tail.
    const again = await openStream(`/api/apps/${app.name}/logs?tail=1`, { Cookie: member.cookie });
    expect(again.status).toBe(404);
  });

  it("a tRPC dynos.watch subscription over HTTP ends when the member is removed", async () => {
    const member = await newMember();
    const input = encodeURIComponent(JSON.stringify(superjson.serialize({ app: app.name })));
    const watch = await openStream(`/api/trpc/dynos.watch?input=${input}`, { Cookie: member.cookie, Accept: "text/event-stream" });
    expect(watch.status).toBe(200);
    await removeFromTeam(member.id);
    const text = await within(watch.ended, "the dynos.watch subscription");
    expect(text).toContain("event: return"); // ended cleanly, so the client does not reconnect
  });

  it("a tail opened with an API key ends when the key is revoked", async () => {
    const member = await newMember("admin");
    const tail = await openStream(`/api/apps/${app.name}/logs?tail=1`, { Authorization: `Bearer ${member.key}` });
    expect(tail.status).toBe(200);
    await revokeApiKey({ userId: member.id, keyId: member.keyId });
    await within(tail.ended, "the revoked key's tail");
  });

  it("a CLI log session's token is checked when used and while its tail runs", async () => {
    const member = await newMember();
    const tokenPath = (keyId: string | null) => {
      const url = new URL(createLogSession({ appId: app.id, appName: app.name, userId: member.id, keyId, tail: true }).logplex_url);
      return url.pathname + url.search;
    };
    const tail = await openStream(tokenPath(member.keyId), {});
    expect(tail.status).toBe(200);
    await removeFromTeam(member.id);
    await within(tail.ended, "the log session's tail");
    expect((await openStream(tokenPath(member.keyId), {})).status).toBe(404); // the token grants nothing by itself

    const other = await newMember();
    const path = new URL(createLogSession({ appId: app.id, appName: app.name, userId: other.id, keyId: other.keyId, tail: true }).logplex_url);
    await revokeApiKey({ userId: other.id, keyId: other.keyId });
    const refused = await openStream(path.pathname + path.search, {});
    expect(refused.status).toBe(401);
    expect(JSON.parse(refused.first).error.message).toMatch(/has been revoked/);
  });

  it("notices a change nobody announced on its next periodic check", async () => {
    const member = await newMember();
    let lost = false;
    const stop = watchAccess({ userId: member.id, appId: app.id, operation: "logs:read", intervalMs: 100, onLost: () => (lost = true) });
    await db.teamMember.deleteMany({ where: { teamId: team.id, userId: member.id } }); // no accessChanged
    const deadline = Date.now() + BOUND_MS;
    while (!lost && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    stop();
    expect(lost).toBe(true);
  });
});
