// The router's byte-level reading of HAProxy's log must give exactly what logs.ts's string
// functions give (the line, its time, the counters), however the pipe cuts the bytes.
import { describe, expect, it } from "vitest";
import { Counters } from "@/server/router/counters";
import { logIngest } from "@/server/router/log-ingest";
import { parseProxyLog, routerLine } from "@/server/router/logs";
import { formatRequestLine, isoMicros, type RoutedApp } from "@/server/router/protocol";

const shop: RoutedApp = { id: "a1b2c3d4-0000-4000-8000-000000000001", name: "shop", hostnames: ["shop.localhost"], maintenance: false, web: [], idle: null };
const down: RoutedApp = { ...shop, id: "a1b2c3d4-0000-4000-8000-000000000002", name: "down", maintenance: true };
const apps = new Map([
  ["app-shop", shop],
  ["app-down", down],
]);

type Fields = { backend: string; term: string; server: string; status: string; tr: string; ta: string; accepted: string; th: string; ti: string; sent: string; idle: string; path: string };
const raw = (over: Partial<Fields> = {}) => {
  const f: Fields = { backend: "app-shop", term: "----", server: "web.2", status: "200", tr: "7", ta: "9", accepted: "1796558400120", th: "1", ti: "2", sent: "1796558400130456", idle: "up", path: "/cart?x=1", ...over };
  const line = `at=info method=GET path="${f.path}" host=shop.localhost request_id=rid-0123456789abcdefghij fwd="10.0.0.7" dyno=${f.server} connect=1ms service=${f.tr}ms status=${f.status} bytes=512 protocol=http`;
  return [f.backend, f.term, f.server, f.status, f.tr, f.ta, f.accepted, f.th, f.ti, f.sent, f.idle, line].join("\x1f");
};

const lines = [
  raw(),
  raw({ server: "web.1_2" }), // a deploy's second web.1
  raw({ path: "/caf\u00e9/\u65e5\u672c" }), // UTF-8 in the path, copied through
  raw({ sent: "-", accepted: "1796558400120", ta: "15" }), // no head sent: start + Ta
  raw({ sent: "1796558400100000", ta: "99" }), // start + Ta later than the head
  raw({ status: "404", tr: "-1" }),
  raw({ tr: "40000" }), // past every latency bucket
  raw({ server: "<NOSRV>", status: "503", term: "SC--", idle: "none" }),
  raw({ server: "<NOSRV>", status: "503", term: "LR--", idle: "crashed" }),
  raw({ backend: "app-down", server: "<NOSRV>", status: "503", term: "LR--" }),
  raw({ status: "504", term: "sH--", ta: "30001", tr: "-1" }),
  raw({ status: "502", term: "SH--" }),
  raw({ status: "503", term: "SC--", tr: "-1" }),
  raw({ status: "-1", term: "SD--", tr: "-1" }),
  raw({ status: "200", term: "CD--" }), // the client left mid-response: no code
  raw({ backend: "unknown", server: "<NOSRV>", status: "404", term: "LR--" }), // no app's line
  "Proxy router started.", // HAProxy's own notice
  "",
];

/** What the router wrote before (main.ts, by logs.ts's string functions). */
function reference(input: string[]) {
  const counters = new Counters();
  const notices: string[] = [];
  let out = "";
  for (const l of input) {
    const parsed = parseProxyLog(l);
    if (!parsed) {
      notices.push(l);
      continue;
    }
    const line = routerLine(parsed, apps.get(parsed.backend));
    if (!line) continue;
    counters.add(line);
    out += formatRequestLine({ at: isoMicros(parsed.endedAt), appId: line.appId, line: line.line });
  }
  return { out, notices, counters };
}

function ingested(chunks: Buffer[]) {
  const counters = new Counters();
  const notices: string[] = [];
  const ingest = logIngest({ app: (b) => apps.get(b), counters, notice: (n) => notices.push(n) });
  const out = chunks.map((c) => ingest.push(c)).filter((b): b is Buffer => !!b);
  return { out: Buffer.concat(out).toString("utf8"), notices, counters };
}

describe("the router's request log, read in bytes", () => {
  const want = reference(lines);
  const bytes = Buffer.from(lines.map((l) => `${l}\n`).join(""), "utf8");

  it("writes the same lines, notices and counters as the string functions", () => {
    const got = ingested([bytes]);
    expect(want.out.split("\n").length).toBe(16); // 15 app lines, then the end
    expect(want.out).toContain("\u65e5\u672c");
    expect(got.out).toBe(want.out);
    expect(got.notices).toEqual(want.notices);
    expect(got.counters.byApp()).toEqual(want.counters.byApp());
    expect(Object.keys(got.counters.byApp())).toEqual([shop.id, down.id]);
  });

  it("gives the same whatever the pipe's reads cut, mid-line and mid-character", () => {
    for (let cut = 1; cut < bytes.length; cut += 7) {
      const got = ingested([bytes.subarray(0, cut), bytes.subarray(cut, cut + 13), bytes.subarray(cut + 13)]);
      expect(got.out, `cut at ${cut}`).toBe(want.out);
      expect(got.notices).toEqual(want.notices);
    }
  });

  it("keeps a cut line across a reused read buffer (the pipe's reader reads into one)", () => {
    const counters = new Counters();
    const ingest = logIngest({ app: (b) => apps.get(b), counters, notice: () => {} });
    const buf = Buffer.alloc(bytes.length);
    const half = 100;
    bytes.copy(buf, 0, 0, half);
    const first = ingest.push(buf.subarray(0, half));
    buf.fill(0x78); // the next read overwrites it
    bytes.copy(buf, 0, half);
    const second = ingest.push(buf.subarray(0, bytes.length - half));
    expect(Buffer.concat([first ?? Buffer.alloc(0), second ?? Buffer.alloc(0)]).toString("utf8")).toBe(want.out);
  });
});
