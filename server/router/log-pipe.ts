// The pipe HAProxy writes its request log onto (`log stdout` in haproxy.cfg). A FIFO, not
// the socketpair Node makes for a child's stdout: on a pipe a write of at most PIPE_BUF
// (4096) bytes is whole or not at all, so the lines of several workers (an old one after a
// reload and the new one) never interleave mid-line, and a full pipe drops a line (HAProxy
// counts it in DroppedLogs) rather than writing half of it. The master and every worker
// it forks inherit it as stdout across reloads (the master re-executes itself with its
// file descriptors), so one reader here gets every worker's lines.
//
// Node cannot size a pipe (no fcntl); Perl (perl-base, part of every Debian) sets it with
// F_SETPIPE_SZ on its stdout and then execs HAProxy, so the child's pid stays HAProxy's.
// No server-only: the router imports it.
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";

const F_SETPIPE_SZ = 1031;
/** The first line on the pipe when it could not be sized: the reader must then not pause. */
export const UNSIZED = "slipway-log-pipe: default size";
/**
 * Sets the size of the pipe on stdout, then execs the rest of argv. Past
 * /proc/sys/fs/pipe-max-size (1 MB) only root may go: anyone else gets that much. Neither:
 * says so, on stderr and on the pipe.
 */
const SIZE_AND_EXEC = `my $n = shift; my $max = 0; if (open(my $f, "<", "/proc/sys/fs/pipe-max-size")) { $max = 0 + <$f>; } unless (defined fcntl(STDOUT, ${F_SETPIPE_SZ}, 0 + $n) || ($max && $max < $n && defined fcntl(STDOUT, ${F_SETPIPE_SZ}, $max))) { warn "slipway-router: the request log pipe keeps its default size (could not set $n bytes: $!)\\n"; syswrite STDOUT, "${UNSIZED}\\n"; } exec { $ARGV[0] } @ARGV or die "slipway-router: exec $ARGV[0]: $!\\n";`;

export type LogPipe = {
  /** The write end, for the child's stdout; close it here once the child has it. */
  writeFd: number;
  /** The command and arguments that run `command args` with the pipe sized to `bytes`. */
  sized(command: string, args: string[]): [string, string[]];
  /** False when the pipe keeps its default size (64 KB) for want of Perl; `UNSIZED` on the pipe says the same when fcntl failed. */
  sizable: boolean;
  /** From now on reads as lines come, without pausing (for a pipe left at its default size). */
  unpaced(): void;
};

/**
 * How long the reader waits after a read that emptied the pipe. Reading in batches, rather
 * than at each line HAProxy writes, means one read takes hundreds of lines at thousands of
 * requests a second and HAProxy's writes do not wake the router each time; the pipe (8 MB,
 * ~32,000 lines: 0.6 s at 50k requests/s) holds the lines meanwhile.
 */
const READ_PAUSE_MS = 20;

let perl: boolean | undefined;

/**
 * A FIFO at `file` (made anew), opened at both ends, then unlinked: only its two ends
 * remain. What comes through it goes to `onBytes` as it was read (not whole lines; the buffer
 * is reused by the next read, so whatever is kept must be copied).
 * Each read takes up to `bytes` at once, straight into one buffer (net.Socket's `onread`):
 * a stream's own buffering read the pipe at each write however the consumer paced itself
 * (measured: 35 µs of the router's CPU per request), and a paused flowing stream handed out
 * one buffered chunk (often a single line) per resume, which let a burst fill the pipe.
 */
export function openLogPipe(file: string, bytes: number, onBytes: (chunk: Buffer) => void): LogPipe {
  fs.rmSync(file, { force: true });
  execFileSync("mkfifo", ["-m", "600", file]);
  // Read end first (non-blocking: no writer yet), then the write end opens at once.
  const readFd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  const writeFd = fs.openSync(file, fs.constants.O_WRONLY);
  fs.rmSync(file, { force: true });
  let pauseMs = READ_PAUSE_MS;
  // Node takes `onread` in the constructor too (the types know it only for connect()).
  const options: net.SocketConstructorOpts & { onread: net.OnReadOpts } = {
    fd: readFd,
    readable: true,
    writable: false,
    onread: {
      buffer: Buffer.allocUnsafe(Math.min(Math.max(bytes, 64 * 1024), 16 * 1024 * 1024)),
      callback: (n: number, buf: Uint8Array) => {
        onBytes(Buffer.from(buf.buffer, buf.byteOffset, n));
        if (!pauseMs || n === buf.length) return true; // a full read: more is waiting
        // A busy pipe (64 KB since the last read: ~12k lines/s at 20 ms) is read again at
        // once: the pipe holds the lines only while the router gets to run, and on a busy
        // machine it often does not for tens of ms (1 MB dropped 0.45% of the lines at 51k
        // requests/s with a 20 ms pause after every read).
        setTimeout(() => reader.resume(), n >= 64 * 1024 ? 1 : pauseMs);
        return false; // paused until then
      },
    },
  };
  const reader: net.Socket = new net.Socket(options);
  reader.on("end", () => onBytes(Buffer.from("\n"))); // a last line without its newline
  perl ??= spawnSync("perl", ["-e", "1"]).status === 0;
  return {
    writeFd,
    sizable: perl,
    unpaced: () => {
      pauseMs = 0;
      reader.resume();
    },
    sized: (command, args) => (perl ? ["perl", ["-e", SIZE_AND_EXEC, String(bytes), command, ...args]] : [command, args]),
  };
}
