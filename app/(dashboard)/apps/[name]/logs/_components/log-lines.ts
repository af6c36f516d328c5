// The Logs page's pure parts: the capped line buffer, search, how a line's tag is coloured
// and the downloaded file. Heroku's line form comes from server/logs/format.ts (pure, no
// server-only), so the download matches what `heroku logs` prints.
import { formatLogLine, logTag } from "@/server/logs/format";
import type { LogLine } from "@/server/logs/store";

/** The browser keeps the newest this many lines; older ones fall off the top. */
export const MAX_LINES = 5000;

/** A line as the page holds it: `key` is unique on the page (notices have no server id). */
export type LogEntry = LogLine & { key: number };

/** Appends and keeps the newest MAX_LINES; returns a new array (rendered lists are immutable). */
export function appendCapped(lines: readonly LogEntry[], added: readonly LogEntry[], max = MAX_LINES): LogEntry[] {
  const all = lines.concat(added);
  return all.length > max ? all.slice(all.length - max) : all;
}

/** What the filters and the search see of a line, and what the viewer prints after the time. */
export function lineText(line: LogLine): string {
  return `${logTag(line)}: ${line.message}`;
}

export type Matcher = {
  query: string;
  test: (text: string) => boolean;
  /** The text split around matches: odd indexes are the matches. */
  split: (text: string) => string[];
};

/** Case-insensitive plain-text search (what the user typed, not a regular expression). */
export function makeMatcher(query: string): Matcher | null {
  const q = query.trim();
  if (!q) return null;
  const escaped = q.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const once = new RegExp(escaped, "i");
  const around = new RegExp(`(${escaped})`, "gi");
  return { query: q, test: (text) => once.test(text), split: (text) => text.split(around) };
}

export type TagTone = "app" | "api" | "slipway" | "router" | "notice";

/** Dyno output vs the platform, with router and API lines told apart from the rest. */
export function tagTone(line: Pick<LogLine, "source" | "dyno">): TagTone {
  if (line.source === "app") return line.dyno === "api" ? "api" : "app";
  if (line.dyno === "router") return "router";
  // The stream's own notice (L10: this browser fell behind and lines were dropped).
  if (line.dyno === "logs") return "notice";
  return "slipway";
}

// Heroku's error codes (H10, R14, L10 …), a router line for a failed request, a dyno crash.
const ERROR_MESSAGE = /^Error [A-Z]\d{1,3}\b|\bat=error\b|State changed from \w+ to crashed/;

export function isErrorLine(line: Pick<LogLine, "message">): boolean {
  return ERROR_MESSAGE.test(line.message);
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");
const dayFormat = new Intl.DateTimeFormat("en", { month: "short", day: "numeric" });

/** The time of day in the reader's zone (`18:00:00.123`), with the day when it is not `today` (a toDateString()). */
export function displayTime(at: string, today = new Date().toDateString()): string {
  // RFC 3339 with microseconds: Date takes milliseconds.
  const d = new Date(at.replace(/(\.\d{3})\d+/, "$1"));
  if (Number.isNaN(d.getTime())) return at;
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
  return d.toDateString() === today ? time : `${dayFormat.format(d)} ${time}`;
}

/** The lines as a .log file, one Heroku-form line each (`2026-11-27T18:00:00.123456+00:00 app[web.1]: …`). */
export function toLogFile(lines: readonly LogLine[]): string {
  return lines.map((l) => `${formatLogLine(l)}\n`).join("");
}

/** `myapp-20261128-010203.log`, in the reader's time. */
export function logFileName(appName: string, now = new Date()): string {
  const stamp = `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}-${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
  return `${appName}-${stamp}.log`;
}
