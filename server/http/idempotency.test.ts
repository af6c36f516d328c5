// A dashboard mutation whose answer is lost on the way back is sent again by the dashboard's
// fetch (components/retrying-fetch.ts) with the same Idempotency-Key; the server answers the
// retry with the first attempt's answer instead of running the mutation twice. Over real
// HTTP: a proxy in front of the tRPC route lets the first request through, then cuts the
// connection before the answer reaches the client.
import http from "node:http";
import type { AddressInfo } from "node:net";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { retryingFetch } from "@/components/retrying-fetch";
import { db } from "@/server/db";
import { createUser } from "@/server/services/users";
import { serveRoutes, trpcRoute } from "@/server/testing/route-server";
import { sessionCookie } from "@/server/testing/session-cookie";

const unique = () => Math.random().toString(36).slice(2, 8);
let server: Awaited<ReturnType<typeof serveRoutes>>;
let proxy: http.Server;
let proxyUrl: string;
/** How many of the next requests the proxy passes on and then cuts before the answer. */
let cutNext = 0;
const seenKeys: (string | undefined)[] = [];

beforeAll(async () => {
  server = await serveRoutes([await trpcRoute()]);
  proxy = http.createServer((req, res) => {
    seenKeys.push(req.headers["idempotency-key"] as string | undefined);
    const cut = cutNext > 0;
    if (cut) cutNext--;
    const upstream = http.request(`${server.url}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
      if (cut) {
        // The server did the work; the client never hears of it.
        answer.resume().on("end", () => req.socket.destroy());
        return;
      }
      res.writeHead(answer.statusCode!, answer.headers);
      answer.pipe(res);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => proxy?.close(resolve));
  await server?.close();
});

async function createKey(fetchImpl: typeof fetch, cookie: string, description: string) {
  return fetchImpl(`${proxyUrl}/api/trpc/account.apiKeys.create`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Cookie: cookie, Origin: proxyUrl },
    body: JSON.stringify(superjson.serialize({ description })),
  });
}

describe("a mutation whose answer was lost", () => {
  it("is sent again with the same key and runs once", async () => {
    const user = await createUser({ email: `idem-${unique()}@example.com`, password: "password1" });
    const cookie = await sessionCookie(user.id);
    const description = `lost-${unique()}`;
    seenKeys.length = 0;
    cutNext = 1;
    const res = await createKey(retryingFetch(fetch, 10), cookie, description);
    expect(res.status).toBe(200);
    expect(res.headers.get("idempotent-replayed")).toBe("true");
    const answer = (await res.json()) as { result: { data: Parameters<typeof superjson.deserialize>[0] } };
    const body = superjson.deserialize<{ token: string }>(answer.result.data);
    expect(body.token).toMatch(/^slw_/);
    // Two requests reached the server with one key; one API key exists, the one the client got.
    expect(seenKeys).toHaveLength(2);
    expect(seenKeys[0]).toMatch(/^[0-9a-f]{36}$/);
    expect(seenKeys[1]).toBe(seenKeys[0]);
    const keys = await db.apiKey.findMany({ where: { userId: user.id, description } });
    expect(keys).toHaveLength(1);
    expect(body.token.startsWith(keys[0].prefix)).toBe(true);
  });

  it("runs twice without the key: what the key prevents", async () => {
    const user = await createUser({ email: `idem-${unique()}@example.com`, password: "password1" });
    const cookie = await sessionCookie(user.id);
    const description = `nokey-${unique()}`;
    cutNext = 1;
    await expect(createKey(fetch, cookie, description)).rejects.toThrow(TypeError);
    expect((await createKey(fetch, cookie, description)).status).toBe(200);
    expect(await db.apiKey.count({ where: { userId: user.id, description } })).toBe(2);
  });

  it("a key replayed by another session runs that session's own call", async () => {
    const [a, b] = await Promise.all([1, 2].map((n) => createUser({ email: `idem${n}-${unique()}@example.com`, password: "password1" })));
    const description = `shared-${unique()}`;
    const send = async (userId: string) =>
      fetch(`${proxyUrl}/api/trpc/account.apiKeys.create`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Cookie: await sessionCookie(userId), Origin: proxyUrl, "Idempotency-Key": "the-same-key-for-both-0123" },
        body: JSON.stringify(superjson.serialize({ description })),
      });
    const [first, second] = [await send(a.id), await send(b.id)];
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(second.headers.get("idempotent-replayed")).toBeNull();
    expect(await db.apiKey.count({ where: { userId: a.id, description } })).toBe(1);
    expect(await db.apiKey.count({ where: { userId: b.id, description } })).toBe(1);
  });
});

describe("retryingFetch", () => {
  it("gives up on a mutation after five attempts at a closed port, never retries an abort, and leaves queries to react-query", async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    let calls = 0;
    const counting: typeof fetch = (input, init) => (calls++, fetch(input, init));
    await expect(retryingFetch(counting, 1)(`http://127.0.0.1:${port}/`, { method: "POST" })).rejects.toThrow(TypeError);
    expect(calls).toBe(5);

    calls = 0;
    const abort = new AbortController();
    abort.abort();
    await expect(retryingFetch(counting, 1)(`http://127.0.0.1:${port}/`, { method: "POST", signal: abort.signal })).rejects.toThrow();
    expect(calls).toBe(1);

    // A query (GET) is react-query's to retry: sent once here.
    calls = 0;
    await expect(retryingFetch(counting, 1)(`http://127.0.0.1:${port}/`)).rejects.toThrow(TypeError);
    expect(calls).toBe(1);
  });
});
