// One log line → one RFC 5424 message with RFC 6587 octet-counting framing, as Logplex writes
// them. Two shapes, because Heroku sends two and receivers are written against each:
//   syslog drains: `<PRI>1 TIME TOKEN APP PROC - - MSG`  (HOSTNAME = drain token, MSGID and SD nil)
//   HTTPS drains:  `<PRI>1 TIME host APP PROC - MSG`      (literal "host"; the token travels in the
//                  Logplex-Drain-Token header; no SD field — parsers such as Vector's heroku_logs
//                  source split on exactly this, so we keep Logplex's quirk rather than fix it)
// Like Logplex, every MSG ends in "\n" and the octet count includes it.
import type { DrainLine } from "./types";

export type FrameStyle = "syslog" | "http";

// Heroku: "uses local0, local3 and local7 for its Syslog facilities". Dyno output is local7.info
// (<190>), router lines local3.info (<158>), other platform lines local0.info (<134>); Logplex's own
// buffer-overflow notice (L10) is local5.warning (<172>).
const PRI_APP_OUTPUT = 190;
const PRI_ROUTER = 158;
const PRI_PLATFORM = 134;
const PRI_DRAIN_NOTICE = 172;

export const DRAIN_NOTICE_SOURCE = "slipway[logplex]";

/**
 * APP-NAME and PROCID from a Slipway source: "name[proc]" splits (slipway[router] → slipway
 * router, app[api] → app api); a bare source takes the dyno as PROCID (app + web.1 → app web.1).
 */
export function appAndProc(source: string, dyno: string | null): { app: string; proc: string } {
  const open = source.indexOf("[");
  if (open > 0 && source.endsWith("]")) return { app: source.slice(0, open), proc: source.slice(open + 1, -1) };
  return { app: source, proc: dyno ?? "-" };
}

function priority(source: string): number {
  if (source === "app") return PRI_APP_OUTPUT;
  if (source === "slipway[router]") return PRI_ROUTER;
  if (source === DRAIN_NOTICE_SOURCE) return PRI_DRAIN_NOTICE;
  return PRI_PLATFORM;
}

/** RFC 3339 in UTC with microseconds, the form Heroku prints: 2026-11-27T18:00:00.123000+00:00 */
export function syslogTime(at: Date): string {
  return `${at.toISOString().slice(0, 23)}000+00:00`;
}

// RFC 5424 header fields are PRINTUSASCII (33–126) with length limits; anything else would
// shift every field after it for the receiver's parser.
function headerField(value: string, max: number): string {
  const clean = value.replace(/[^\x21-\x7e]/g, "_").slice(0, max);
  return clean || "-";
}

export function formatFrame(line: DrainLine, style: FrameStyle, token: string): string {
  const { app, proc } = appAndProc(line.source, line.dyno);
  const host = style === "syslog" ? headerField(token, 255) : "host";
  const nil = style === "syslog" ? "- -" : "-";
  let msg = line.message;
  if (msg.endsWith("\n")) msg = msg.slice(0, msg.endsWith("\r\n") ? -2 : -1);
  const body = `<${priority(line.source)}>1 ${syslogTime(line.at)} ${host} ${headerField(app, 48)} ${headerField(proc, 128)} ${nil} ${msg}\n`;
  return `${Buffer.byteLength(body, "utf8")} ${body}`;
}

/** Logplex's L10: tells the receiver how many lines it will never see, in the stream itself. */
export function lossNotice(count: number, since: Date, at = new Date()): DrainLine {
  return {
    at,
    source: DRAIN_NOTICE_SOURCE,
    dyno: null,
    message: `Error L10 (output buffer overflow): ${count} messages dropped since ${syslogTime(since)}.`,
  };
}
