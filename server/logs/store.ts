import "server-only";
// The log bus, one per app: the last 1,500 lines (Heroku's buffer) with an id each, fanned
// out to live subscribers (SSE clients, drains). Lines are appended to a file in the data
// directory as they come, so the buffer — and the collector's place in every dyno's output
// — survive a control plane restart.
//
// The buffer is in time order, not arrival order: router lines come from the router
// process's request log a little after the dyno lines around them (they are stamped when
// the request ended), so a line older than the newest one is put in its place. Ids still
// follow arrival (a late line gets the next id), which is what a live tail has seen and
// what Last-Event-ID resumes after.
import fs from "node:fs";
import path from "node:path";
import { dataDir } from "@/server/env";

export const BUFFER_LINES = 1_500;
/**
 * A buffer nobody has written, read or subscribed to for this long is written out and
 * dropped from memory (its next use reads it back from its file). Each holds up to
 * BUFFER_LINES (~0.5 MB), and every buffer ever touched stayed loaded. By idle time, not
 * by count: a cap below the number of apps that log would make a round of them reload
 * their files on every line.
 */
export const UNLOAD_IDLE_MS = 10 * 60_000;
/** Containers whose read position is kept per app (the most recently read ones), as in the file. */
export const MAX_CURSORS = 200;
/** The buffer is cut back to BUFFER_LINES once it holds this many (a cut costs one copy). */
const TRIM_AT = BUFFER_LINES + 100;

export type LogLine = {
  /** Per app, increasing: the SSE event id (Last-Event-ID resumes after it). */
  id: number;
  /** RFC 3339 with microseconds, UTC. */
  at: string;
  /** "app" (what the app wrote or did: dyno output, api events) or "slipway" (the platform). */
  source: "app" | "slipway";
  /** web.1, run.4821, router, api — or null for app-wide platform lines. */
  dyno: string | null;
  message: string;
};

export type NewLogLine = Omit<LogLine, "id"> & {
  /** Dyno output only: the container and Docker's timestamp (ns), the collector's cursor. */
  container?: string;
  ns?: bigint;
};

type Record = { i: number; t: string; s: "app" | "slipway"; d: string | null; m: string; c?: string; n?: string };
type Listener = (line: LogLine) => void;

const COMPACT_AT = BUFFER_LINES * 3;

class AppLog {
  lines: LogLine[] = [];
  usedAt = Date.now();
  nextId = 1;
  readonly cursors = new Map<string, bigint>();
  readonly listeners = new Set<Listener>();
  private fd: number | null = null;
  private fileLines = 0;
  private pending = "";
  private flushQueued = false;

  constructor(readonly file: string) {
    this.load();
  }

  private load() {
    let text = "";
    try {
      text = fs.readFileSync(this.file, "utf8");
    } catch {
      return;
    }
    const lines: LogLine[] = [];
    for (const raw of text.split("\n")) {
      if (!raw) continue;
      try {
        const r = JSON.parse(raw) as Record | { cursors: { [c: string]: string } };
        if ("cursors" in r) {
          for (const [c, n] of Object.entries(r.cursors)) this.setCursor(c, BigInt(n));
          continue;
        }
        lines.push({ id: r.i, at: r.t, source: r.s, dyno: r.d, message: r.m });
        if (r.c && r.n) this.setCursor(r.c, BigInt(r.n));
        this.fileLines++;
      } catch {
        // A torn last line from a crash: everything before it stands.
      }
    }
    // The file is in arrival order; the buffer in time order (a stable sort keeps arrival
    // order among lines of the same time).
    lines.sort(byTime);
    this.lines = lines.slice(-BUFFER_LINES);
    this.nextId = lines.reduce((max, l) => Math.max(max, l.id), 0) + 1;
  }

  append(input: NewLogLine): LogLine {
    const line: LogLine = { id: this.nextId++, at: input.at, source: input.source, dyno: input.dyno, message: input.message };
    let i = this.lines.length;
    while (i > 0 && this.lines[i - 1]!.at > line.at) i--;
    if (i === this.lines.length) this.lines.push(line);
    else this.lines.splice(i, 0, line);
    if (this.lines.length > TRIM_AT) this.lines = this.lines.slice(-BUFFER_LINES);
    if (input.container && input.ns !== undefined) {
      this.setCursor(input.container, input.ns);
      this.write({ i: line.id, t: line.at, s: line.source, d: line.dyno, m: line.message, c: input.container, n: String(input.ns) });
    } else {
      this.write({ i: line.id, t: line.at, s: line.source, d: line.dyno, m: line.message });
    }
    for (const l of this.listeners) {
      try {
        l(line);
      } catch (err) {
        console.error("slipway: a log subscriber failed", err);
      }
    }
    return line;
  }

  /**
   * Most recently read last: every restart of a dyno is a new container, and the cursors of
   * removed ones were kept forever. Only the MAX_CURSORS most recent stay (a container
   * still running keeps writing, so it stays among them).
   */
  private setCursor(container: string, ns: bigint) {
    this.cursors.delete(container);
    this.cursors.set(container, ns);
    if (this.cursors.size > MAX_CURSORS) this.cursors.delete(this.cursors.keys().next().value!);
  }

