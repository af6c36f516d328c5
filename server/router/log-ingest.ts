// HAProxy's raw request log (the bytes read off its pipe, log-pipe.ts) → requests.log's
// lines (`<time>\t<app id>\t<router line>\n`, protocol.ts) and the per-app counters, in
// bytes. A served request's router line is HAProxy's own `at=info` line, so it is copied
// through as it came, never decoded into a JavaScript string and encoded again: that
// round trip, and splitting every line whole, cost the router process ~5 µs a request of
// the ~7 µs it spent (bench/router; issue 18's CPU-per-request goal is HAProxy plus this
// process against nginx). Lines that must be rewritten (an error's H-code, a deploy's
// `web.1_2`) take logs.ts's string path, so both paths give the same line.
// No server-only: the router imports it.
import type { Counters } from "@/server/router/counters";
import { parseProxyLog, requestEnd, routerLine } from "@/server/router/logs";
import { formatRequestLine, isoMicros, type RoutedApp } from "@/server/router/protocol";

const SEP = 0x1f;
const NL = 0x0a;
/** HAProxy's fields before its `at=info` line (haproxy.ts LOG_FORMAT): backend … idle. */
const HEAD_FIELDS = 11;

export type LogIngest = {
  /** Takes the next bytes off the pipe (any cut: mid-line, mid-character); returns the lines for requests.log, or null. */
  push(chunk: Buffer): Buffer | null;
};

/**
 * `app` names the app of a backend (undefined: no app's line, e.g. an unknown host's 404);
 * `notice` gets every line that is not a request's (HAProxy's own messages), as text.
 */
export function logIngest(o: { app: (backend: string) => RoutedApp | undefined; counters: Counters; notice: (raw: string) => void }): LogIngest {
  let rest: Buffer | null = null;
  const sep = new Int32Array(HEAD_FIELDS);
  // The time's date and second (isoMicros's first 20 characters), formatted once a second.
  let second = NaN;
  const secondBytes = Buffer.alloc(20);
  // Each app's `\t<id>\t`, in bytes.
  const idBytes = new Map<string, Buffer>();
  return {
    push(chunk) {
      const data = rest ? Buffer.concat([rest, chunk]) : chunk;
      rest = null;
      // Output is at most the input plus a little per line (the head HAProxy wrote, ~90 bytes,
      // gives way to the time and app id, 66); grown if an error's rewrite needs more.
      let out = Buffer.allocUnsafe(data.length + 1024);
      let at = 0;
      const room = (n: number) => {
        if (at + n <= out.length) return;
        const bigger = Buffer.allocUnsafe(Math.max(out.length * 2, at + n));
        out.copy(bigger, 0, 0, at);
        out = bigger;
      };
      let pos = 0;
      while (pos < data.length) {
        const nl = data.indexOf(NL, pos);
        if (nl === -1) {
          rest = Buffer.from(data.subarray(pos)); // a copy: the pipe's reader reuses its buffer
          break;
        }
        const line = pos;
        pos = nl + 1;
        // The head ends at the 11th separator; a line with fewer is not a request's. The
        // router line after it is not searched for more: HAProxy refuses a request whose
        // path or Host has a control character, so none can be in it.
        let seps = 0;
        for (let i = line; i < nl && seps < HEAD_FIELDS; i++) if (data[i] === SEP) sep[seps++] = i;
        if (seps !== HEAD_FIELDS) {
          o.notice(data.toString("utf8", line, nl));
          continue;
        }
        const app = o.app(data.toString("latin1", line, sep[0]));
        if (!app) continue;
        const headEnd = sep[10]!;
        // Served (termination state "----"), by a dyno named as it is (not web.1_2, not
        // <NOSRV>): herokuCode says null, and HAProxy's line is the router line.
        if (is4(data, sep[0]! + 1, sep[1]!, 0x2d) && plainDyno(data, sep[1]! + 1, sep[2]!)) {
          const status = num(data, sep[2]! + 1, sep[3]!);
          const tr = num(data, sep[3]! + 1, sep[4]!);
          const ended = requestEnd(num(data, sep[5]! + 1, sep[6]!), num(data, sep[6]! + 1, sep[7]!), num(data, sep[7]! + 1, sep[8]!), num(data, sep[4]! + 1, sep[5]!), num(data, sep[8]! + 1, sep[9]!));
          o.counters.add({ appId: app.id, code: null, status, serviceMs: Math.max(0, tr || 0), line: "" });
          let id = idBytes.get(app.id);
          if (!id) idBytes.set(app.id, (id = Buffer.from(`\t${app.id}\t`, "latin1")));
          room(36 + id.length + (nl - headEnd));
          // isoMicros, in bytes: "YYYY-MM-DDTHH:MM:SS." then the µs within the second and "Z".
          const us = Math.floor(Number.isFinite(ended) ? ended : Date.now() * 1000);
          const s = Math.floor(us / 1_000_000);
          if (s !== second) {
            second = s;
            secondBytes.write(new Date(s * 1000).toISOString().slice(0, 20), "latin1");
          }
          at += secondBytes.copy(out, at);
          let frac = us - s * 1_000_000;
          for (let d = 5; d >= 0; d--, frac = Math.floor(frac / 10)) out[at + d] = 0x30 + (frac % 10);
          out[at + 6] = 0x5a; // Z
          at += 7;
          at += id.copy(out, at);
          at += data.copy(out, at, headEnd + 1, nl);
          out[at++] = NL;
          continue;
        }
        // Anything else (an error to rewrite, a deploy's second web.1): logs.ts, as text.
        const log = parseProxyLog(data.toString("utf8", line, nl))!;
        const routed = routerLine(log, app)!;
        o.counters.add(routed);
        const text = formatRequestLine({ at: isoMicros(Number.isFinite(log.endedAt) ? log.endedAt : Date.now() * 1000), appId: routed.appId, line: routed.line });
        room(Buffer.byteLength(text));
        at += out.write(text, at);
      }
      return at ? out.subarray(0, at) : null;
    },
  };
}

/** Are the bytes from `a` to `b` four times `c`? */
function is4(data: Buffer, a: number, b: number, c: number) {
  return b - a === 4 && data[a] === c && data[a + 1] === c && data[a + 2] === c && data[a + 3] === c;
}

/** A server's name with no `_` (a deploy's web.1_2) and not `<NOSRV>`. */
function plainDyno(data: Buffer, a: number, b: number) {
  if (a === b || data[a] === 0x3c) return false;
  for (let i = a; i < b; i++) if (data[i] === 0x5f) return false;
  return true;
}

/** Number() of the ASCII bytes from `a` to `b`, for what HAProxy writes (digits, maybe a minus; "" is 0; anything else NaN). */
function num(data: Buffer, a: number, b: number): number {
  let i = a;
  let sign = 1;
  if (data[i] === 0x2d) {
    sign = -1;
    i++;
    if (i === b) return NaN;
  }
  let n = 0;
  for (; i < b; i++) {
    const d = data[i]! - 0x30;
    if (d < 0 || d > 9) return NaN;
    n = n * 10 + d;
  }
  return sign * n;
}
