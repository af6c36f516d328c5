import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { reloadEnv } from "@/server/env";
import { AppError } from "@/server/errors";
import { formatFrame, openDrain, parseDrainUrl, type DrainLine, type DrainStatus } from "./index";
import { lossNotice } from "./syslog-frame";
import { selfSignedCertificate, startHttpReceiver, startSyslogReceiver, unusedPort } from "./test-receivers";

const TOKEN = "d.8f14e45f-ceea-467a-9575-6ec1e3d1a0b7";
const AT = new Date("2026-11-27T18:00:00.123Z");

const appLine = (message: string, dyno = "web.1"): DrainLine => ({ at: AT, source: "app", dyno, message });
/** The MSG part of a syslog-drain frame, without its trailing newline. */
const msgOf = (frame: string) => frame.slice(frame.indexOf(" - - ") + 5, -1);

// The receivers here listen on loopback, which drains refuse unless an admin allows it
// (server/security/drain-ssrf.test.ts shows the refusal): allowed for this file only.
const allowedBefore = process.env.SLIPWAY_DRAIN_ALLOWED_CIDRS;
beforeAll(() => {
  process.env.SLIPWAY_DRAIN_ALLOWED_CIDRS = "127.0.0.0/8";
  reloadEnv();
});
afterAll(() => {
  if (allowedBefore === undefined) delete process.env.SLIPWAY_DRAIN_ALLOWED_CIDRS;
  else process.env.SLIPWAY_DRAIN_ALLOWED_CIDRS = allowedBefore;
  reloadEnv();
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});
function track<T extends { close(): Promise<void> } | { stop(): Promise<void> }>(thing: T): T {
  cleanups.push(() => ("close" in thing ? thing.close() : thing.stop()));
  return thing;
}

describe("formatFrame", () => {
  const cases: [DrainLine, string, string][] = [
    [appLine("Listening on 5000"), "app web.1", "190"],
    [{ at: AT, source: "slipway", dyno: "web.1", message: "State changed from starting to up" }, "slipway web.1", "134"],
    [{ at: AT, source: "slipway[router]", dyno: null, message: 'at=info method=GET path="/" status=200' }, "slipway router", "158"],
    [{ at: AT, source: "app[api]", dyno: null, message: "Release v3 created by ada@example.com" }, "app api", "134"],
  ];

  it.each(cases)("maps %o to APP-NAME/PROCID %s with PRI %s, like Logplex", (line, appProc, pri) => {
    const syslog = `<${pri}>1 2026-11-27T18:00:00.123000+00:00 ${TOKEN} ${appProc} - - ${line.message}\n`;
    expect(formatFrame(line, "syslog", TOKEN)).toBe(`${Buffer.byteLength(syslog)} ${syslog}`);
    const httpBody = `<${pri}>1 2026-11-27T18:00:00.123000+00:00 host ${appProc} - ${line.message}\n`;
    expect(formatFrame(line, "http", TOKEN)).toBe(`${Buffer.byteLength(httpBody)} ${httpBody}`);
  });

  it("counts octets, not characters, and keeps header fields free of spaces", () => {
    const frame = formatFrame({ at: AT, source: "app", dyno: "run 1", message: "héllo ✓\n" }, "syslog", TOKEN);
    // 101 characters, 104 bytes: é is two bytes in UTF-8 and ✓ three.
    expect(frame).toBe(`104 <190>1 2026-11-27T18:00:00.123000+00:00 ${TOKEN} app run_1 - - héllo ✓\n`);
  });

  it("writes Logplex's L10 notice for lines lost to a full queue", () => {
    const frame = formatFrame(lossNotice(42, new Date("2026-11-27T17:59:00Z"), AT), "syslog", TOKEN);
    expect(frame).toContain(
      `<172>1 2026-11-27T18:00:00.123000+00:00 ${TOKEN} slipway logplex - - Error L10 (output buffer overflow): 42 messages dropped since 2026-11-27T17:59:00.000000+00:00.\n`,
    );
  });
});

