// The log bus against real dynos: output read from the Docker Engine, platform lines from
// the dyno manager, SSE framing, filters, resume, a restart of the collector, slow clients.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reloadEnv } from "@/server/env";
import { startLogging } from "@/server/logs";
import { startHttpReceiver, startSyslogReceiver } from "@/server/logs/drains/test-receivers";
import { getDrainManager } from "@/server/logs/drain-manager";
import { addDrain, listDrains, removeDrain } from "@/server/services/log-drains";
import { logEventStream, type LogStreamOptions } from "@/server/logs/stream";
import { recentLogs, type LogLine } from "@/server/logs/store";
import type { Reconciler } from "@/server/runtime/reconciler";
import { createApp } from "@/server/services/apps";
import { releaseImage } from "@/server/services/deploys";
import { updateFormation } from "@/server/services/formation";
import { createUser } from "@/server/services/users";
import { cleanupInstallation, ensureFixtureImage, startReconciler, testRuntimeOptions, waitFor } from "@/server/testing/runtime";

const opts = testRuntimeOptions();
let runtime: Reconciler;
let logging: ReturnType<typeof startLogging>;
let appId: string;

// A worker that counts: gaps or repeats in its numbers are lost or duplicated lines.
const COUNTER = `i=0; while true; do i=$((i+1)); echo "tick $i"; sleep 0.02; done`;

beforeAll(async () => {
  // The drain receivers listen on loopback, which drains refuse unless an admin allows it.
  process.env.SLIPWAY_DRAIN_ALLOWED_CIDRS = "127.0.0.0/8";
  reloadEnv();
  const image = await ensureFixtureImage();
  logging = startLogging(opts.installation, { scanIntervalMs: 300 });
  await logging.collector.start();
  runtime = await startReconciler(opts);
  const userId = (await createUser({ email: `logs-${Date.now()}@example.com`, password: "password1" })).id;
  const app = await createApp({ userId });
  appId = app.id;
  await releaseImage({ appId, userId, imageTag: image, processTypes: { worker: COUNTER, web: "node server.js" }, description: "Deploy logs test" });
  await updateFormation({ appId, updates: [{ type: "worker", quantity: 1 }, { type: "web", quantity: 0 }] });
  await runtime.reconcile(appId);
});

afterAll(async () => {
  logging?.stop();
  await runtime?.close();
  await cleanupInstallation(opts.installation);
});

/** Reads SSE events off a stream until `done` says so (or the stream ends). */
async function readEvents(o: Partial<LogStreamOptions>, done: (events: { id: string | null; data: string }[]) => boolean, timeoutMs = 20_000) {
  const abort = new AbortController();
  const stream = logEventStream({ appId, lines: 100, tail: true, filter: {}, format: "json", signal: abort.signal, ...o });
  const reader = stream.getReader();
  const events: { id: string | null; data: string }[] = [];
  let text = "";
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    for (;;) {
      const { value, done: ended } = await reader.read();
      if (ended) break;
      text += new TextDecoder().decode(value);
      let end: number;
      while ((end = text.indexOf("\n\n")) >= 0) {
        const block = text.slice(0, end);
        text = text.slice(end + 2);
        const data = block.split("\n").filter((l) => l.startsWith("data: ")).map((l) => l.slice(6)).join("\n");
        if (data) events.push({ id: /^id: (\d+)$/m.exec(block)?.[1] ?? null, data });
      }
      if (done(events)) break;
    }
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
  return events;
}

const ticks = (lines: Pick<LogLine, "dyno" | "message">[]) =>
  lines.filter((l) => l.dyno === "worker.1" && /^tick \d+$/.test(l.message)).map((l) => Number(l.message.slice(5)));

function consecutive(numbers: number[]) {
  return numbers.every((n, i) => i === 0 || n === numbers[i - 1]! + 1);
}

