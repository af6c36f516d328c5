import "server-only";
// One app's log as Server-Sent Events: the recent lines (or those after Last-Event-ID),
// then — when tailing — every new line as it comes, with heartbeats. Each client has its
// own bounded queue: a client that cannot keep up loses lines (and is told how many, like
// Logplex's L10) instead of slowing the bus or anyone else.
import { formatLogLine, matchesFilter, type LogFilter } from "@/server/logs/format";
import { logTime, recentLogs, subscribeLogs, type LogLine } from "@/server/logs/store";

export type LogStreamOptions = {
  appId: string;
  /** How many recent lines (at most the buffer); ignored when resuming. */
  lines: number;
  tail: boolean;
  filter: LogFilter;
  /** Last-Event-ID: send the buffered lines after this one instead of the last `lines`. */
  after?: number | null;
  /** text: Heroku's line (what the CLI prints); json: the fields, for the dashboard. */
  format: "text" | "json";
  signal?: AbortSignal;
  /** Called once when the stream ends, however it ends. */
  onClose?: () => void;
  heartbeatMs?: number;
  /** Bytes a client may have queued before its lines are dropped. */
  maxQueuedBytes?: number;
};

const encoder = new TextEncoder();

// Open tails, so a stopping server can end them: its HTTP server waits for open
// connections, and clients reconnect (with Last-Event-ID) to whichever server comes next.
const open = new Set<() => void>();

export function closeLogStreams() {
  for (const close of [...open]) close();
}

/** `sseId`: what Last-Event-ID resumes after (see resumePoints); the line's own id by default. */
function event(line: LogLine, format: "text" | "json", sseId = line.id) {
  return `id: ${sseId}\n${dataField(format === "text" ? formatLogLine(line) : JSON.stringify(line))}\n`;
}

/**
 * The buffer is in time order and its ids in arrival order, so a late line (a router line)
 * sits before lines with higher ids. A client resumes after the last SSE id it got, and gets
 * the lines with higher ids: after each backlog line the id sent is the highest one below
 * which every line of the backlog has been sent, so a resume never skips a late line (it may
 * repeat one; the line's own id, in the JSON form, tells the dashboard it has it).
 */
function resumePoints(backlog: LogLine[], after: number): number[] {
  const lowestAfter = new Array<number>(backlog.length);
  let lowest = Infinity;
  for (let i = backlog.length - 1; i >= 0; i--) {
    lowestAfter[i] = lowest;
    lowest = Math.min(lowest, backlog[i]!.id);
  }
  let highest = after;
  return backlog.map((l, i) => {
    highest = Math.max(highest, l.id);
    return Math.max(after, Math.min(highest, lowestAfter[i]! - 1));
  });
}

// SSE ends a field at CR, LF or CRLF: app output carrying a bare \r would otherwise start
// fields of its own (`id:`, `event:`, a second `data:`). Each line becomes a `data:` line,
// which EventSource joins back into the one event's data.
function dataField(text: string) {
  return `${text.split(/\r\n|\r|\n/).map((l) => `data: ${l}`).join("\n")}\n`;
}

export function logEventStream(o: LogStreamOptions): ReadableStream<Uint8Array> {
  let cleanup = () => {};
  let notice = () => {};
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        let closed = false;
        let batch = "";
        let flushQueued = false;
        let dropped = 0;
        let droppedSince = "";
        const send = (text: string) => {
          if (!closed) controller.enqueue(encoder.encode(text));
        };
        notice = () => {
          if (!dropped) return;
          const line: LogLine = {
            id: 0,
            at: logTime(new Date()),
            source: "slipway",
            dyno: "logs",
            message: `Error L10 (output buffer overflow): ${dropped} messages dropped since ${droppedSince}`,
          };
          dropped = 0;
          send(`${dataField(o.format === "text" ? formatLogLine(line) : JSON.stringify(line))}\n`);
        };
        const flush = () => {
          flushQueued = false;
          if (!batch) return;
          send(batch);
          batch = "";
        };

        // Subscribe before reading the buffer, so nothing falls between the two.
        const early: LogLine[] = [];
        let live = false;
        const unsubscribe = o.tail
          ? subscribeLogs(o.appId, (line) => {
              if (!matchesFilter(line, o.filter)) return;
              if (!live) return void early.push(line);
              if ((controller.desiredSize ?? 1) <= 0) {
                if (!dropped++) droppedSince = line.at;
                return;
              }
              notice();
              batch += event(line, o.format);
              if (!flushQueued) {
                flushQueued = true;
                setImmediate(flush);
              }
            })
          : () => {};

        send("retry: 2000\n\n");
        const buffered = recentLogs(o.appId).filter((l) => matchesFilter(l, o.filter));
        const backlog = o.after != null ? buffered.filter((l) => l.id > o.after!) : buffered.slice(-Math.max(0, o.lines));
        // The buffer is in time order, its ids in arrival order: the newest id sent is the highest.
        let last = backlog.reduce((max, l) => Math.max(max, l.id), o.after ?? 0);
        const points = resumePoints(backlog, o.after ?? 0);
        send(backlog.map((l, i) => event(l, o.format, points[i])).join(""));
        for (const l of early) if (l.id > last) send(event(l, o.format)), (last = l.id);
        live = true;

        const heartbeat = o.tail ? setInterval(() => (controller.desiredSize ?? 1) > 0 && send(": heartbeat\n\n"), o.heartbeatMs ?? 15_000) : undefined;
        cleanup = () => {
          if (closed) return;
          closed = true;
          open.delete(onAbort);
          unsubscribe();
          clearInterval(heartbeat);
          o.signal?.removeEventListener("abort", onAbort);
          o.onClose?.();
        };
        const onAbort = () => {
          cleanup();
          try {
            controller.close();
          } catch {
            // already closed by the reader
          }
        };
        o.signal?.addEventListener("abort", onAbort);
        if (!o.tail) onAbort();
        else open.add(onAbort);
      },
      pull() {
        notice(); // the client caught up: say what it missed
      },
      cancel() {
        cleanup();
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark: o.maxQueuedBytes ?? 1024 * 1024 }),
  );
}
