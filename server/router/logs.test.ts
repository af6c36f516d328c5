import { describe, expect, it } from "vitest";
import { LOG_FIELDS } from "@/server/router/haproxy";
import { herokuCode, parseProxyLog, routerLine } from "@/server/router/logs";
import type { RoutedApp } from "@/server/router/table";

const app: RoutedApp = { id: "a1", name: "shop", hostnames: ["shop.localhost"], maintenance: false, web: [], idle: null };
const raw = (over: Partial<Record<(typeof LOG_FIELDS)[number], string>> = {}) =>
  LOG_FIELDS.map((f) => ({ client: "10.0.0.7", backend: "app-a1", server: "web.2", status: "200", bytes: "512", tw: "0", tc: "1", tr: "7", ta: "9", term: "----", method: "GET", host: "shop.localhost", rid: "rid-0123456789abcdefghij", path: "/cart?x=1", ...over })[f]).join("\x1f");

describe("router log lines", () => {
  it("turns a served request into Heroku's at=info line", () => {
    expect(routerLine(parseProxyLog(raw())!, app)?.line).toBe(
      'at=info method=GET path="/cart?x=1" host=shop.localhost request_id=rid-0123456789abcdefghij fwd="10.0.0.7" dyno=web.2 connect=1ms service=7ms status=200 bytes=512 protocol=http',
    );
  });

  it.each([
    [{ server: "<NOSRV>", status: "503", term: "SC--" }, app, "H14"],
    [{ server: "<NOSRV>", status: "503", term: "SC--" }, { ...app, idle: "crashed" as const }, "H10"],
    [{ server: "<NOSRV>", status: "503", term: "LR--" }, { ...app, maintenance: true }, "H80"],
    [{ status: "504", term: "sH--" }, app, "H12"],
    [{ status: "502", term: "SH--" }, app, "H13"],
    [{ status: "200", term: "SD--" }, app, "H18"],
    [{ status: "500", term: "PR--" }, app, "H99"],
    [{ status: "404", term: "----" }, app, null],
  ])("maps %j to %s", (over, a, code) => {
    expect(herokuCode(parseProxyLog(raw(over))!, a)).toBe(code);
  });

  it("reports errors as 503 with the code and description, and skips unknown hosts", () => {
    const l = routerLine(parseProxyLog(raw({ status: "504", term: "sH--", ta: "30001", tr: "-1" }))!, app)!;
    expect(l.line).toMatch(/^at=error code=H12 desc="Request timeout" method=GET .* service=30001ms status=503 /);
    expect(routerLine(parseProxyLog(raw({ backend: "unknown" }))!, undefined)).toBeNull();
    expect(parseProxyLog("Proxy router started.")).toBeNull();
  });
});
