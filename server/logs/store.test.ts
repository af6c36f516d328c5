// The log buffer's order, on real files: a line that arrives after newer ones (a router
// line read from the router's request log) takes its place by time, for readers of the
// buffer and after a reload from disk, while ids keep arrival order for live tails and
// Last-Event-ID. The path from HAProxy to this buffer is in server/router/log-order.test.ts.
import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { logEventStream } from "@/server/logs/stream";
import { appendLog, BUFFER_LINES, logCursor, logFootprint, logTime, MAX_CURSORS, recentLogs, subscribeLogs, UNLOAD_IDLE_MS, unloadIdleLogs, unloadLogs } from "@/server/logs/store";

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

describe("what the log bus keeps in memory", () => {
  const line = (base: number, i: number, extra: Partial<Parameters<typeof appendLog>[1]> = {}) =>
    ({ at: at(base, i), source: "app", dyno: "web.1", message: `line ${i}`, ...extra }) as const;

  it("keeps one app's buffer near BUFFER_LINES, never twice that", () => {
    unloadLogs();
    const appId = `trim-${crypto.randomUUID()}`;
    const base = Date.now();
    let most = 0;
    for (let i = 0; i < BUFFER_LINES * 3; i++) {
      appendLog(appId, line(base, i));
      most = Math.max(most, logFootprint().lines);
    }
    expect(most).toBeLessThanOrEqual(BUFFER_LINES + 100);
    const recent = recentLogs(appId);
    expect(recent).toHaveLength(BUFFER_LINES);
    expect(recent.at(-1)!.message).toBe(`line ${BUFFER_LINES * 3 - 1}`);
  });

  it("keeps the read positions of the most recently read containers only", () => {
    unloadLogs();
    const appId = `cursors-${crypto.randomUUID()}`;
    const base = Date.now();
    // A long-running container read first, then many short-lived ones (restarts), then it again.
    appendLog(appId, line(base, 0, { container: "long-lived", ns: 1n }));
    for (let i = 1; i <= MAX_CURSORS + 50; i++) appendLog(appId, line(base, i, { container: `restart-${i}`, ns: BigInt(i) }));
    appendLog(appId, line(base, 1_000, { container: "long-lived", ns: 1_000n }));
    for (let i = 0; i < 20; i++) appendLog(appId, line(base, 2_000 + i, { container: `later-${i}`, ns: BigInt(2_000 + i) }));
    expect(logFootprint().cursors).toBe(MAX_CURSORS);
    expect(logCursor(appId, "long-lived")).toBe(1_000n);
    expect(logCursor(appId, "restart-1")).toBeUndefined();
    expect(logCursor(appId, `restart-${MAX_CURSORS + 50}`)).toBe(BigInt(MAX_CURSORS + 50));
    // The same positions after a reload from the file.
    unloadLogs();
    expect(logCursor(appId, "long-lived")).toBe(1_000n);
    expect(logFootprint().cursors).toBeLessThanOrEqual(MAX_CURSORS);
  });

  it("drops buffers unused for UNLOAD_IDLE_MS (not a subscribed one); a dropped one reads back from its file", () => {
    unloadLogs();
    const base = Date.now();
    const ids = Array.from({ length: 30 }, () => `idle-${crypto.randomUUID()}`);
    const watched: string[] = [];
    const unsubscribe = subscribeLogs(ids[0]!, (l) => watched.push(l.message));
    for (const [i, id] of ids.entries()) {
      appendLog(id, line(base, 0, { message: `first of ${i}` }));
      appendLog(id, line(base, 1, { message: `second of ${i}` }));
    }
    expect(logFootprint().loadedApps).toBe(30);
    unloadIdleLogs(Date.now() + UNLOAD_IDLE_MS - 60_000); // not idle long enough yet
    expect(logFootprint().loadedApps).toBe(30);
    unloadIdleLogs(Date.now() + UNLOAD_IDLE_MS + 1);
    expect(logFootprint()).toMatchObject({ loadedApps: 1, listeners: 1 }); // the subscribed buffer stays
    appendLog(ids[0]!, line(base, 2, { message: "still live" }));
    expect(watched).toEqual(["first of 0", "second of 0", "still live"]);
    unsubscribe();
    // A dropped one: the same lines and ids from disk, and the next id after them.
    expect(recentLogs(ids[1]!).map((l) => [l.id, l.message])).toEqual([[1, "first of 1"], [2, "second of 1"]]);
    expect(appendLog(ids[1]!, line(base, 3)).id).toBe(3);
  });
});