  recent(): LogLine[] {
    return this.lines.length > BUFFER_LINES ? this.lines.slice(-BUFFER_LINES) : this.lines.slice();
  }

  // Appends are batched per turn of the event loop: one write for a burst of lines.
  private write(r: Record) {
    this.pending += `${JSON.stringify(r)}\n`;
    this.fileLines++;
    if (!this.flushQueued) {
      this.flushQueued = true;
      setImmediate(() => this.flush());
    }
  }

  flush() {
    this.flushQueued = false;
    if (!this.pending) return;
    try {
      if (this.fileLines > COMPACT_AT) return this.compact();
      this.fd ??= openAppend(this.file);
      fs.writeSync(this.fd, this.pending);
    } catch (err) {
      console.error(`slipway: could not write ${this.file}`, err);
    }
    this.pending = "";
  }

  /** Rewrites the file as the buffer plus every container's cursor. */
  private compact() {
    this.close();
    const keep = this.recent();
    const cursors = Object.fromEntries([...this.cursors].map(([c, n]) => [c, String(n)]));
    const body = [JSON.stringify({ cursors }), ...keep.map((l) => JSON.stringify({ i: l.id, t: l.at, s: l.source, d: l.dyno, m: l.message }))].join("\n");
    fs.writeFileSync(`${this.file}.tmp`, `${body}\n`);
    fs.renameSync(`${this.file}.tmp`, this.file);
    this.fileLines = keep.length;
    this.pending = "";
  }

  close() {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }
}

/** RFC 3339 times of one shape (logTime's) order as strings. */
function byTime(a: LogLine, b: LogLine) {
  return a.at < b.at ? -1 : a.at > b.at ? 1 : 0;
}

function openAppend(file: string) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  return fs.openSync(file, "a");
}

const holder = globalThis as unknown as { slipwayLogs?: Map<string, AppLog> };
const logs = (holder.slipwayLogs ??= new Map());

function logsDir() {
  return path.join(dataDir(), "logs");
}

let checkedIdleAt = Date.now();

function appLog(appId: string): AppLog {
  const now = Date.now();
  // Looked for at most once a minute, on use: no timer of its own.
  if (now - checkedIdleAt > 60_000) unloadIdleLogs(now);
  let log = logs.get(appId);
  if (!log) logs.set(appId, (log = new AppLog(path.join(logsDir(), `${appId}.jsonl`))));
  log.usedAt = now;
  return log;
}

/** Writes out and drops the buffers unused since `now - UNLOAD_IDLE_MS` that nobody is subscribed to. */
export function unloadIdleLogs(now = Date.now()) {
  checkedIdleAt = now;
  for (const [appId, log] of logs) {
    if (log.listeners.size > 0 || now - log.usedAt < UNLOAD_IDLE_MS) continue;
    log.flush();
    log.close();
    logs.delete(appId);
  }
}

/** What the log bus holds in memory (bench/control-plane prints it). */
export function logFootprint() {
  let lines = 0;
  let cursors = 0;
  let listeners = 0;
  for (const log of logs.values()) {
    lines += log.lines.length;
    cursors += log.cursors.size;
    listeners += log.listeners.size;
  }
  return { loadedApps: logs.size, lines, cursors, listeners };
}

export function appendLog(appId: string, line: NewLogLine): LogLine {
  return appLog(appId).append(line);
}

/** The buffer, oldest first. */
export function recentLogs(appId: string): LogLine[] {
  return appLog(appId).recent();
}

/** Live lines from now on; returns the unsubscribe. */
export function subscribeLogs(appId: string, listener: Listener): () => void {
  const log = appLog(appId);
  log.listeners.add(listener);
  return () => log.listeners.delete(listener);
}

/** Where the collector stopped reading a container's output (Docker timestamp, ns). */
export function logCursor(appId: string, containerId: string): bigint | undefined {
  return appLog(appId).cursors.get(containerId);
}

/** Writes out what is pending (the server is stopping). */
export function flushLogs() {
  for (const log of logs.values()) log.flush();
}

/** Writes out and forgets every loaded buffer; the next use reads it back from disk. */
export function unloadLogs() {
  for (const log of logs.values()) {
    log.flush();
    log.close();
  }
  logs.clear();
}

/** The app is gone: its buffer and file go too. */
export function removeAppLogs(appId: string) {
  const log = logs.get(appId);
  log?.close();
  log?.listeners.clear();
  logs.delete(appId);
  fs.rmSync(path.join(logsDir(), `${appId}.jsonl`), { force: true });
}

/** RFC 3339 with microseconds, as Heroku prints them. */
export function logTime(date: Date, micros = 0): string {
  return `${date.toISOString().slice(0, 23)}${String(micros).padStart(3, "0")}+00:00`;
}
