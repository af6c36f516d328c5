// https:// and http:// drains, as Logplex delivers them: lines batched (up to 500, or whatever
// arrived within 100 ms) into one POST of octet-counted frames, one request in flight per drain.
// 2xx delivers the batch; 4xx (other than 408/429) and redirects drop it at once, since the
// receiver refused it and will again; anything else is retried with backoff, then dropped.
import { randomUUID } from "node:crypto";
import http from "node:http";
import https from "node:https";
import tls from "node:tls";
import { StatusTracker, describeError } from "./drain-status";
import { LineQueue, type Loss } from "./line-queue";
import { formatFrame, lossNotice } from "./syslog-frame";
import type { Drain, DrainLine, DrainStatus, TransportOptions } from "./types";
import type { DrainAuth } from "./url";

export type HttpDrainOptions = TransportOptions & { path: string; auth: DrainAuth | null };

const BATCH_LINES = 500;
const BATCH_WAIT_MS = 100;
const REQUEST_TIMEOUT_MS = 10_000;
const RETRIES = 3;
const RETRY_FIRST_MS = 500;
const CLOSE_GRACE_MS = 2_000;
const USER_AGENT = "Slipway-Logplex/1";

type Outcome = "delivered" | "retry" | "refused";
type Batch = { lines: DrainLine[]; loss: Loss | null; body: Buffer; frames: number; frameId: string; attempts: number };

export class HttpDrain implements Drain {
  private readonly queue: LineQueue;
  private readonly tracker: StatusTracker;
  private readonly agent: http.Agent;
  private readonly authHeader: string | null;
  private batch: Batch | null = null;
  private request: http.ClientRequest | null = null;
  private timer: NodeJS.Timeout | null = null;
  private timerIsNow = false;
  private closing = false;
  private closed: Promise<void> | null = null;
  private finishClose: (() => void) | null = null;

  constructor(private readonly opts: HttpDrainOptions) {
    this.queue = new LineQueue(opts.maxQueue);
    this.tracker = new StatusTracker(() => this.queue.size + (this.batch?.lines.length ?? 0), opts.onStatus);
    this.agent = opts.tls
      ? new https.Agent({ keepAlive: true, maxSockets: 1, secureContext: opts.secureContext })
      : new http.Agent({ keepAlive: true, maxSockets: 1 });
    this.authHeader = opts.auth
      ? `Basic ${Buffer.from(`${opts.auth.username}:${opts.auth.password}`).toString("base64")}`
      : null;
  }

  push(line: DrainLine): void {
    if (this.closing) return this.tracker.recordDropped(1);
    this.tracker.recordDropped(this.queue.push(line));
    this.schedule(this.queue.size >= BATCH_LINES);
  }

  status(): DrainStatus {
    return this.tracker.snapshot();
  }

  close(): Promise<void> {
    if (this.closed) return this.closed;
    this.closing = true;
    this.closed = new Promise<void>((resolve) => {
      const deadline = setTimeout(() => this.finishClose?.(), CLOSE_GRACE_MS);
      this.finishClose = () => {
        this.finishClose = null;
        clearTimeout(deadline);
        if (this.timer) clearTimeout(this.timer);
        this.timer = null;
        this.request?.destroy();
        this.request = null;
        this.tracker.recordDropped((this.batch?.lines.length ?? 0) + this.queue.clear());
        this.batch = null;
        this.agent.destroy();
        this.tracker.close();
        resolve();
      };
      if (this.batch && !this.request) {
        // Waiting to retry: try once more now rather than after the backoff.
        if (this.timer) clearTimeout(this.timer);
        this.timer = null;
        this.attempt();
      } else if (!this.batch) {
        if (this.timer) clearTimeout(this.timer);
        this.timer = null;
        this.next();
      }
    });
    return this.closed;
  }

