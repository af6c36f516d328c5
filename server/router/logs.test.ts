import { describe, expect, it } from "vitest";
import { herokuCode, parseProxyLog, routerLine } from "@/server/router/logs";
import { isoMicros, parseIsoMicros, type RoutedApp } from "@/server/router/protocol";

const app: RoutedApp = { id: "a1", name: "shop", hostnames: ["shop.localhost"], maintenance: false, web: [], idle: null };
// What HAProxy logs (server/router/haproxy.ts LOG_FORMAT): a few fields, then its at=info line.
const raw = (over: Partial<{ backend: string; term: string; server: string; status: string; tr: string; ta: string; connect: string; idle: string; accepted: string; th: string; ti: string; sent: string }> = {}) => {
  const f = { backend: "app-a1", term: "----", server: "web.2", status: "200", tr: "7", ta: "9", connect: "1", idle: "-", accepted: "1796558400120", th: "1", ti: "2", sent: "1796558400130000", ...over };
  const line = `at=info method=GET path="/cart?x=1" host=shop.localhost request_id=rid-0123456789abcdefghij fwd="10.0.0.7" dyno=${f.server} connect=${f.connect}ms service=${f.tr}ms status=${f.status} bytes=512 protocol=http`;
  return [f.backend, f.term, f.server, f.status, f.tr, f.ta, f.accepted, f.th, f.ti, f.sent, f.idle, line].join("\x1f");
};

describe("router log lines", () => {
  it("turns a served request into Heroku's at=info line", () => {
    expect(routerLine(parseProxyLog(raw())!, app)?.line).toBe(
      'at=info method=GET path="/cart?x=1" host=shop.localhost request_id=rid-0123456789abcdefghij fwd="10.0.0.7" dyno=web.2 connect=1ms service=7ms status=200 bytes=512 protocol=http',
    );
  });

  it("names the second of two same-named dynos (a deploy's overlap) by its dyno name", () => {
    expect(routerLine(parseProxyLog(raw({ server: "web.1_2" }))!, app)?.line).toContain(" dyno=web.1 connect=1ms ");
  });

  it.each([
    [{ server: "<NOSRV>", status: "503", term: "SC--" }, app, "H14"],
    [{ server: "<NOSRV>", status: "503", term: "SC--" }, { ...app, idle: "crashed" as const }, "H10"],
    // The backend's own no-dyno page (http-request return when no server is up).
    [{ server: "<NOSRV>", status: "503", term: "LR--" }, app, "H14"],
    [{ server: "<NOSRV>", status: "503", term: "LR--" }, { ...app, idle: "crashed" as const }, "H10"],
    [{ server: "<NOSRV>", status: "503", term: "LR--" }, { ...app, maintenance: true }, "H80"],
    // The page HAProxy served wins over the router's table, which may have moved on by the
    // time the line is read (a crashed dyno restarting: "up" again, or "none").
    [{ server: "<NOSRV>", status: "503", term: "LR--", idle: "crashed" }, app, "H10"],
    [{ server: "<NOSRV>", status: "503", term: "LR--", idle: "none" }, { ...app, idle: "crashed" as const }, "H14"],
    [{ status: "504", term: "sH--" }, app, "H12"],
    [{ status: "502", term: "SH--" }, app, "H13"],
    [{ status: "503", term: "SC--", server: "web.2", connect: "-1" }, app, "H21"],
    [{ status: "503", term: "sC--", server: "web.2", connect: "-1" }, app, "H19"],
    [{ status: "502", term: "PH--" }, app, "H17"],
    [{ status: "200", term: "SD--" }, app, "H18"],
    [{ status: "500", term: "PR--" }, app, "H99"],
    [{ status: "404", term: "----" }, app, null],
  ])("maps %j to %s", (over, a, code) => {
    expect(herokuCode(parseProxyLog(raw(over))!, a)).toBe(code);
  });

  it("reports errors as 503 with the code and description, and skips unknown hosts", () => {
    const l = routerLine(parseProxyLog(raw({ status: "504", term: "sH--", ta: "30001", tr: "-1" }))!, app)!;
    expect(l.line).toMatch(/^at=error code=H12 desc="Request timeout" method=GET .* service=30001ms status=503 /);
    const none = routerLine(parseProxyLog(raw({ server: "<NOSRV>", status: "503", term: "SC--", tr: "-1", connect: "-1" }))!, app)!;
    expect(none.line).toMatch(/^at=error code=H14 desc="No web dynos running" .* dyno= connect=0ms service=0ms status=503 bytes=512 protocol=http$/);
    const refused = routerLine(parseProxyLog(raw({ server: "web.2", status: "503", term: "SC--", tr: "-1", connect: "-1" }))!, app)!;
    expect(refused).toMatchObject({ code: "H21", status: 503 });
    expect(refused.line).toMatch(/^at=error code=H21 desc="Backend connection refused" .* dyno=web\.2 connect=0ms service=0ms status=503 /);
    const upload = routerLine(parseProxyLog(raw({ status: "-1", term: "SD--", tr: "-1" }))!, app)!;
    expect(upload.line).toMatch(/^at=error code=H18 desc="Server Request Interrupted" .* service=0ms status=503 bytes=512 protocol=http$/);
    expect(routerLine(parseProxyLog(raw({ backend: "unknown" }))!, undefined)).toBeNull();
    expect(parseProxyLog("Proxy router started.")).toBeNull();
  });

  it("stamps a request with its end: the later of its start plus Ta and its response's head going out", () => {
    // Accepted at …120 ms, 1 ms handshake, 2 ms idle, Ta 9 ms: …132 ms, later than the head
    // (a body streamed after it).
    expect(parseProxyLog(raw())!.endedAt).toBe(1796558400132000);
    // A fast answer: Ta rounds down to 0, the head's time (µs) is the better one.
    expect(parseProxyLog(raw({ ta: "0", sent: "1796558400123900" }))!.endedAt).toBe(1796558400123900);
    // Either alone (no response sent: a client that went away; a request HAProxy could not date).
    expect(parseProxyLog(raw({ sent: "-" }))!.endedAt).toBe(1796558400132000);
    expect(parseProxyLog(raw({ accepted: "-", ta: "-1" }))!.endedAt).toBe(1796558400130000);
    expect(parseProxyLog(raw({ accepted: "-", sent: "-" }))!.endedAt).toBeNaN();
  });

  it("writes request times to the µs and reads them back", () => {
    expect(isoMicros(1796558400132456)).toBe("2026-12-06T12:00:00.132456Z");
    expect(parseIsoMicros("2026-12-06T12:00:00.132456Z")).toEqual({ date: new Date("2026-12-06T12:00:00.132Z"), micros: 456 });
    expect(parseIsoMicros("2026-12-06T12:00:00.132Z").micros).toBe(0);
  });
});
