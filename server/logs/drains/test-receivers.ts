// Real receivers for the drain tests: a syslog server (TCP or TLS) and a Logplex HTTP endpoint,
// each reading RFC 6587 octet-counted frames the way a receiver on the other end would.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import tls from "node:tls";

/** Splits a byte stream into octet-counted frames; throws on anything that is not one. */
export class OctetFrameReader {
  private pending = Buffer.alloc(0);

  feed(chunk: Buffer): string[] {
    this.pending = Buffer.concat([this.pending, chunk]);
    const frames: string[] = [];
    for (;;) {
      const space = this.pending.indexOf(0x20);
      if (space < 0) break;
      const lengthText = this.pending.subarray(0, space).toString("ascii");
      if (!/^[1-9][0-9]*$/.test(lengthText)) throw new Error(`not an octet count: ${JSON.stringify(lengthText)}`);
      const length = Number(lengthText);
      if (this.pending.length < space + 1 + length) break;
      frames.push(this.pending.subarray(space + 1, space + 1 + length).toString("utf8"));
      this.pending = this.pending.subarray(space + 1 + length);
    }
    return frames;
  }

  get leftover(): number {
    return this.pending.length;
  }
}

export type SyslogReceiver = {
  port: number;
  frames: string[];
  /** Frames per connection, in the order connections were accepted. */
  byConnection: string[][];
  connections: number;
  /** false: new connections are accepted but never read, like a receiver that has stalled. */
  reading: boolean;
  /** Cuts every open connection but keeps listening. */
  cut(): void;
  /** Stops listening and cuts every connection, as a crashed receiver would. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
};

export async function startSyslogReceiver(opts: { tls?: { key: string; cert: string }; port?: number } = {}): Promise<SyslogReceiver> {
  const sockets = new Set<net.Socket>();
  const onConnection = (socket: net.Socket) => {
    receiver.connections++;
    sockets.add(socket);
    const reader = new OctetFrameReader();
    const mine: string[] = [];
    receiver.byConnection.push(mine);
    if (!receiver.reading) socket.pause();
    else
      socket.on("data", (chunk: Buffer) => {
        const frames = reader.feed(chunk);
        mine.push(...frames);
        receiver.frames.push(...frames);
      });
    socket.on("error", () => socket.destroy());
    socket.on("close", () => sockets.delete(socket));
  };
  let server: net.Server | null = null;
  const receiver: SyslogReceiver = {
    port: opts.port ?? 0,
    frames: [],
    byConnection: [],
    connections: 0,
    reading: true,
    cut() {
      for (const socket of sockets) socket.destroy();
    },
    async start() {
      server = opts.tls ? tls.createServer({ key: opts.tls.key, cert: opts.tls.cert }, onConnection) : net.createServer(onConnection);
      const listening = server;
      await new Promise<void>((resolve, reject) => {
        listening.once("error", reject);
        listening.listen(receiver.port, "127.0.0.1", () => resolve());
      });
      receiver.port = (listening.address() as net.AddressInfo).port;
    },
    async stop() {
      const closing = server;
      server = null;
      for (const socket of sockets) socket.destroy();
      if (closing) await new Promise<void>((resolve) => closing.close(() => resolve()));
    },
  };
  await receiver.start();
  return receiver;
}

export type HttpDelivery = { headers: http.IncomingHttpHeaders; method: string; url: string; frames: string[]; status: number };

/** Records every POST; `answer` picks the status for the nth request (0-based), 200 by default. */
export async function startHttpReceiver(answer: (n: number) => number = () => 200, opts: { tls?: { key: string; cert: string } } = {}) {
  const requests: HttpDelivery[] = [];
  const handle: http.RequestListener = (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const reader = new OctetFrameReader();
      const frames = reader.feed(Buffer.concat(chunks));
      if (reader.leftover) throw new Error(`body ends inside a frame (${reader.leftover} bytes left)`);
      const status = answer(requests.length);
      requests.push({ headers: req.headers, method: req.method ?? "", url: req.url ?? "", frames, status });
      res.writeHead(status).end();
    });
  };
  const server = opts.tls ? https.createServer({ key: opts.tls.key, cert: opts.tls.cert }, handle) : http.createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A self-signed certificate for 127.0.0.1 and localhost, made with the openssl CLI. */
export function selfSignedCertificate(): { key: string; cert: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-drain-tls-"));
  try {
    const keyFile = path.join(dir, "key.pem");
    const certFile = path.join(dir, "cert.pem");
    execFileSync("openssl", [
      "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
      "-keyout", keyFile, "-out", certFile, "-days", "1", "-subj", "/CN=localhost",
      "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
    ], { stdio: "pipe" });
    return { key: fs.readFileSync(keyFile, "utf8"), cert: fs.readFileSync(certFile, "utf8") };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A port nothing listens on (for a moment): for receivers that are not there yet. */
export async function unusedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
