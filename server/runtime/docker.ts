import "server-only";
// The one Docker Engine client: no other module constructs a dockerode client. Only three
// kinds of module use it (server/runtime/engine-access.test.ts holds the list): the runtime
// drivers (server/runtime/drivers/*: dynos), the build pipeline's image module
// (server/build/images.ts) and the add-on engine (server/addons/engine.ts).
// Engine failures leave this module as AppErrors with our own wording; the raw Docker
// error is kept only as `details.cause` (for logs), never in the message.
import { Writable } from "node:stream";
import Dockerode from "dockerode";
import { AppError, type AppErrorCode } from "@/server/errors";

/** The base image dynos and one-off commands run on (built by scripts/lib.sh ensure_stack_image). */
export const STACK_IMAGE = process.env.SLIPWAY_STACK_IMAGE || "slipway/stack:bookworm";

/** Captured output per stream is cut at this size (the rest is dropped). */
const MAX_OUTPUT_BYTES = 8 * 1024 * 1024;

const holder = globalThis as unknown as { slipwayDocker?: Dockerode };

/** The singleton client: DOCKER_HOST when it is set (unix:// path), else /var/run/docker.sock. */
export function docker(): Dockerode {
  if (!holder.slipwayDocker) {
    const host = process.env.DOCKER_HOST;
    holder.slipwayDocker =
      host && !host.startsWith("unix://")
        ? new Dockerode() // tcp:// or ssh://: docker-modem reads DOCKER_HOST itself
        : new Dockerode({ socketPath: host?.slice("unix://".length) || "/var/run/docker.sock" });
  }
  return holder.slipwayDocker;
}

// ---- errors ------------------------------------------------------------------------

