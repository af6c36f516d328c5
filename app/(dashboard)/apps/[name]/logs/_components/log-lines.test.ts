import { describe, expect, it } from "vitest";
import { appendCapped, displayTime, isErrorLine, lineText, logFileName, makeMatcher, tagTone, toLogFile, type LogEntry } from "./log-lines";

const line = (over: Partial<LogEntry> = {}): LogEntry => ({
  key: 1,
  id: 1,
  at: "2026-11-28T01:02:03.123456+00:00",
  source: "app",
  dyno: "web.1",
  message: "hello",
  ...over,
});

describe("appendCapped", () => {
  it("keeps the newest lines, oldest first, without changing the input", () => {
    const before = [1, 2, 3].map((n) => line({ key: n }));
    const after = appendCapped(before, [4, 5].map((n) => line({ key: n })), 4);
    expect(after.map((l) => l.key)).toEqual([2, 3, 4, 5]);
    expect(before.map((l) => l.key)).toEqual([1, 2, 3]);
  });
});

describe("makeMatcher", () => {
  it("is null for an empty or blank query", () => {
    expect(makeMatcher("")).toBeNull();
    expect(makeMatcher("   ")).toBeNull();
  });

  it("matches plain text case-insensitively, treating regex characters literally", () => {
    const m = makeMatcher("Path=\"/a.b\"")!;
    expect(m.test('at=info method=GET path="/a.b" status=200')).toBe(true);
    expect(m.test('at=info method=GET path="/axb" status=200')).toBe(false);
    expect(makeMatcher("STATE changed")!.test("State changed from starting to up")).toBe(true);
  });

  it("splits around every match, matches at odd indexes", () => {
    expect(makeMatcher("ab")!.split("xABxabx")).toEqual(["x", "AB", "x", "ab", "x"]);
    expect(makeMatcher("tick")!.split("tick 1")).toEqual(["", "tick", " 1"]);
  });
});

describe("tags", () => {
  it("tells dyno output, API, dyno manager, router and the stream's own notice apart", () => {
    expect(tagTone({ source: "app", dyno: "web.1" })).toBe("app");
    expect(tagTone({ source: "app", dyno: "api" })).toBe("api");
    expect(tagTone({ source: "slipway", dyno: "web.1" })).toBe("slipway");
    expect(tagTone({ source: "slipway", dyno: null })).toBe("slipway");
    expect(tagTone({ source: "slipway", dyno: "router" })).toBe("router");
    expect(tagTone({ source: "slipway", dyno: "logs" })).toBe("notice");
  });

  it("searches the tag and message, as printed", () => {
    expect(lineText(line({ source: "slipway", dyno: "router", message: "at=info" }))).toBe("slipway[router]: at=info");
  });

  it("marks Heroku's error lines", () => {
    expect(isErrorLine({ message: "Error R14 (Memory quota exceeded)" })).toBe(true);
    expect(isErrorLine({ message: 'at=error code=H12 desc="Request timeout"' })).toBe(true);
    expect(isErrorLine({ message: "State changed from up to crashed" })).toBe(true);
    expect(isErrorLine({ message: "State changed from starting to up" })).toBe(false);
    expect(isErrorLine({ message: "no Error R14 here" })).toBe(false);
  });
});

describe("displayTime", () => {
  it("shows the time of day in the reader's zone, with the day when it is not today", () => {
    const at = "2026-11-28T01:02:03.123456+00:00";
    const d = new Date("2026-11-28T01:02:03.123Z");
    const pad = (n: number) => String(n).padStart(2, "0");
    const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.123`;
    expect(displayTime(at, d.toDateString())).toBe(time);
    expect(displayTime(at, "Thu Jan 01 2099")).toMatch(new RegExp(`^[A-Z][a-z]{2} \\d{1,2} ${time}$`));
  });

  it("leaves a timestamp it cannot read as it is", () => {
    expect(displayTime("not a time")).toBe("not a time");
  });
});

describe("the downloaded file", () => {
  it("is one Heroku-form line per log line", () => {
    const text = toLogFile([
      line(),
      line({ id: 2, source: "slipway", dyno: "web.1", message: "State changed from starting to up" }),
      line({ id: 3, source: "app", dyno: "api", message: "Release v7 created by user a@b.c" }),
    ]);
    expect(text).toBe(
      "2026-11-28T01:02:03.123456+00:00 app[web.1]: hello\n" +
        "2026-11-28T01:02:03.123456+00:00 slipway[web.1]: State changed from starting to up\n" +
        "2026-11-28T01:02:03.123456+00:00 app[api]: Release v7 created by user a@b.c\n",
    );
  });

  it("is named for the app and the moment", () => {
    expect(logFileName("my-app", new Date(2026, 10, 28, 1, 2, 3))).toBe("my-app-20261128-010203.log");
  });
});