describe("syslog drains", () => {
  it("deliver octet-counted frames over TCP in order", async () => {
    const receiver = track(await startSyslogReceiver());
    const drain = track(openDrain({ url: `syslog://127.0.0.1:${receiver.port}`, token: TOKEN }));
    drain.push(appLine("héllo ✓ wörld"));
    for (let i = 0; i < 3000; i++) drain.push(appLine(`line ${i}`));

    await vi.waitFor(() => expect(receiver.frames).toHaveLength(3001), { timeout: 15_000 });
    expect(receiver.frames[0]).toBe(`<190>1 2026-11-27T18:00:00.123000+00:00 ${TOKEN} app web.1 - - héllo ✓ wörld\n`);
    expect(receiver.frames.slice(1).map(msgOf)).toEqual(Array.from({ length: 3000 }, (_, i) => `line ${i}`));
    await vi.waitFor(() => expect(drain.status()).toMatchObject({ state: "delivering", delivered: 3001, dropped: 0, queued: 0 }));
    expect(drain.status().lastDeliveredAt).toBeInstanceOf(Date);
    expect(receiver.connections).toBe(1);
  });

  it("deliver over TLS to a receiver whose certificate is passed as ca, and refuse it otherwise", async () => {
    const cert = selfSignedCertificate();
    const receiver = track(await startSyslogReceiver({ tls: cert }));
    const url = `syslog+tls://127.0.0.1:${receiver.port}`;
    const trusted = track(openDrain({ url, token: TOKEN, ca: cert.cert }));
    const untrusted = track(openDrain({ url, token: TOKEN }));
    for (const drain of [trusted, untrusted]) ["one", "two", "three"].forEach((m) => drain.push(appLine(m)));

    await vi.waitFor(() => expect(receiver.frames.map(msgOf)).toEqual(["one", "two", "three"]), { timeout: 10_000 });
    await vi.waitFor(() => expect(trusted.status()).toMatchObject({ state: "delivering", delivered: 3 }));
    await vi.waitFor(() => expect(untrusted.status().state).toBe("failing"));
    expect(untrusted.status()).toMatchObject({ delivered: 0, queued: 3 });
    expect(untrusted.status().lastError).toMatch(/^127\.0\.0\.1:\d+: the TLS certificate is self-signed and not trusted/);
  });

  it("resume after the receiver goes down and comes back, reporting the outage meanwhile", async () => {
    const receiver = track(await startSyslogReceiver());
    const reported: DrainStatus[] = [];
    const drain = track(openDrain({ url: `syslog://127.0.0.1:${receiver.port}`, token: TOKEN, onStatus: (s) => reported.push(s) }));
    for (let i = 0; i < 10; i++) drain.push(appLine(`before ${i}`));
    await vi.waitFor(() => expect(drain.status().delivered).toBe(10), { timeout: 10_000 });

    await receiver.stop();
    await vi.waitFor(() => expect(drain.status().state).toBe("failing"));
    const outage = drain.status();
    expect(outage.lastError).toMatch(/^127\.0\.0\.1:\d+: (connection closed by the receiver|connection reset by the receiver|unreachable)/);
    expect(outage.lastErrorAt).toBeInstanceOf(Date);
    for (let i = 0; i < 10; i++) drain.push(appLine(`during ${i}`));
    expect(drain.status()).toMatchObject({ delivered: 10, queued: 10, dropped: 0 });

    await receiver.start();
    await vi.waitFor(() => expect(receiver.frames).toHaveLength(20), { timeout: 20_000 });
    expect(receiver.frames.map(msgOf)).toEqual([
      ...Array.from({ length: 10 }, (_, i) => `before ${i}`),
      ...Array.from({ length: 10 }, (_, i) => `during ${i}`),
    ]);
    await vi.waitFor(() => expect(drain.status()).toMatchObject({ state: "delivering", delivered: 20, dropped: 0, queued: 0 }));
    // The error stays on record after recovery, so a dashboard can say when delivery last broke.
    expect(drain.status().lastError).toMatch(/^127\.0\.0\.1:\d+: /);
    // onStatus is throttled: a short outage may reach the listener only as lastErrorAt on a
    // "delivering" status, but it does reach it.
    await vi.waitFor(() => expect(reported.at(-1)).toMatchObject({ state: "delivering", delivered: 20 }), { timeout: 5_000 });
    expect(reported.some((s) => s.state === "failing" || (s.lastErrorAt !== null && s.lastErrorAt >= outage.lastErrorAt!))).toBe(true);
    expect(reported.length).toBeLessThan(10);
  });

  it("resend what a dead connection never took, so a cut loses only what the kernel held", async () => {
    const receiver = track(await startSyslogReceiver());
    receiver.reading = false;
    const drain = track(openDrain({ url: `syslog://127.0.0.1:${receiver.port}`, token: TOKEN, maxQueue: 50_000 }));
    const total = 10_000;
    const filler = "x".repeat(2000);
    for (let i = 0; i < total; i++) drain.push(appLine(`${i} ${filler}`));
    // The receiver reads nothing: the kernel buffers fill, then delivery stalls with lines in flight.
    let previous = -1;
    await vi.waitFor(
      () => {
        const { delivered } = drain.status();
        const settled = delivered === previous;
        previous = delivered;
        expect(settled).toBe(true);
      },
      { timeout: 15_000, interval: 300 },
    );
    const stalled = drain.status();
    expect(stalled.delivered).toBeLessThan(total);
    expect(stalled.delivered + stalled.queued).toBe(total);

    receiver.reading = true;
    receiver.cut();
    await vi.waitFor(() => expect(drain.status()).toMatchObject({ state: "delivering", delivered: total, queued: 0, dropped: 0 }), { timeout: 20_000 });
    // Everything counted delivered went to the first connection's kernel buffers (the write that
    // was under way when the cut came may complete as it dies); everything else came again, once,
    // in order, on the second connection.
    await vi.waitFor(() => expect(receiver.byConnection[1]?.at(-1)).toMatch(/ - - 9999 x+\n$/));
    const resent = receiver.byConnection[1]!.map((f) => Number(msgOf(f).split(" ")[0]));
    const first = resent[0]!;
    expect(first).toBeGreaterThanOrEqual(stalled.delivered);
    expect(resent).toEqual(Array.from({ length: total - first }, (_, i) => first + i));
  });

  it("drop the oldest lines when the queue is full, count them, and tell the receiver (L10)", async () => {
    const port = await unusedPort();
    const drain = track(openDrain({ url: `syslog://127.0.0.1:${port}`, token: TOKEN, maxQueue: 100 }));
    await vi.waitFor(() => expect(drain.status().lastError).toMatch(/^127\.0\.0\.1:\d+: unreachable$/));
    for (let i = 0; i < 250; i++) drain.push(appLine(`line ${i}`));
    expect(drain.status()).toMatchObject({ state: "failing", delivered: 0, dropped: 150, queued: 100 });

    const receiver = track(await startSyslogReceiver({ port }));
    await vi.waitFor(() => expect(receiver.frames).toHaveLength(101), { timeout: 20_000 });
    expect(receiver.frames[0]).toMatch(
      new RegExp(`^<172>1 \\S+ ${TOKEN} slipway logplex - - Error L10 \\(output buffer overflow\\): 150 messages dropped since \\S+\\.\\n$`),
    );
    expect(receiver.frames.slice(1).map(msgOf)).toEqual(Array.from({ length: 100 }, (_, i) => `line ${150 + i}`));
    await vi.waitFor(() => expect(drain.status()).toMatchObject({ state: "delivering", delivered: 100, dropped: 150, queued: 0 }));
  });

  it("keep push cheap and memory bounded under a flood to an absent receiver", async () => {
    const drain = track(openDrain({ url: `syslog://127.0.0.1:${await unusedPort()}`, token: TOKEN }));
    const line = appLine("GET /healthz 200");
    const started = performance.now();
    for (let i = 0; i < 200_000; i++) drain.push(line);
    // 200,000 lines is ten seconds of an app at 20,000 lines/s; generous for a shared 2-core box.
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(drain.status()).toMatchObject({ delivered: 0, dropped: 190_000, queued: 10_000 });
  });

  it("flush on close, then count later pushes as dropped", async () => {
    const receiver = track(await startSyslogReceiver());
    const drain = openDrain({ url: `syslog://127.0.0.1:${receiver.port}`, token: TOKEN });
    for (let i = 0; i < 300; i++) drain.push(appLine(`line ${i}`));
    await drain.close();
    expect(drain.status()).toMatchObject({ state: "closed", delivered: 300, dropped: 0, queued: 0 });
    await vi.waitFor(() => expect(receiver.frames).toHaveLength(300));
    drain.push(appLine("too late"));
    expect(drain.status()).toMatchObject({ state: "closed", dropped: 1, queued: 0 });
  });

  it("close within the grace period when the receiver is away, dropping what is left", async () => {
    const drain = openDrain({ url: `syslog://127.0.0.1:${await unusedPort()}`, token: TOKEN });
    for (let i = 0; i < 5; i++) drain.push(appLine(`line ${i}`));
    const started = performance.now();
    await drain.close();
    expect(performance.now() - started).toBeLessThan(3_000);
    expect(drain.status()).toMatchObject({ state: "closed", delivered: 0, dropped: 5, queued: 0 });
  });
});

