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
/** Sets the size of the pipe on stdout (else says so, on stderr and on the pipe), then execs the rest of argv. */
const SIZE_AND_EXEC = `my $n = shift; unless (defined fcntl(STDOUT, ${F_SETPIPE_SZ}, 0 + $n)) { warn "slipway-router: the request log pipe keeps its default size (could not set $n bytes: $!)\\n"; syswrite STDOUT, "${UNSIZED}\\n"; } exec { $ARGV[0] } @ARGV or die "slipway-router: exec $ARGV[0]: $!\\n";`;

export type LogPipe = {
  /** The read end (its stream buffers up to the pipe's size too), paused until the caller listens. */
  reader: net.Socket;
  /** The write end, for the child's stdout; close it here once the child has it. */
  writeFd: number;
  /** The command and arguments that run \`command args\` with the pipe sized to \`bytes\`. */
  sized(command: string, args: string[]): [string, string[]];
  /** False when the pipe keeps its default size (64 KB) for want of Perl; `UNSIZED` on the pipe says the same when fcntl failed. */
  sizable: boolean;
};

let perl: boolean | undefined;

/** A FIFO at \`file\` (made anew), opened at both ends, then unlinked: only its two ends remain. */
export function openLogPipe(file: string, bytes: number): LogPipe {
  fs.rmSync(file, { force: true });
  execFileSync("mkfifo", ["-m", "600", file]);
  // Read end first (non-blocking: no writer yet), then the write end opens at once.
  const readFd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  const writeFd = fs.openSync(file, fs.constants.O_WRONLY);
  fs.rmSync(file, { force: true });
  const reader = new net.Socket({ fd: readFd, readable: true, writable: false, readableHighWaterMark: bytes });
  perl ??= spawnSync("perl", ["-e", "1"]).status === 0;
  return {
    reader,
    writeFd,
    sizable: perl,
    sized: (command, args) => (perl ? ["perl", ["-e", SIZE_AND_EXEC, String(bytes), command, ...args]] : [command, args]),
  };
}
