import "server-only";
// An interactive one-off dyno as a session any transport can carry: bytes in (stdin), bytes
// out, a terminal size, an exit status. The rendezvous server (server/rendezvous/, what
// `heroku run` speaks) is one transport; a browser terminal over a WebSocket can be another:
// it calls `attach` with its own output callback and feeds `input`/`resize`/`end`.
//
// A session is created by the API request (POST /apps/{app}/dynos: the dyno exists and is
// listed, not started) and waits for its transport to attach, at most `attachTimeoutMs`,
// else the dyno goes. Attached, it runs until the process exits, the transport leaves (the
// dyno is killed, as when a `heroku run` connection drops), the caller's access to the app
// ends, or nothing went in or out for the idle timeout (Heroku: 1 h).
import crypto from "node:crypto";
import { PassThrough } from "node:stream";
import { accessBoundSignal, type StreamHolder } from "@/server/security/access-watch";
import type { AttachedRun } from "@/server/runtime/driver";

/**
 * What a session runs: a new one-off dyno (server/runtime/one-off.ts: prepareOneOff) or a
 * command inside a running dyno (heroku run:inside).
 */
export type SessionTarget = {
  dyno: string;
  /** Runs it with this input and output; resolves with its exit status. */
  run(opts: Pick<AttachedRun, "onOutput" | "signal" | "stdin" | "onStarted">): Promise<{ exitCode: number }>;
  resize(size: { cols: number; rows: number }): Promise<void>;
  /** Nobody attached: whatever was made for it goes. */
  discard(): Promise<void>;
};

/** How long typed-ahead input waits for a started program's first output. */
const HOLD_FALLBACK_MS = 3_000;

export type SessionIo = {
  /** The dyno's output (a terminal's: stdout and stderr as one stream). */
  output: (text: string) => void;
};

export type SessionEnd = { exitCode: number; reason: "exited" | "idle" | "access" | "detached" };

export class OneOffSession {
  readonly secret = crypto.randomBytes(24).toString("base64url");
  readonly tty: boolean;
  private stdin = new PassThrough();
  private attached = false;
  private idleTimer: NodeJS.Timeout | undefined;
  private attachTimer: NodeJS.Timeout | undefined;
  private abort = new AbortController();
  private reason: SessionEnd["reason"] = "exited";
  private lastActivity = Date.now();

  constructor(
    readonly target: SessionTarget,
    private readonly opts: {
      tty: boolean;
      holder: StreamHolder;
      idleTimeoutMs: number;
      attachTimeoutMs: number;
      /** The terminal size the client announced (COLUMNS/LINES), applied once it starts. */
      size?: { cols: number; rows: number };
      onEnd?: (end: SessionEnd | null) => void;
    },
  ) {
    this.tty = opts.tty;
    this.held = opts.tty ? [] : null;
    this.attachTimer = setTimeout(() => void this.discard(), opts.attachTimeoutMs);
    this.attachTimer.unref?.();
  }

  get dyno() {
    return this.target.dyno;
  }

  /** Starts the dyno with this transport's output; resolves with how it ended. Once only. */
  async attach(io: SessionIo): Promise<SessionEnd> {
    if (this.attached) throw new Error(`session ${this.dyno} is already attached`);
    this.attached = true;
    clearTimeout(this.attachTimer);
    const guard = accessBoundSignal(this.opts.holder, this.abort.signal);
    guard.signal.addEventListener("abort", () => {
      if (guard.isLost()) this.reason = "access";
    });
    this.touch();
    // The terminal takes the client's size once the process runs (output can come before
    // the Engine calls it running, and a resize before that is refused); typed-ahead input
    // waits for that too, so a command typed at once sees the right size.
    let sized: () => void = () => undefined;
    const sizing = this.opts.size ? new Promise<void>((resolve) => (sized = resolve)) : Promise.resolve();
    try {
      const { exitCode } = await this.target.run({
        signal: guard.signal,
        stdin: this.stdin,
        onStarted: () => {
          // The fallback for a program that reads before it prints counts from its start,
          // not from the attach: a container that takes seconds to start on a busy machine
          // would otherwise get the typed-ahead input (and its Ctrl-D) before its shell
          // has the terminal in raw mode, and the Ctrl-D is lost (the CLI then waits forever).
          if (this.held && !this.outputSeen) {
            this.heldTimer = setTimeout(() => this.release(), HOLD_FALLBACK_MS);
            this.heldTimer.unref?.();
          }
          if (this.opts.size) void this.resize(this.opts.size).finally(sized);
        },
        onOutput: (_stream, text) => {
          this.touch();
          if (!this.outputSeen) {
            this.outputSeen = true;
            if (this.held) void sizing.then(() => this.release());
          }
          io.output(text);
        },
      });
      const end = { exitCode, reason: this.reason };
      this.opts.onEnd?.(end);
      return end;
    } finally {
      guard.stop();
      clearTimeout(this.idleTimer);
      clearTimeout(this.heldTimer);
    }
  }

