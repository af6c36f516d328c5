// A minimal Redis (RESP2) client for tests: enough to AUTH, SET and GET over a real socket.
import net from "node:net";

export type RespReply = string | number | null | RespReply[] | Error;

function encode(args: string[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join("")}`;
}

/** Parses one reply at `pos`; null when the buffer does not hold all of it yet. */
function parse(buf: Buffer, pos: number): [RespReply, number] | null {
  const eol = buf.indexOf("\r\n", pos);
  if (eol < 0) return null;
  const type = String.fromCharCode(buf[pos]!);
  const line = buf.toString("utf8", pos + 1, eol);
  if (type === "+") return [line, eol + 2];
  if (type === "-") return [new Error(line), eol + 2];
  if (type === ":") return [Number(line), eol + 2];
  if (type === "$") {
    const n = Number(line);
    if (n < 0) return [null, eol + 2];
    if (buf.length < eol + 2 + n + 2) return null;
    return [buf.toString("utf8", eol + 2, eol + 2 + n), eol + 2 + n + 2];
  }
  if (type === "*") {
    const items: RespReply[] = [];
    let at = eol + 2;
    for (let i = 0; i < Number(line); i++) {
      const r = parse(buf, at);
      if (!r) return null;
      items.push(r[0]);
      at = r[1];
    }
    return [items, at];
  }
  throw new Error(`unexpected RESP type ${type}`);
}

/** Opens a connection to a redis:// URL's host (or `hostOverride`), sends each command, returns the replies. */
export async function redisCommands(url: string, commands: string[][], hostOverride?: string): Promise<RespReply[]> {
  const u = new URL(url);
  const password = decodeURIComponent(u.password);
  const all = password ? [["AUTH", password], ...commands] : commands;
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: hostOverride ?? u.hostname, port: Number(u.port || 6379) });
    let buf = Buffer.alloc(0);
    const replies: RespReply[] = [];
    socket.setTimeout(5_000, () => socket.destroy(new Error("redis: timed out")));
    socket.on("error", reject);
    socket.on("connect", () => socket.write(all.map(encode).join("")));
    socket.on("data", (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      let r: [RespReply, number] | null;
      while ((r = parse(buf, 0))) {
        replies.push(r[0]);
        buf = buf.subarray(r[1]);
      }
      if (replies.length === all.length) {
        socket.end();
        resolve(password ? replies.slice(1) : replies);
      }
    });
  });
}
