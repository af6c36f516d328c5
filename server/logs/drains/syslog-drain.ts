// syslog:// and syslog+tls:// drains: one long-lived connection per drain carrying
// octet-counted RFC 5424 frames, reconnected with exponential backoff (Logplex: 1 s doubling,
// capped). Lines the kernel never took from a dead connection go back to the front of the queue,
// so a receiver restart loses at most what was already in flight on the wire.
import net from "node:net";
import tls from "node:tls";
import { StatusTracker, describeError } from "./drain-status";
import { LineQueue, type Loss } from "./line-queue";
import { formatFrame, lossNotice } from "./syslog-frame";
import type { Drain, DrainLine, DrainStatus, TransportOptions } from "./types";

export type SyslogDrainOptions = TransportOptions;

const BATCH_LINES = 500;
const CONNECT_TIMEOUT_MS = 10_000;
// A receiver that stops reading fills the kernel buffers; after this long without a 'drain'
// the connection is given up and re-made, so the queue (not the socket) absorbs the backlog.
const WRITE_STALL_MS = 30_000;
const BACKOFF_FIRST_MS = 500;
const BACKOFF_MAX_MS = 30_000;
// A connection that lived this long, or delivered anything, was healthy: retry from the start.
const HEALTHY_AFTER_MS = 5_000;
const CLOSE_GRACE_MS = 2_000;

type Batch = { lines: DrainLine[]; loss: Loss | null };
type Connection = {
  socket: net.Socket;
  /** A TCP connection was made (TLS may still fail after it). */
  connected: boolean;
  readyAt: number | null;
  dead: boolean;
  ending: boolean;
  error: unknown;
  inFlight: Batch[];
  inFlightLines: number;
  acked: number;
  stall: NodeJS.Timeout | null;
};

export class SyslogDrain implements Drain {
  private readonly queue: LineQueue;
  private readonly tracker: StatusTracker;
  private conn: Connection | null = null;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private pumpScheduled = false;
  private closing = false;
  private closed: Promise<void> | null = null;
  private finishClose: ((flushed?: boolean) => void) | null = null;

  constructor(private readonly opts: SyslogDrainOptions) {
    this.queue = new LineQueue(opts.maxQueue);
    this.tracker = new StatusTracker(() => this.queue.size + (this.conn?.inFlightLines ?? 0), opts.onStatus);
    this.connect();
  }

  push(line: DrainLine): void {
    if (this.closing) return this.tracker.recordDropped(1);
    this.tracker.recordDropped(this.queue.push(line));
    if (!this.pumpScheduled && this.conn?.readyAt) {
      this.pumpScheduled = true;
      setImmediate(() => {
        this.pumpScheduled = false;
        this.pump();
      });
    }
  }

  status(): DrainStatus {
    return this.tracker.snapshot();
  }

  close(): Promise<void> {
    if (this.closed) return this.closed;
    this.closing = true;
    this.closed = new Promise<void>((resolve) => {
      if (this.retryTimer) clearTimeout(this.retryTimer);
      this.retryTimer = null;
      const deadline = setTimeout(() => this.finishClose?.(), CLOSE_GRACE_MS);
      this.finishClose = (flushed = false) => {
        this.finishClose = null;
        clearTimeout(deadline);
        const conn = this.conn;
        if (conn && !flushed) conn.socket.destroy();
        if (conn) this.release(conn);
        this.tracker.recordDropped(this.queue.clear());
        this.tracker.close();
        resolve();
      };
      // Lines waiting out a backoff get one last attempt now rather than none.
      if (!this.conn && this.queue.size > 0) this.connect();
      if (!this.conn) this.finishClose();
      else this.pump();
    });
    return this.closed;
  }