const UNREACHABLE = new Set(["ENOENT", "ECONNREFUSED", "ECONNRESET", "EACCES", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH"]);

/** The HTTP status the Engine answered with, looking through an AppError made here. */
export function engineStatus(err: unknown): number | undefined {
  const raw = err instanceof AppError ? err.details?.cause : err;
  const status = (raw as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === "number" ? status : undefined;
}

/**
 * Maps an Engine (dockerode) failure to an AppError. `action` says what we tried, in our
 * words ("Start container web.1"); it becomes the start of the message.
 */
export function engineError(err: unknown, action: string): AppError {
  if (err instanceof AppError) return err;
  const status = engineStatus(err);
  const sysCode = (err as { code?: unknown } | null)?.code;
  let code: AppErrorCode;
  let message: string;
  if (status === undefined && typeof sysCode === "string" && UNREACHABLE.has(sysCode)) {
    [code, message] = ["UNAVAILABLE", "the Docker Engine is not reachable"];
  } else if (status === 404) {
    [code, message] = ["NOT_FOUND", "not found"];
  } else if (status === 304 || status === 409) {
    [code, message] = ["CONFLICT", "conflicts with the current state"];
  } else if (status === 400) {
    [code, message] = ["BAD_REQUEST", "rejected by the Docker Engine"];
  } else if (status === 503) {
    [code, message] = ["UNAVAILABLE", "the Docker Engine is unavailable"];
  } else {
    [code, message] = ["INTERNAL", "the Docker Engine failed"];
  }
  return new AppError(code, `${action}: ${message}.`, { cause: err });
}

/** Runs one Engine call, mapping its failure with engineError. */
export async function engine<T>(action: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw engineError(err, action);
  }
}

/** Thrown by runToCompletion when its timeout fires or its signal aborts (container removed). */
export class RunInterruptedError extends AppError {
  constructor(public readonly reason: "timeout" | "aborted", message: string) {
    super("UNAVAILABLE", message);
    this.name = "RunInterruptedError";
  }
}

// ---- queries -----------------------------------------------------------------------

/** True when the Engine answers within `timeoutMs`; never throws. */
export async function pingEngine(timeoutMs = 5_000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    return await Promise.race([docker().ping().then(() => true), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** The Engine's cgroup driver and version (parent cgroups: runtime/cgroups.ts); null when it cannot be asked. */
export async function engineCgroupInfo(): Promise<{ driver: string; version: string } | null> {
  const info = (await docker().info().catch(() => null)) as { CgroupDriver?: string; CgroupVersion?: string } | null;
  return info ? { driver: info.CgroupDriver ?? "", version: info.CgroupVersion ?? "1" } : null;
}

/** True when a container with this id or name exists (running or not). */
export async function containerExists(idOrName: string): Promise<boolean> {
  try {
    await docker().getContainer(idOrName).inspect();
    return true;
  } catch (err) {
    if (engineStatus(err) === 404) return false;
    throw engineError(err, `Inspect container ${idOrName}`);
  }
}

// ---- one-off commands --------------------------------------------------------------

export interface RunOptions {
  image: string;
  cmd: string[];
  env?: Record<string, string>;
  /** "uid[:gid]" or a user name; the stack image defaults to `slipway` (1000). */
  user?: string;
  labels?: Record<string, string>;
  name?: string;
  /** A network to run on instead of the default bridge. */
  network?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

class Collector extends Writable {
  private chunks: Buffer[] = [];
  private size = 0;
  _write(chunk: Buffer, _enc: BufferEncoding, done: () => void) {
    if (this.size < MAX_OUTPUT_BYTES) {
      const part = chunk.subarray(0, MAX_OUTPUT_BYTES - this.size);
      this.chunks.push(part);
      this.size += part.length;
    }
    done();
  }
  text() {
    return Buffer.concat(this.chunks).toString("utf8");
  }
}

/**
 * Creates a container, captures its stdout/stderr, waits for it to exit and removes it.
 * A non-zero exit is a result, not an error. On timeout or abort the container is killed
 * and removed, then RunInterruptedError is thrown.
 */
export async function runToCompletion(opts: RunOptions): Promise<RunResult> {
  const { image, timeoutMs, signal } = opts;
  if (signal?.aborted) throw new RunInterruptedError("aborted", `Run in ${image} was cancelled.`);
  const d = docker();
  const container = await engine(`Create a container from ${image}`, () =>
    d.createContainer({
      name: opts.name,
      Image: image,
      Cmd: opts.cmd,
      Env: Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${v}`),
      User: opts.user,
      Labels: opts.labels,
      Tty: false,
      OpenStdin: false,
      AttachStdout: true,
      AttachStderr: true,
      ...(opts.network ? { HostConfig: { NetworkMode: opts.network } } : {}),
    }),
  );
  const stdout = new Collector();
  const stderr = new Collector();
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  try {
    const stream = await engine("Attach to the container", () =>
      container.attach({ stream: true, stdout: true, stderr: true }),
    );
    const drained = new Promise<void>((resolve) => {
      stream.once("end", resolve);
      stream.once("close", resolve);
      stream.once("error", () => resolve());
    });
    d.modem.demuxStream(stream, stdout, stderr);
    const interrupted = new Promise<never>((_, reject) => {
      if (timeoutMs !== undefined) {
        timer = setTimeout(
          () => reject(new RunInterruptedError("timeout", `Run in ${image} timed out after ${timeoutMs} ms.`)),
          timeoutMs,
        );
      }
      if (signal) {
        onAbort = () => reject(new RunInterruptedError("aborted", `Run in ${image} was cancelled.`));
        signal.addEventListener("abort", onAbort, { once: true });
      }
    });
    const exited = engine("Run the container", async () => {
      await container.start();
      return (await container.wait()) as { StatusCode: number };
    });
    const { StatusCode } = await Promise.race([exited, interrupted]);
    // Output still in flight when `wait` returns: the attach stream ends right after.
    await Promise.race([drained, new Promise((r) => setTimeout(r, 2_000))]);
    return { exitCode: StatusCode, stdout: stdout.text(), stderr: stderr.text() };
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener("abort", onAbort);
    // force: kills it first when it still runs (timeout, abort, failed attach/start).
    await container.remove({ force: true, v: true }).catch((err: unknown) => {
      if (engineStatus(err) !== 404) console.error("slipway: could not remove container", container.id, err);
    });
  }
}

// ---- exec in a running container ---------------------------------------------------

export interface ExecOptions {
  cmd: string[];
  /** Passed to the process only: unlike the command, the Engine does not report it in events. */
  env?: Record<string, string>;
  user?: string;
  /** Streamed to the process's stdin, which is closed at its end. */
  stdin?: NodeJS.ReadableStream;
  /** Receives stdout instead of it being captured (then `stdout` in the result is ""). */
  stdout?: Writable;
  timeoutMs?: number;
}

/**
 * Runs a command in a running container (the Engine's exec API; `client` = another Engine
 * than the platform's) and waits for it. A
 * non-zero exit is a result, not an error. On timeout the stream is dropped and
 * RunInterruptedError thrown (the Engine cannot kill an exec; the command may finish).
 */
export async function execInContainer(containerId: string, opts: ExecOptions, client?: Dockerode): Promise<RunResult> {
  const d = client ?? docker(); // another Engine: an add-on on a swarm node (addons/engine.ts)
  const what = opts.cmd.slice(0, 2).join(" ");
  const exec = await engine(`Run ${what} in the container`, () =>
    d.getContainer(containerId).exec({
      Cmd: opts.cmd,
      Env: Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${v}`),
      User: opts.user,
      AttachStdin: !!opts.stdin,
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
    }),
  );
  const stream = await engine(`Run ${what} in the container`, () => exec.start({ hijack: true, stdin: !!opts.stdin }));
  const stdout = opts.stdout ?? new Collector();
  const stderr = new Collector();
  let timer: NodeJS.Timeout | undefined;
  try {
    const ended = new Promise<void>((resolve, reject) => {
      stream.once("end", resolve);
      stream.once("close", resolve);
      stream.once("error", reject);
    });
    d.modem.demuxStream(stream, stdout, stderr);
    if (opts.stdin) {
      opts.stdin.on("error", (err) => stream.destroy(err));
      opts.stdin.on("data", (chunk: Buffer) => {
        if (!stream.write(chunk)) {
          opts.stdin!.pause();
          stream.once("drain", () => opts.stdin!.resume());
        }
      });
      // Half-close: the process sees EOF on stdin while its output keeps flowing back.
      opts.stdin.on("end", () => stream.end());
    }
    const timeout = new Promise<never>((_, reject) => {
      if (opts.timeoutMs !== undefined) {
        timer = setTimeout(() => {
          stream.destroy();
          reject(new RunInterruptedError("timeout", `${what} did not finish within ${Math.round(opts.timeoutMs! / 1000)} s.`));
        }, opts.timeoutMs);
      }
    });
    await Promise.race([ended, timeout]);
  } finally {
    clearTimeout(timer);
  }
  // The output can end a moment before the Engine records the exit.
  let info = await engine(`Inspect ${what}`, () => exec.inspect());
  for (let i = 0; info.Running && i < 100; i++) {
    await new Promise((r) => setTimeout(r, 20));
    info = await engine(`Inspect ${what}`, () => exec.inspect());
  }
  return { exitCode: info.Running ? -1 : (info.ExitCode ?? -1), stdout: opts.stdout ? "" : (stdout as Collector).text(), stderr: stderr.text() };
}