  /** Keystrokes or piped input. */
  input(data: Buffer | string) {
    this.touch();
    const chunk = Buffer.isBuffer(data) ? data : Buffer.from(data);
    if (!this.held) return void this.stdin.write(chunk);
    // With a terminal, input waits for the program's first output (it is reading by then),
    // or three seconds after it started: a Ctrl-D (how the CLI ends piped input: `echo 'echo hi' | heroku run
    // bash`) typed ahead of the program is lost, as the line discipline keeps it as an
    // end-of-file mark of canonical mode, which a program that switches the terminal to raw
    // mode (bash's readline) never sees.
    this.held.push(chunk);
  }

  private held: Buffer[] | null;
  private heldTimer: NodeJS.Timeout | undefined;
  private outputSeen = false;

  private release() {
    clearTimeout(this.heldTimer);
    const held = this.held;
    this.held = null;
    // One write, so the terminal gets it all under the same mode. Written chunk by chunk,
    // `echo 'echo hi' | heroku run bash`'s line and its Ctrl-D could reach the terminal
    // apart: bash reads the line in raw mode, switches the terminal back to canonical mode
    // to run it, and a Ctrl-D arriving then is taken as canonical mode's end-of-file mark,
    // which readline (raw again) never sees; the CLI then waited forever. Reproduced with the
    // CLI suite beside two busy loops: the line ran, the shell stayed at its prompt.
    if (held?.length) this.stdin.write(Buffer.concat(held));
  }

  /** End of input (a terminal gets Ctrl-D through `input` instead). */
  endInput() {
    this.stdin.end();
  }

  resize(size: { cols: number; rows: number }) {
    return this.target
      .resize(size)
      .catch((err: unknown) => console.error("slipway: resizing", this.dyno, err));
  }

  /** The transport left: the dyno is killed (the session's `attach` then resolves). */
  detach() {
    this.reason = this.reason === "exited" ? "detached" : this.reason;
    this.abort.abort();
  }

  /** Nobody attached in time (or the request failed): the dyno and its row go. */
  async discard() {
    clearTimeout(this.attachTimer);
    sessions.delete(this.secret);
    if (this.attached) return;
    this.attached = true;
    this.opts.onEnd?.(null);
    await this.target.discard().catch((err: unknown) => console.error("slipway: removing unattached one-off", this.dyno, err));
  }

  private touch() {
    this.lastActivity = Date.now();
    if (this.idleTimer) return;
    const check = () => {
      const idle = Date.now() - this.lastActivity;
      if (idle >= this.opts.idleTimeoutMs) {
        this.reason = "idle";
        this.abort.abort();
        return;
      }
      this.idleTimer = setTimeout(check, this.opts.idleTimeoutMs - idle);
      this.idleTimer.unref?.();
    };
    this.idleTimer = setTimeout(check, this.opts.idleTimeoutMs);
    this.idleTimer.unref?.();
  }
}

// Sessions waiting for or held by a transport, by secret (process-wide, as the one-offs
// themselves: a control plane that dies takes its sessions with it, and the dyno manager
// reaps their dynos).
const holder = globalThis as unknown as { slipwaySessions?: Map<string, OneOffSession> };
export const sessions = (holder.slipwaySessions ??= new Map<string, OneOffSession>());

/** The waiting session with this secret, taken (a secret opens one attach only). */
export function takeSession(secret: string): OneOffSession | null {
  const s = sessions.get(secret);
  if (!s) return null;
  sessions.delete(secret);
  return s;
}

/** Makes the session attachable by its secret (192 random bits). */
export function registerSession(s: OneOffSession) {
  sessions.set(s.secret, s);
}
