// Request bodies are bounded on the JSON doors: a client that sends (or streams, with no
// Content-Length) a huge body gets 413 in the door's own error shape, and the server stops
// reading early instead of buffering it all.
import { describe, expect, it } from "vitest";
import { TRPCError } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { MAX_JSON_BODY_BYTES, withBodyLimit } from "@/server/http/body-limit";
import { handlePlatformRequest } from "@/server/platform-api/handle";
import { unique, userWithKey } from "@/server/platform-api/test-client";
import { appRouter } from "@/server/trpc/root";

const TOTAL = 64 * 1024 * 1024;

/** A JSON-looking body of `total` bytes, streamed in 64 KB chunks; `pulled()` says how much was read. */
function streamedBody(total: number) {
  let sent = 0;
  const chunk = new Uint8Array(64 * 1024).fill(0x20);
  const stream = new ReadableStream<Uint8Array>({
    start: (c) => c.enqueue(new TextEncoder().encode('{"name":"')),
    pull(c) {
      if (sent >= total) return c.close();
      sent += chunk.byteLength;
      c.enqueue(chunk);
    },
  });
  return { stream, pulled: () => sent };
}

describe("request body limits", () => {
  it("Platform API: 413 payload_too_large for a declared or streamed oversized body, reading little of it", async () => {
    const u = await userWithKey();
    const headers = { Accept: "application/vnd.heroku+json; version=3", Authorization: `Bearer ${u.key}`, "Content-Type": "application/json" };
    const declared = await handlePlatformRequest(
      new Request("http://localhost/api/v3/apps", { method: "POST", headers, body: JSON.stringify({ name: `b-${unique()}`, pad: "x".repeat(MAX_JSON_BODY_BYTES) }) }),
    );
    expect(declared.status).toBe(413);
    expect(await declared.json()).toEqual({ id: "payload_too_large", message: "The request body is larger than 1024 KB." });

    const body = streamedBody(TOTAL);
    const streamed = await handlePlatformRequest(new Request("http://localhost/api/v3/apps", { method: "POST", headers, body: body.stream, duplex: "half" } as RequestInit));
    expect(streamed.status).toBe(413);
    expect((await streamed.json()).id).toBe("payload_too_large");
    expect(body.pulled()).toBeLessThan(4 * MAX_JSON_BODY_BYTES);

    // Within the bound, nothing changes.
    const ok = await handlePlatformRequest(new Request("http://localhost/api/v3/apps", { method: "POST", headers, body: JSON.stringify({ name: `b-${unique()}` }) }));
    expect(ok.status).toBe(201);
  });

  it("tRPC: 413 PAYLOAD_TOO_LARGE in tRPC's error shape for a streamed oversized body", async () => {
    const body = streamedBody(TOTAL);
    // As app/api/trpc/[trpc]/route.ts calls it (that route needs Next's request scope for
    // sessions; http-hardening.integration.test.ts sends the same over real HTTP).
    const req = new Request("http://localhost/api/trpc/apps.create", { method: "POST", headers: { "Content-Type": "application/json" }, body: body.stream, duplex: "half" } as RequestInit);
    const res = await fetchRequestHandler({
      endpoint: "/api/trpc",
      req: withBodyLimit(req, (message) => new TRPCError({ code: "PAYLOAD_TOO_LARGE", message })),
      router: appRouter,
      createContext: () => ({ identity: { userId: "nobody", via: "session" as const } }),
    });
    expect(res.status).toBe(413);
    const answer = (await res.json()) as { error: { json: { message: string; data: { code: string; httpStatus: number } } } };
    expect(answer.error.json).toMatchObject({ message: "The request body is larger than 1024 KB.", data: { code: "PAYLOAD_TOO_LARGE", httpStatus: 413 } });
    expect(body.pulled()).toBeLessThan(4 * MAX_JSON_BODY_BYTES);
  });
});
