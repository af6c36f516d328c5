import "server-only";
// Build output: held in memory while a build runs (live subscribers get every chunk),
// flushed to the database about once a second and at the end, so it survives a restart
// and can be read back after the build. Offsets into the text are the resume ids.
// A release phase run on its own (releases:retry) has the same kind of log, kept on the
// release.
import { EventEmitter } from "node:events";
import { db } from "@/server/db";

export type BuildEnd = { status: "succeeded" | "failed"; error: string | null; release: { version: number } | null };
type Events = { output: [string]; end: [BuildEnd] };

export class BuildLog extends EventEmitter<Events> {
  text = "";
  ended: BuildEnd | null = null;
  private flushed = 0;
  private timer: NodeJS.Timeout | null = null;
  constructor(
    readonly buildId: string,
    private readonly save: (text: string) => Promise<unknown> = (text) => db.build.update({ where: { id: buildId }, data: { output: text } }),
  ) {
    super();
    this.setMaxListeners(0);
  }
  write(chunk: string) {
    if (!chunk) return;
    this.text += chunk;
    this.emit("output", chunk);
    this.timer ??= setTimeout(() => void this.flush(), 1_000);
  }
  line(text = "") {
    this.write(`${text}\n`);
  }
  async flush() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.flushed === this.text.length) return;
    const upto = this.text.length;
    await this.save(this.text.slice(0, upto)).catch((err) => {
      console.error("slipway: could not save build output", this.buildId, err);
    });
    this.flushed = Math.max(this.flushed, upto);
  }
  async end(result: BuildEnd) {
    await this.flush();
    this.ended = result;
    this.emit("end", result);
  }
}

const holder = globalThis as unknown as { slipwayBuildLogs?: Map<string, BuildLog> };
const logs = (holder.slipwayBuildLogs ??= new Map());

export function openBuildLog(buildId: string): BuildLog {
  const log = new BuildLog(buildId);
  logs.set(buildId, log);
  return log;
}

/** The live log of a build this process is running or ran recently, if any. */
export function liveBuildLog(buildId: string): BuildLog | undefined {
  return logs.get(buildId);
}

/** Finished logs stay a while for late subscribers, then the database is the copy. */
export function retireBuildLog(buildId: string, afterMs = 60_000) {
  setTimeout(() => logs.delete(buildId), afterMs).unref();
}

/** The live log of a release phase run on its own (releases:retry), kept on the release. */
export function openReleaseLog(releaseId: string): BuildLog {
  const log = new BuildLog(releaseId, (text) => db.release.update({ where: { id: releaseId }, data: { output: text } }));
  logs.set(`release:${releaseId}`, log);
  log.once("end", () => setTimeout(() => logs.delete(`release:${releaseId}`), 60_000).unref());
  return log;
}

type Followed = { type: "output"; text: string; offset: number } | ({ type: "end" } & BuildEnd);

/**
 * Output from `offset` on, then live chunks, then the end. Reads the database for builds
 * this process is not running. Stops when `signal` aborts.
 */
export async function* followBuild(buildId: string, offset: number, signal?: AbortSignal): AsyncGenerator<Followed> {
  const live = liveBuildLog(buildId);
  if (live) return yield* followLive(live, offset, signal);
  const row = await db.build.findUnique({
    where: { id: buildId },
    select: { output: true, status: true, error: true, releases: { select: { version: true }, orderBy: { version: "desc" }, take: 1 } },
  });
  if (!row) return;
  if (row.output.length > offset) yield { type: "output", text: row.output.slice(offset), offset: row.output.length };
  if (row.status === "succeeded" || row.status === "failed") {
    yield { type: "end", status: row.status, error: row.error, release: row.releases[0] ?? null };
  }
  // queued/building elsewhere (another process): nothing live to follow here
}

/** A release's own release-phase output (releases:retry), live while it runs. */
export async function* followRelease(releaseId: string, offset: number, signal?: AbortSignal): AsyncGenerator<Followed> {
  const live = logs.get(`release:${releaseId}`);
  if (live) return yield* followLive(live, offset, signal);
  const row = await db.release.findUnique({ where: { id: releaseId }, select: { output: true, status: true, version: true } });
  if (!row) return;
  if (row.output.length > offset) yield { type: "output", text: row.output.slice(offset), offset: row.output.length };
  if (row.status === "succeeded" || row.status === "failed") yield { type: "end", status: row.status, error: null, release: { version: row.version } };
}

async function* followLive(live: BuildLog, offset: number, signal?: AbortSignal): AsyncGenerator<Followed> {
  const queue: (string | BuildEnd)[] = [];
  let wake: (() => void) | null = null;
  const onOutput = (c: string) => {
    queue.push(c);
    wake?.();
  };
  const onEnd = (e: BuildEnd) => {
    queue.push(e);
    wake?.();
  };
  const onAbort = () => wake?.();
  live.on("output", onOutput);
  live.on("end", onEnd);
  signal?.addEventListener("abort", onAbort);
  try {
    // Synchronously: what is in the text now, and only later chunks from the queue.
    const first = live.text.slice(offset);
    let sent = Math.max(offset, live.text.length);
    const ended = live.ended;
    queue.length = 0;
    if (first) yield { type: "output", text: first, offset: sent };
    if (ended) {
      yield { type: "end", ...ended };
      return;
    }
    while (!signal?.aborted) {
      if (!queue.length) await new Promise<void>((r) => (wake = r));
      wake = null;
      while (queue.length) {
        const item = queue.shift()!;
        if (typeof item === "string") {
          sent += item.length;
          yield { type: "output", text: item, offset: sent };
        } else {
          yield { type: "end", ...item };
          return;
        }
      }
    }
  } finally {
    live.off("output", onOutput);
    live.off("end", onEnd);
    signal?.removeEventListener("abort", onAbort);
  }
}
