// Counters, state and last error of one drain, and the throttled onStatus callback: a failing
// receiver retries every few seconds and a full queue drops thousands of lines a second, and the
// listener (a DB row, a dashboard) needs to hear about that at a human pace, not per line.
import type { DrainState, DrainStatus } from "./types";

const NOTIFY_EVERY_MS = 1000;

export class StatusTracker {
  private state: DrainState = "connecting";
  private delivered = 0;
  private dropped = 0;
  private lastDeliveredAt: Date | null = null;
  private lastError: string | null = null;
  private lastErrorAt: Date | null = null;
  private lastNotifiedAt = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly queued: () => number,
    private readonly onStatus?: (status: DrainStatus) => void,
  ) {}

  snapshot(): DrainStatus {
    return {
      state: this.state,
      delivered: this.delivered,
      dropped: this.dropped,
      queued: this.queued(),
      lastDeliveredAt: this.lastDeliveredAt,
      lastError: this.lastError,
      lastErrorAt: this.lastErrorAt,
    };
  }

  get current(): DrainState {
    return this.state;
  }

  recordDelivered(count: number) {
    this.delivered += count;
    this.lastDeliveredAt = new Date();
    this.setState("delivering");
  }

  recordDropped(count: number) {
    if (count <= 0) return;
    this.dropped += count;
    this.notify();
  }

  recordError(message: string) {
    this.lastError = message;
    this.lastErrorAt = new Date();
    this.state = this.state === "closed" ? "closed" : "failing";
    this.notify();
  }

  setState(state: DrainState) {
    if (this.state === state || this.state === "closed") return;
    this.state = state;
    this.notify();
  }

  /** Final state: reported at once, and nothing is reported after it. */
  close() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.state === "closed") return;
    this.state = "closed";
    this.emit();
  }

  private notify() {
    if (!this.onStatus || this.timer || this.state === "closed") return;
    const wait = this.lastNotifiedAt + NOTIFY_EVERY_MS - Date.now();
    if (wait <= 0) return this.emit();
    this.timer = setTimeout(() => {
      this.timer = null;
      this.emit();
    }, wait);
    this.timer.unref();
  }

  private emit() {
    if (!this.onStatus) return;
    this.lastNotifiedAt = Date.now();
    try {
      this.onStatus(this.snapshot());
    } catch (err) {
      // A listener's bug must not stop delivery, and must not vanish either.
      console.error("slipway: drain onStatus listener failed", err);
    }
  }
}

const REASONS: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset by the receiver",
  EPIPE: "connection closed by the receiver",
  ETIMEDOUT: "timed out",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host lookup failed (temporary DNS failure)",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ERR_TLS_CERT_ALTNAME_INVALID: "the TLS certificate does not match the host name",
  CERT_HAS_EXPIRED: "the TLS certificate has expired",
  DEPTH_ZERO_SELF_SIGNED_CERT: "the TLS certificate is self-signed and not trusted",
  SELF_SIGNED_CERT_IN_CHAIN: "the TLS certificate chain ends in an untrusted self-signed certificate",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "the TLS certificate's issuer is not trusted",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "the TLS certificate's issuer is not trusted",
};

/**
 * A message for status.lastError that names the receiver only by host:port. Node's own messages
 * are used only for errors without a code we know, and never carry the URL we were given, since
 * transports connect with host/port/path parts, not with the URL string. `connected` says
 * whether a TCP connection was made: before that, every failure is "unreachable" (see
 * DrainStatus.lastError), and an address the policy refuses is "refused: private address".
 */
export function describeError(target: string, err: unknown, connected: boolean): string {
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === "string" ? e.code : null;
  if (code === "EPRIVATEADDR") return `${target}: refused: private address`;
  if (!connected) return `${target}: unreachable`;
  const reason = code && REASONS[code] ? REASONS[code] : typeof e?.message === "string" ? e.message : String(err);
  return `${target}: ${reason}${code && REASONS[code] ? ` (${code})` : ""}`;
}
