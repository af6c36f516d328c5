// The log buffer's order, on real files: a line that arrives after newer ones (a router
// line read from the router's request log) takes its place by time, for readers of the
// buffer and after a reload from disk, while ids keep arrival order for live tails and
// Last-Event-ID. The path from HAProxy to this buffer is in server/router/log-order.test.ts.
import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { logEventStream } from "@/server/logs/stream";
import { appendLog, logTime, recentLogs, subscribeLogs, unloadLogs } from "@/server/logs/store";

const at = (base: number, ms: number) => logTime(new Date(base + ms));

async function readAll(stream: ReadableStream<Uint8Array>) {
  let text = "";
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) text += new TextDecoder().decode(chunk);
  return text.split("\n\n").filter((b) => b.includes("data: ")).map((b) => ({ id: Number(/^id: (\d+)/m.exec(b)?.[1]), line: JSON.parse(/^data: (.*)$/m.exec(b)![1]!) as { id: number; message: string } }));
}

describe("the log buffer", () => {
  it("puts a late line in its place by time; ids follow arrival for tails and resume", () => {
    const appId = `order-${crypto.randomUUID()}`;
    const base = Date.now();
    const live: string[] = [];
    const unsubscribe = subscribeLogs(appId, (l) => live.push(l.message));
    const add = (ms: number, message: string, dyno = "web.1") => appendLog(appId, { at: at(base, ms), source: dyno === "router" ? "slipway" : "app", dyno, message });
    add(0, "handling 1");
    add(30, "handling 2");
    add(60, "handling 3");
    const late = add(10, "router 1", "router"); // ended at 10 ms, read after the dyno's later lines
    add(40, "router 2", "router");
    add(40, "same time, later arrival");
    unsubscribe();

    const order = ["handling 1", "router 1", "handling 2", "router 2", "same time, later arrival", "handling 3"];
    expect(recentLogs(appId).map((l) => l.message)).toEqual(order);
    const times = recentLogs(appId).map((l) => l.at);
    expect([...times].sort()).toEqual(times);
    // A live tail got them as they came, each id once and increasing.
    expect(live).toEqual(["handling 1", "handling 2", "handling 3", "router 1", "router 2", "same time, later arrival"]);
    expect(late.id).toBe(4);

    // The same order from disk, and the next id after the highest.
    unloadLogs();
    expect(recentLogs(appId).map((l) => l.message)).toEqual(order);
    expect(add(70, "after reload").id).toBe(7);
  });

  it("sends the buffer in time order, and a resume from any point of it loses no line", async () => {
    const appId = `order-${crypto.randomUUID()}`;
    const base = Date.now();
    const add = (ms: number, message: string) => appendLog(appId, { at: at(base, ms), source: "app", dyno: "web.1", message });
    add(0, "a");
    add(20, "c");
    add(10, "b (late)");
    add(30, "d");
    const open = (after?: number) => readAll(logEventStream({ appId, lines: 100, tail: false, filter: {}, format: "json", after }));
    const all = await open();
    expect(all.map((e) => e.line.message)).toEqual(["a", "b (late)", "c", "d"]);
    expect(all.map((e) => e.line.id)).toEqual([1, 3, 2, 4]);
    // The SSE id is where a resume picks up: never past a line not yet sent.
    expect(all.map((e) => e.id)).toEqual([1, 1, 3, 4]);
    for (const [i, e] of all.entries()) {
      const resumed = await open(e.id);
      const got = new Set([...all.slice(0, i + 1), ...resumed].map((r) => r.line.message));
      expect([...got].sort(), `resumed after SSE id ${e.id}`).toEqual(["a", "b (late)", "c", "d"]);
    }
  });
});
