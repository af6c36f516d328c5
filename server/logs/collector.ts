import "server-only";
// Dyno output into the log bus. Every running container of this installation is followed
// through the Engine's log API with timestamps; the last timestamp taken from each
// container is its cursor (kept with the lines on disk), so following again — after a
// restart of the dyno or of the control plane — starts where the last reader stopped and
// skips what it already has: no line lost, none twice.
import { appendLog, logCursor } from "@/server/logs/store";
import { containerLogStream, listDynoContainers, onBeforeRemove, type DynoContainer } from "@/server/runtime/containers";
import { bus } from "@/server/runtime/events";

type Follower = { stream: NodeJS.ReadableStream | null; done: Promise<void>; stopped: boolean };

export class LogCollector {
  private followers = new Map<string, Follower>();
  private known = new Map<string, { appId: string; dyno: string }>();
  private timer: NodeJS.Timeout | undefined;
  private unhook: (() => void) | undefined;
  private scanning: Promise<void> | null = null;
  private closed = false;

  constructor(private readonly installation: string, private readonly scanIntervalMs = 2_000) {}

  start() {
    bus.on("container", this.onContainer);
    this.unhook = onBeforeRemove((id) => this.finish(id));
    this.timer = setInterval(() => void this.scan(), this.scanIntervalMs);
    this.timer.unref();
    return this.scan();
  }

  close() {
    this.closed = true;
    clearInterval(this.timer);
    bus.off("container", this.onContainer);
    this.unhook?.();
    for (const f of this.followers.values()) {
      f.stopped = true;
      (f.stream as { destroy?: () => void } | null)?.destroy?.();
    }
  }

  private onContainer = (e: { id: string; action: string }) => {
    if (e.action === "start") void this.scan();
  };

  /** Follows every running container not followed yet. */
  scan(): Promise<void> {
    this.scanning ??= (async () => {
      try {
        const containers = await listDynoContainers(this.installation);
        // What exists now (removed containers drop out): finish() reads the rest of these.
        this.known = new Map(containers.map((c) => [c.id, { appId: c.appId, dyno: c.dyno }]));
        for (const c of containers) if (c.status === "running" && !this.followers.has(c.id)) this.follow(c, true);
      } catch (err) {
        if (!this.closed) console.error("slipway: could not list dynos for their logs", err);
      } finally {
        this.scanning = null;
      }
    })();
    return this.scanning;
  }

  /**
   * The container is about to be removed: let its stream deliver the rest (it ends once
   * the container has stopped), or read the rest once when nobody was following.
   */
  private async finish(id: string) {
    const following = this.followers.get(id);
    if (following) return following.done;
    const c = this.known.get(id);
    if (c) await this.follow({ id, ...c }, false).done;
  }

  private follow(c: Pick<DynoContainer, "id" | "appId" | "dyno">, live: boolean): Follower {
    const f: Follower = { stream: null, stopped: false, done: Promise.resolve() };
    this.followers.set(c.id, f);
    f.done = (async () => {
      try {
        const stream = await containerLogStream(c.id, { follow: live, sinceNs: logCursor(c.appId, c.id) });
        f.stream = stream;
        if (f.stopped) return (stream as { destroy?: () => void }).destroy?.();
        await readFrames(stream, (ns, at, message) => {
          const cursor = logCursor(c.appId, c.id);
          if (cursor !== undefined && ns <= cursor) return; // already taken before a restart
          appendLog(c.appId, { at, source: "app", dyno: c.dyno, message, container: c.id, ns });
        });
      } catch (err) {
        if (!this.closed && !/not found/i.test(String((err as Error).message))) console.error(`slipway: reading the output of ${c.dyno} failed`, err);
      } finally {
        if (this.followers.get(c.id) === f) this.followers.delete(c.id);
      }
    })();
    return f;
  }
}

/**
 * The Engine's multiplexed log stream: frames of [stream, 0, 0, 0, size (u32 BE)] + payload,
 * each payload one line as `<RFC 3339 nano timestamp> <text>`.
 */
function readFrames(stream: NodeJS.ReadableStream, onLine: (ns: bigint, at: string, message: string) => void): Promise<void> {
  return new Promise((resolve) => {
    let buf: Buffer = Buffer.alloc(0);
    stream.on("data", (chunk: Buffer) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      let off = 0;
      while (buf.length - off >= 8) {
        const size = buf.readUInt32BE(off + 4);
        if (buf.length - off - 8 < size) break;
        const payload = buf.toString("utf8", off + 8, off + 8 + size);
        off += 8 + size;
        const space = payload.indexOf(" ");
        if (space < 0) continue;
        const stamp = parseStamp(payload.slice(0, space));
        if (!stamp) continue;
        onLine(stamp.ns, stamp.at, payload.slice(space + 1).replace(/\r?\n$/, ""));
      }
      buf = off === buf.length ? Buffer.alloc(0) : buf.subarray(off);
    });
    stream.on("end", resolve);
    stream.on("close", resolve);
    stream.on("error", resolve);
  });
}

/** `2026-11-28T01:02:03.123456789Z` → nanoseconds since the epoch and Heroku's µs form. */
export function parseStamp(text: string): { ns: bigint; at: string } | null {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/.exec(text);
  if (!m) return null;
  const ms = Date.parse(`${m[1]}Z`);
  if (Number.isNaN(ms)) return null;
  const fraction = (m[2] ?? "").padEnd(9, "0");
  return { ns: BigInt(ms) * 1_000_000n + BigInt(fraction), at: `${m[1]}.${fraction.slice(0, 6)}+00:00` };
}