describe("app logs", () => {
  it("streams the dyno's output in order, with the dyno manager's lines, as SSE with ids", async () => {
    const events = await readEvents({}, (ev) => ticks(ev.map((e) => JSON.parse(e.data) as LogLine)).length >= 30);
    const lines = events.map((e) => JSON.parse(e.data) as LogLine);
    // Every event has an SSE id: its line's own, or, where the backlog holds a late line (the
    // buffer is in time order, ids in arrival order: a busy machine's collector reads dyno
    // output late), the highest id below which every line has been sent, which can be above
    // or below the line's own. Resuming after any of them skips no line, and no id names a
    // line not sent yet.
    const ids = events.map((e) => Number(e.id));
    expect(events.every((e) => e.id !== null)).toBe(true);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    ids.forEach((id, i) => {
      expect(id).toBeLessThanOrEqual(Math.max(...lines.slice(0, i + 1).map((l) => l.id)));
      expect(lines.slice(i + 1).every((l) => l.id > id)).toBe(true);
    });
    const t = ticks(lines);
    expect(consecutive(t)).toBe(true);
    const all = recentLogs(appId);
    expect(all.some((l) => l.source === "slipway" && l.dyno === "worker.1" && l.message === "State changed from starting to up")).toBe(true);
    expect(all.some((l) => l.source === "app" && l.dyno === "api" && /^Release v2 created by user logs-\d+@example\.com$/.test(l.message))).toBe(true);
    expect(lines.find((l) => l.message.startsWith("tick"))?.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/);
  });

  it("filters by dyno, process type and source, in Heroku's text form", async () => {
    const byDyno = await readEvents({ tail: false, format: "text", filter: { dyno: "worker.1" } }, () => false);
    expect(byDyno.length).toBeGreaterThan(10);
    expect(byDyno.every((e) => / (app|slipway)\[worker\.1\]: /.test(e.data))).toBe(true);
    const byType = await readEvents({ tail: false, format: "text", filter: { dyno: "worker", source: "app" } }, () => false);
    expect(byType.length).toBeGreaterThan(10);
    expect(byType.every((e) => /^\S+ app\[worker\.1\]: tick \d+$/.test(e.data))).toBe(true);
    const platform = await readEvents({ tail: false, format: "text", filter: { source: "heroku" } }, () => false);
    expect(platform.length).toBeGreaterThan(0);
    expect(platform.every((e) => / slipway\[[\w.]+\]: /.test(e.data))).toBe(true);
    const few = await readEvents({ tail: false, format: "text", lines: 5, filter: { dyno: "worker.1", source: "app" } }, () => false);
    expect(few).toHaveLength(5);
  });

  it("resumes after Last-Event-ID with the next line and nothing before it", async () => {
    const first = await readEvents({ filter: { source: "app" } }, (ev) => ev.length >= 20);
    const cut = Number(first[9]!.id);
    const resumed = await readEvents({ after: cut, filter: { source: "app" } }, (ev) => ev.length >= 15);
    const ids = resumed.map((e) => Number(e.id));
    expect(ids[0]).toBeGreaterThan(cut);
    expect(ids[0]).toBe(Number(first[10]!.id));
    expect(ids).toEqual([...new Set(ids)].sort((a, b) => a - b));
  });

  it("picks up after a restart of the collector without losing or repeating a line", async () => {
    const before = ticks(recentLogs(appId)).at(-1)!;
    logging.stop(); // the control plane goes away: buffers written out and forgotten
    await new Promise((r) => setTimeout(r, 1_500)); // the dyno keeps printing meanwhile
    logging = startLogging(opts.installation, { scanIntervalMs: 300 });
    await logging.collector.start();
    await waitFor("ticks after the restart", async () => (ticks(recentLogs(appId)).at(-1) ?? 0) > before + 80);
    const t = ticks(recentLogs(appId));
    expect(consecutive(t)).toBe(true);
    expect(t).toContain(before + 40); // printed while nobody was reading
  });

  it("tells a client that cannot keep up how many lines it lost, without holding up others", async () => {
    const abort = new AbortController();
    const slow = logEventStream({ appId, lines: 0, tail: true, filter: {}, format: "text", signal: abort.signal, maxQueuedBytes: 2_000 });
    const reader = slow.getReader();
    const fast = readEvents({ lines: 0, format: "text" }, (ev) => ev.length >= 60);
    await new Promise((r) => setTimeout(r, 2_500)); // the slow client reads nothing meanwhile
    expect((await fast).length).toBeGreaterThanOrEqual(60);
    let text = "";
    const deadline = Date.now() + 10_000;
    while (!text.includes("Error L10") && Date.now() < deadline) text += new TextDecoder().decode((await reader.read()).value);
    abort.abort();
    expect(text).toMatch(/slipway\[logs\]: Error L10 \(output buffer overflow\): \d+ messages dropped since /);
  });

  it("copies every line to a syslog drain and an HTTP drain, and reports their delivery", async () => {
    const syslog = await startSyslogReceiver();
    const web = await startHttpReceiver();
    try {
      const a = await addDrain({ appId, url: `syslog://127.0.0.1:${syslog.port}` });
      const b = await addDrain({ appId, url: `http://user:s3cret@127.0.0.1:${web.port}/logs` });
      expect(b.url).toBe(`http://user:****@127.0.0.1:${web.port}/logs`); // the password is never shown
      await expect(addDrain({ appId, url: "ftp://example.com/x" })).rejects.toThrow(/syslog|https?/i);
      await expect(addDrain({ appId, url: `syslog://127.0.0.1:${syslog.port}` })).rejects.toThrow(/already/);

      const tick = (frame: string) => /^<190>1 \S+ (\S+) app worker\.1 - (?:- )?tick (\d+)\n?$/.exec(frame);
      await waitFor("ticks at both drains", async () => syslog.frames.filter((f) => tick(f)).length >= 20 && web.requests.flatMap((r) => r.frames).filter((f) => tick(f)).length >= 20);
      const viaSyslog = syslog.frames.map(tick).filter((m) => m !== null);
      expect(viaSyslog.every((m) => m[1] === a.token)).toBe(true); // HOSTNAME is the drain token
      expect(consecutive(viaSyslog.map((m) => Number(m[2])))).toBe(true);
      const request = web.requests[0]!;
      expect(request.headers["content-type"]).toBe("application/logplex-1");
      expect(request.headers["logplex-drain-token"]).toBe(b.token);
      expect(request.headers.authorization).toBe(`Basic ${Buffer.from("user:s3cret").toString("base64")}`);
      expect(Number(request.headers["logplex-msg-count"])).toBe(request.frames.length);
      await waitFor("delivery status", async () => getDrainManager()?.status(a.id)?.state === "delivering" && (getDrainManager()?.status(b.id)?.delivered ?? 0) > 0);

      await removeDrain({ appId, drain: `http://user:s3cret@127.0.0.1:${web.port}/logs` });
      await removeDrain({ appId, drain: a.id });
      expect(await listDrains(appId)).toEqual([]);
      await waitFor("drains closed", async () => getDrainManager()?.status(a.id) === null);
    } finally {
      await syslog.stop();
      await web.close();
    }
  });
});