  private connect() {
    this.retryTimer = null;
    const { host, port, policy } = this.opts;
    try {
      policy.checkLiteral(host); // Node skips `lookup` for IP literals
    } catch (err) {
      return this.retryLater(err, false, false);
    }
    const socket = this.opts.tls
      ? tls.connect({
          host,
          port,
          lookup: policy.lookup,
          servername: net.isIP(host) ? undefined : host,
          secureContext: this.opts.secureContext,
        })
      : net.connect({ host, port, lookup: policy.lookup });
    const conn: Connection = { socket, connected: false, readyAt: null, dead: false, ending: false, error: null, inFlight: [], inFlightLines: 0, acked: 0, stall: null };
    this.conn = conn;
    socket.once("connect", () => (conn.connected = true));
    socket.setTimeout(CONNECT_TIMEOUT_MS, () => socket.destroy(Object.assign(new Error("timed out"), { code: "ETIMEDOUT" })));
    socket.once(this.opts.tls ? "secureConnect" : "connect", () => {
      socket.setTimeout(0);
      socket.setKeepAlive(true, 60_000);
      conn.readyAt = Date.now();
      this.tracker.setState("delivering");
      this.pump();
    });
    // Receivers send nothing, but reading is what lets us see their FIN when they go away.
    socket.on("data", () => {});
    socket.on("drain", () => {
      if (conn.stall) clearTimeout(conn.stall);
      conn.stall = null;
      this.pump();
    });
    socket.on("error", (err) => {
      conn.error ??= err;
    });
    socket.on("close", () => this.onClose(conn));
  }

  private pump() {
    const conn = this.conn;
    if (!conn?.readyAt || conn.dead || conn.ending || conn.stall) return;
    const { token } = this.opts;
    while (this.queue.size > 0) {
      const loss = this.queue.takeLoss();
      const lines = this.queue.take(BATCH_LINES);
      let text = loss ? formatFrame(lossNotice(loss.count, loss.since), "syslog", token) : "";
      for (const line of lines) text += formatFrame(line, "syslog", token);
      const batch: Batch = { lines, loss };
      conn.inFlight.push(batch);
      conn.inFlightLines += lines.length;
      if (!conn.socket.write(text, (err) => this.onWritten(conn, batch, err))) {
        conn.stall = setTimeout(() => conn.socket.destroy(new Error(`the receiver stopped reading for ${WRITE_STALL_MS / 1000} s`)), WRITE_STALL_MS);
        conn.stall.unref();
        return;
      }
    }
    if (this.closing && conn.inFlight.length === 0) {
      conn.ending = true;
      conn.socket.end(() => this.finishClose?.(true));
    }
  }

  private onWritten(conn: Connection, batch: Batch, err: Error | null | undefined) {
    // On error the socket is destroyed and onClose puts everything still in flight back.
    if (conn.dead || err) return;
    const at = conn.inFlight.indexOf(batch);
    if (at >= 0) conn.inFlight.splice(at, 1);
    conn.inFlightLines -= batch.lines.length;
    conn.acked += batch.lines.length;
    this.tracker.recordDelivered(batch.lines.length);
    if (this.closing) this.pump();
  }

  private onClose(conn: Connection) {
    if (conn.dead) return;
    const healthy = conn.readyAt !== null && (conn.acked > 0 || Date.now() - conn.readyAt >= HEALTHY_AFTER_MS);
    this.release(conn);
    if (this.closing) return this.finishClose?.();
    const reason = conn.error ?? new Error(conn.readyAt ? "connection closed by the receiver" : "connection closed during setup");
    this.retryLater(reason, conn.connected, healthy);
  }

  private retryLater(reason: unknown, connected: boolean, healthy: boolean) {
    this.tracker.recordError(describeError(this.opts.target, reason, connected));
    if (this.closing) return;
    if (healthy) this.failures = 0;
    const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** this.failures) * (0.8 + Math.random() * 0.4);
    this.failures = Math.min(this.failures + 1, 16);
    this.retryTimer = setTimeout(() => this.connect(), delay);
    this.retryTimer.unref();
  }

  /** Forgets a connection, putting what it did not deliver back at the front of the queue. */
  private release(conn: Connection) {
    conn.dead = true;
    if (conn.stall) clearTimeout(conn.stall);
    if (this.conn === conn) this.conn = null;
    const undelivered = conn.inFlight.flatMap((b) => b.lines);
    for (const b of conn.inFlight) if (b.loss) this.queue.restoreLoss(b.loss);
    conn.inFlight = [];
    conn.inFlightLines = 0;
    this.tracker.recordDropped(this.queue.requeue(undelivered));
  }
}