  /** Sends the next batch now (a full batch, or after a delivery) or after the batching wait. */
  private schedule(now: boolean) {
    if (this.batch || this.queue.size === 0) return;
    if (this.timer && (this.timerIsNow || !now)) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerIsNow = now;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.next();
    }, now ? 0 : BATCH_WAIT_MS);
  }

  private next() {
    if (this.batch) return;
    if (this.queue.size === 0) return void (this.closing && this.finishClose?.());
    const loss = this.queue.takeLoss();
    const lines = this.queue.take(BATCH_LINES);
    let text = loss ? formatFrame(lossNotice(loss.count, loss.since), "http", this.opts.token) : "";
    for (const line of lines) text += formatFrame(line, "http", this.opts.token);
    const frameId = randomUUID().replaceAll("-", "").toUpperCase();
    this.batch = { lines, loss, body: Buffer.from(text, "utf8"), frames: lines.length + (loss ? 1 : 0), frameId, attempts: 0 };
    this.attempt();
  }

  private attempt() {
    const batch = this.batch;
    if (!batch) return;
    batch.attempts++;
    const { host, port, path, token } = this.opts;
    const headers: http.OutgoingHttpHeaders = {
      "Content-Type": "application/logplex-1",
      "Content-Length": batch.body.length,
      "Logplex-Msg-Count": batch.frames,
      // The same id on every retry of a batch, so a receiver can discard a duplicate.
      "Logplex-Frame-Id": batch.frameId,
      "Logplex-Drain-Token": token,
      "User-Agent": USER_AGENT,
    };
    if (this.authHeader) headers.Authorization = this.authHeader;
    let done = false;
    const finish = (outcome: Outcome, error?: string) => {
      if (done) return;
      done = true;
      this.request = null;
      this.settle(batch, outcome, error);
    };
    let req: http.ClientRequest;
    let connected = false;
    try {
      this.opts.policy.checkLiteral(host); // Node skips `lookup` for IP literals
      req = (this.opts.tls ? https : http).request({ host, port, path, method: "POST", headers, agent: this.agent, timeout: REQUEST_TIMEOUT_MS, lookup: this.opts.policy.lookup });
    } catch (err) {
      // Runs from timers: a throw here would take the process down, so it becomes the drain's error.
      return finish("refused", describeError(this.opts.target, err, false));
    }
    this.request = req;
    req.on("socket", (socket) => {
      if (!socket.connecting) connected = true; // a kept-alive connection
      else socket.once("connect", () => (connected = true));
    });
    req.on("timeout", () => req.destroy(Object.assign(new Error("timed out"), { code: "ETIMEDOUT" })));
    req.on("error", (err) => finish("retry", describeError(this.opts.target, err, connected)));
    req.on("response", (res) => {
      res.resume(); // the body means nothing to us; reading it frees the keep-alive socket
      const code = res.statusCode ?? 0;
      if (code >= 200 && code < 300) return finish("delivered");
      const error = `${this.opts.target}: the receiver answered HTTP ${code} ${http.STATUS_CODES[code] ?? ""}`.trimEnd();
      finish(code >= 500 || code === 408 || code === 429 ? "retry" : "refused", error);
    });
    req.end(batch.body);
  }

  private settle(batch: Batch, outcome: Outcome, error?: string) {
    if (this.batch !== batch) return;
    if (outcome === "delivered") {
      this.tracker.recordDelivered(batch.lines.length);
    } else {
      this.tracker.recordError(error ?? `${this.opts.target}: delivery failed`);
      if (outcome === "retry" && batch.attempts <= RETRIES && !this.closing) {
        const delay = RETRY_FIRST_MS * 2 ** (batch.attempts - 1) * (0.8 + Math.random() * 0.4);
        this.timer = setTimeout(() => {
          this.timer = null;
          this.attempt();
        }, delay);
        this.timerIsNow = false;
        return;
      }
      this.tracker.recordDropped(batch.lines.length);
      // The overflow notice in a dropped batch still has to reach the receiver some day.
      if (batch.loss) this.queue.restoreLoss(batch.loss);
    }
    this.batch = null;
    // Lines queued meanwhile have already waited a request's time: no batching wait for them.
    if (this.closing) this.next();
    else this.schedule(true);
  }
}