describe("HTTPS drains", () => {
  it("POST batches of frames with Logplex's headers and Basic auth from the URL", async () => {
    const receiver = track(await startHttpReceiver());
    const drain = track(openDrain({ url: `http://drain-user:s3cr%40t@127.0.0.1:${receiver.port}/logs?source=slipway`, token: TOKEN }));
    for (let i = 0; i < 1200; i++) drain.push(appLine(`line ${i}`));

    await vi.waitFor(() => expect(drain.status().delivered).toBe(1200), { timeout: 10_000 });
    const { requests } = receiver;
    expect(requests.map((r) => r.frames.length)).toEqual([500, 500, 200]);
    for (const r of requests) {
      expect(r).toMatchObject({ method: "POST", url: "/logs?source=slipway", status: 200 });
      expect(r.headers["content-type"]).toBe("application/logplex-1");
      expect(r.headers["logplex-msg-count"]).toBe(String(r.frames.length));
      expect(r.headers["logplex-drain-token"]).toBe(TOKEN);
      expect(r.headers["logplex-frame-id"]).toMatch(/^[0-9A-F]{32}$/);
      expect(r.headers.authorization).toBe(`Basic ${Buffer.from("drain-user:s3cr@t").toString("base64")}`);
    }
    expect(new Set(requests.map((r) => r.headers["logplex-frame-id"])).size).toBe(3);
    expect(requests[0]?.frames[0]).toBe("<190>1 2026-11-27T18:00:00.123000+00:00 host app web.1 - line 0\n");
    const messages = requests.flatMap((r) => r.frames.map((f) => f.slice(f.indexOf(" - ") + 3, -1)));
    expect(messages).toEqual(Array.from({ length: 1200 }, (_, i) => `line ${i}`));
    expect(drain.status()).toMatchObject({ state: "delivering", dropped: 0, queued: 0 });
  });

  it("POST over HTTPS to a receiver whose certificate is passed as ca", async () => {
    const cert = selfSignedCertificate();
    const receiver = track(await startHttpReceiver(() => 204, { tls: cert }));
    const drain = track(openDrain({ url: `https://127.0.0.1:${receiver.port}/drain`, token: TOKEN, ca: cert.cert }));
    drain.push(appLine("over tls"));
    await vi.waitFor(() => expect(drain.status()).toMatchObject({ state: "delivering", delivered: 1 }));
    expect(receiver.requests[0]).toMatchObject({ url: "/drain", frames: ["<190>1 2026-11-27T18:00:00.123000+00:00 host app web.1 - over tls\n"] });
  });

  it("gather lines arriving within the batching window into one request", async () => {
    const receiver = track(await startHttpReceiver());
    const drain = track(openDrain({ url: `http://127.0.0.1:${receiver.port}/`, token: TOKEN }));
    drain.push(appLine("a"));
    drain.push({ at: AT, source: "slipway", dyno: "web.1", message: "State changed from starting to up" });
    drain.push({ at: AT, source: "app[api]", dyno: null, message: "Release v2 created by ada@example.com" });
    await vi.waitFor(() => expect(drain.status().delivered).toBe(3));
    expect(receiver.requests).toHaveLength(1);
    expect(receiver.requests[0]?.frames.map((f) => f.split(" ").slice(3, 5).join(" "))).toEqual(["app web.1", "slipway web.1", "app api"]);
  });

  it("retry a batch the receiver failed on, with the same frame id", async () => {
    const receiver = track(await startHttpReceiver((n) => (n < 2 ? 503 : 200)));
    const drain = track(openDrain({ url: `http://127.0.0.1:${receiver.port}/`, token: TOKEN }));
    for (let i = 0; i < 5; i++) drain.push(appLine(`line ${i}`));
    await vi.waitFor(() => expect(drain.status()).toMatchObject({ state: "delivering", delivered: 5 }), { timeout: 10_000 });
    expect(receiver.requests.map((r) => r.status)).toEqual([503, 503, 200]);
    expect(new Set(receiver.requests.map((r) => r.headers["logplex-frame-id"])).size).toBe(1);
    expect(drain.status()).toMatchObject({ dropped: 0, lastError: `127.0.0.1:${receiver.port}: the receiver answered HTTP 503 Service Unavailable` });
  });

  it("drop a batch after a few failed attempts, and keep going", async () => {
    const receiver = track(await startHttpReceiver((n) => (n < 4 ? 500 : 200)));
    const drain = track(openDrain({ url: `http://127.0.0.1:${receiver.port}/`, token: TOKEN }));
    for (let i = 0; i < 7; i++) drain.push(appLine(`line ${i}`));
    await vi.waitFor(() => expect(drain.status()).toMatchObject({ state: "failing", dropped: 7, delivered: 0 }), { timeout: 15_000 });
    expect(receiver.requests).toHaveLength(4);

    drain.push(appLine("after"));
    await vi.waitFor(() => expect(drain.status()).toMatchObject({ state: "delivering", delivered: 1, dropped: 7, queued: 0 }));
    expect(receiver.requests.at(-1)?.frames.map((f) => f.split(" - ")[1])).toEqual(["after\n"]);
  });

  it("drop a batch the receiver refuses without retrying, and keep the password out of the error", async () => {
    const receiver = track(await startHttpReceiver(() => 401));
    const drain = track(openDrain({ url: `http://logs:hunter2@127.0.0.1:${receiver.port}/`, token: TOKEN }));
    for (let i = 0; i < 4; i++) drain.push(appLine(`line ${i}`));
    await vi.waitFor(() => expect(drain.status()).toMatchObject({ state: "failing", dropped: 4, delivered: 0, queued: 0 }));
    expect(receiver.requests).toHaveLength(1);
    expect(drain.status().lastError).toBe(`127.0.0.1:${receiver.port}: the receiver answered HTTP 401 Unauthorized`);
    expect(drain.status().lastError).not.toContain("hunter2");
  });

  it("send lines still inside the batching window when closed", async () => {
    const receiver = track(await startHttpReceiver());
    const drain = openDrain({ url: `http://127.0.0.1:${receiver.port}/`, token: TOKEN });
    drain.push(appLine("first"));
    drain.push(appLine("second"));
    await drain.close();
    expect(drain.status()).toMatchObject({ state: "closed", delivered: 2, dropped: 0, queued: 0 });
    expect(receiver.requests.flatMap((r) => r.frames)).toHaveLength(2);
  });
});

