import "server-only";
// The engine driver's two long streams: a container's output (the Engine's multiplexed,
// timestamped log stream, parsed into lines) and the Engine's event stream (re-opened with
// a capped backoff whenever the Engine goes away, e.g. a dockerd restart).
import { Readable, Writable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import type Dockerode from "dockerode";
import { docker, engine } from "@/server/runtime/docker";
import type { DynoEvent, DynoEventHandlers, DynoLogLine } from "@/server/runtime/driver";
import { LABEL, parseDynoLabels } from "@/server/runtime/labels";

// ---- output --------------------------------------------------------------------------

/**
 * An attached container's or exec's raw stream into `onOutput`, as text: a terminal's output
 * is one stream (stdout); without one the Engine multiplexes stdout and stderr.
 */
export function pipeAttachedOutput(
  stream: NodeJS.ReadableStream,
  tty: boolean,
  modem: Dockerode["modem"],
  onOutput: (stream: "stdout" | "stderr", text: string) => void,
) {
  const sink = (name: "stdout" | "stderr") => {
    const text = new StringDecoder("utf8"); // a chunk may end inside a character
    return new Writable({
      write(chunk: Buffer, _enc, done) {
        const str = text.write(chunk);
        if (str) onOutput(name, str);
        done();
      },
    });
  };
  if (tty) stream.pipe(sink("stdout"));
  else modem.demuxStream(stream, sink("stdout"), sink("stderr"));
}

/** Docker's log stream of a container (multiplexed stdout/stderr frames, with timestamps). */
function containerLogStream(id: string, opts: { follow: boolean; sinceNs?: bigint }): Promise<NodeJS.ReadableStream> {
  const since = opts.sinceNs === undefined ? 0 : `${opts.sinceNs / 1_000_000_000n}.${String(opts.sinceNs % 1_000_000_000n).padStart(9, "0")}`;
  return engine("Read dyno output", async () => {
    const out: unknown = await docker().getContainer(id).logs({ follow: opts.follow as true, stdout: true, stderr: true, timestamps: true, since: since as number });
    // Without follow, dockerode hands back the whole output as one Buffer.
    return Buffer.isBuffer(out) ? Readable.from([out]) : (out as NodeJS.ReadableStream);
  });
}

/**
 * A container's output as lines. The stream's frames are [stream, 0, 0, 0, size (u32 BE)]
 * + payload, each payload one line as `<RFC 3339 nano timestamp> <text>`. The iteration
 * ends when the stream does, when it breaks (the Engine went away) or when `signal` aborts.
 */
export async function* containerLogLines(id: string, opts: { follow: boolean; sinceNs?: bigint; signal?: AbortSignal }): AsyncGenerator<DynoLogLine> {
  if (opts.signal?.aborted) return;
  yield* logFrames(await containerLogStream(id, opts), opts.signal);
}

/**
 * Docker's multiplexed, timestamped log frames ([stream, 0, 0, 0, size u32 BE] + line) as
 * lines, for a container's logs and a Swarm service's alike. Ends when the stream does,
 * when it breaks (the Engine or manager went away: the reader follows again from its
 * cursor) or when `signal` aborts.
 */
export async function* logFrames(stream: NodeJS.ReadableStream, signal?: AbortSignal): AsyncGenerator<DynoLogLine> {
  const destroy = () => (stream as { destroy?: () => void }).destroy?.();
  signal?.addEventListener("abort", destroy, { once: true });
  let buf: Buffer = Buffer.alloc(0);
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      let off = 0;
      const lines: DynoLogLine[] = [];
      while (buf.length - off >= 8) {
        const size = buf.readUInt32BE(off + 4);
        if (buf.length - off - 8 < size) break;
        const kind = buf[off] === 2 ? "stderr" : "stdout";
        const payload = buf.toString("utf8", off + 8, off + 8 + size);
        off += 8 + size;
        const space = payload.indexOf(" ");
        if (space < 0) continue;
        const stamp = parseStamp(payload.slice(0, space));
        if (stamp) lines.push({ ...stamp, stream: kind, message: payload.slice(space + 1).replace(/\r?\n$/, "") });
      }
      buf = off === buf.length ? Buffer.alloc(0) : buf.subarray(off);
      yield* lines;
    }
  } catch {
    // The connection broke, or we aborted: the reader follows again from its cursor.
  } finally {
    signal?.removeEventListener("abort", destroy);
    destroy();
  }
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

// ---- events --------------------------------------------------------------------------

const ACTIONS = new Set<DynoEvent["action"]>(["start", "die", "oom", "destroy"]);
const RETRY_FIRST_MS = 250;
const RETRY_MAX_MS = 5_000;

/**
 * Container events of the installation's dynos. When the stream ends or cannot be opened
 * (the Engine restarting), it is opened again after 250 ms, doubling up to 5 s, for as long
 * as it is not closed; each success after a break is announced as a gap.
 */
export function watchContainerEvents(installation: string, handlers: DynoEventHandlers): { close(): void } {
  let closed = false;
  let current: NodeJS.ReadableStream | undefined;
  let timer: NodeJS.Timeout | undefined;
  let delay = RETRY_FIRST_MS;
  let broken = false;

  const retry = (err: unknown) => {
    current = undefined;
    if (closed) return;
    if (!broken) handlers.onDisconnected?.(err);
    broken = true;
    timer = setTimeout(connect, delay);
    delay = Math.min(delay * 2, RETRY_MAX_MS);
  };

  const connect = async () => {
    if (closed) return;
    let stream: NodeJS.ReadableStream;
    try {
      stream = (await docker().getEvents({
        filters: { type: ["container"], event: [...ACTIONS], label: [`${LABEL.installation}=${installation}`, LABEL.dyno] },
      })) as NodeJS.ReadableStream;
    } catch (err) {
      return retry(err);
    }
    if (closed) return void (stream as { destroy?: () => void }).destroy?.();
    current = stream;
    delay = RETRY_FIRST_MS;
    handlers.onConnected?.({ gap: broken });
    broken = false;
    let buffer = "";
    let ended = false;
    const end = (err: unknown) => {
      if (ended) return;
      ended = true;
      retry(err);
    };
    stream.on("data", (chunk: Buffer) => {
      buffer += chunk.toString("utf8");
      let nl: number;
      while ((nl = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, nl).trim();
        buffer = buffer.slice(nl + 1);
        if (!line) continue;
        let event: { id?: string; Action?: string; Actor?: { Attributes?: Record<string, string> } };
        try {
          event = JSON.parse(line);
        } catch {
          continue; // a partial or foreign line: the periodic sweep covers anything missed
        }
        const action = event.Action as DynoEvent["action"];
        if (!event.id || !ACTIONS.has(action)) continue;
        handlers.onEvent({ id: event.id, action, labels: parseDynoLabels(event.Actor?.Attributes) });
      }
    });
    stream.on("error", (err) => end(err));
    stream.on("end", () => end(new Error("the Engine's event stream ended")));
    stream.on("close", () => end(new Error("the Engine's event stream closed")));
  };

  void connect();
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      (current as { destroy?: () => void } | undefined)?.destroy?.();
    },
  };
}
