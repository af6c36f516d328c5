// How log lines look and how they are filtered, the same for the dashboard, the CLI and
// drains. No server-only: pure functions the Logs page uses too.
import type { LogLine } from "@/server/logs/store";

/** `app[web.1]`, `slipway[router]`, `app[api]`, or just `slipway` for app-wide lines. */
export function logTag(line: Pick<LogLine, "source" | "dyno">): string {
  return line.dyno ? `${line.source}[${line.dyno}]` : line.source;
}

/** Heroku's line: `2026-11-27T18:00:00.123456+00:00 app[web.1]: message`. */
export function formatLogLine(line: LogLine): string {
  return `${line.at} ${logTag(line)}: ${line.message}`;
}

export type LogFilter = {
  /** `web.1` (one dyno), `web` (every dyno of the type), `router`, `api`. */
  dyno?: string | null;
  /** `app` or `slipway` (`heroku` is accepted for scripts written for Heroku). */
  source?: string | null;
};

export function matchesFilter(line: Pick<LogLine, "source" | "dyno">, f: LogFilter): boolean {
  if (f.source) {
    const source = f.source === "heroku" ? "slipway" : f.source;
    if (line.source !== source) return false;
  }
  if (f.dyno) {
    if (!line.dyno) return false;
    if (line.dyno !== f.dyno && !(line.dyno.startsWith(`${f.dyno}.`) && !f.dyno.includes("."))) return false;
  }
  return true;
}