describe("parseDrainUrl", () => {
  it.each([
    ["syslog+tls://logs.example.com:6514", { kind: "syslog", tls: true, host: "logs.example.com", port: 6514, target: "logs.example.com:6514" }],
    ["syslog://10.0.0.5:514/", { kind: "syslog", tls: false, host: "10.0.0.5", port: 514 }],
    ["syslog://[::1]:514", { kind: "syslog", host: "::1", target: "[::1]:514" }],
    ["SYSLOG://Logs.Example.COM:514", { kind: "syslog", host: "logs.example.com" }],
    [
      "https://user:pa%3Ass@logs.example.com/drain?x=1#frag",
      { kind: "http", tls: true, host: "logs.example.com", port: 443, path: "/drain?x=1", auth: { username: "user", password: "pa:ss" } },
    ],
    ["http://localhost:8080", { kind: "http", tls: false, port: 8080, path: "/", auth: null, target: "localhost:8080" }],
  ])("accepts %s", (url, expected) => {
    expect(parseDrainUrl(url)).toMatchObject(expected);
  });

  it.each([
    ["", /^Enter a drain URL/],
    ["   ", /^Enter a drain URL/],
    ["not a url", /^That is not a URL/],
    ["ftp://logs.example.com", /must start with syslog:\/\/, syslog\+tls:\/\/, https:\/\/ or http:\/\/ \(not ftp:\/\/\)/],
    ["logs.example.com:514", /must start with syslog:\/\//],
    ["syslog://logs.example.com", /^Syslog drain URLs need a port/],
    ["syslog+tls://:6514", /needs a host/],
    ["syslog:logs.example.com:514", /needs a host/],
    ["syslog://logs.example.com:0", /port .* between 1 and 65535/],
    ["syslog://logs.example.com:70000", /port .* between 1 and 65535/],
    ["syslog://logs.example.com:514/some/path", /no path or query string/],
    ["syslog://logs.example.com:514?x=1", /no path or query string/],
    ["syslog://bad_host!:514", /is not a valid host name/],
    ["https://exa mple.com/", /^That is not a valid URL/],
    ["https://user:%zz@logs.example.com/", /malformed %-escape/],
    [`https://logs.example.com/${"x".repeat(3000)}`, /at most 2048 characters/],
  ])("rejects %j", (url, message) => {
    let thrown: unknown;
    try {
      parseDrainUrl(url);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(AppError);
    expect(thrown).toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(message) });
    expect((thrown as AppError).details?.fieldErrors?.url).toBe((thrown as AppError).message);
  });

  it("does not echo a syslog URL's password back", () => {
    expect(() => parseDrainUrl("syslog://user:secret@logs.example.com:514")).toThrow(/^Syslog drains do not take a username or password/);
    try {
      parseDrainUrl("syslog://user:secret@logs.example.com:514");
    } catch (err) {
      expect((err as Error).message).not.toContain("secret");
    }
  });
});
