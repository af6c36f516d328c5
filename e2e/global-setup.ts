// The host's end of the e2e browser's way out of its network namespace (e2e/chromium-netns.sh):
// a SOCKS5 server on a unix socket, connecting to whatever the browser asks for (the platform,
// a spec's own forwarder on another loopback address) from this host's namespace. Its path
// reaches the browsers through the environment the workers inherit.
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

/** One SOCKS5 client (RFC 1928): no authentication, CONNECT only. */
function socks5(client: net.Socket) {
  let buf = Buffer.alloc(0);
  let stage: "greeting" | "request" | "piping" = "greeting";
  const fail = (code: number) => client.end(Buffer.from([5, code, 0, 1, 0, 0, 0, 0, 0, 0]));
  const onData = (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    if (stage === "greeting") {
      if (buf.length < 2 || buf.length < 2 + buf[1]!) return;
      buf = buf.subarray(2 + buf[1]!);
      client.write(Buffer.from([5, 0]));
      stage = "request";
    }
    if (stage !== "request" || buf.length < 5) return;
    const type = buf[3];
    const addrLength = type === 1 ? 4 : type === 4 ? 16 : 1 + buf[4]!;
    if (buf.length < 4 + addrLength + 2) return;
    if (buf[1] !== 1) return fail(7); // CONNECT only
    let host =
      type === 1 ? [...buf.subarray(4, 8)].join(".") : type === 4 ? buf.subarray(4, 20).toString("hex").replace(/(.{4})(?!$)/g, "$1:") : buf.subarray(5, 5 + buf[4]!).toString();
    if (host === "localhost" || host.endsWith(".localhost")) host = "127.0.0.1";
    const port = buf.readUInt16BE(4 + addrLength);
    const rest = buf.subarray(4 + addrLength + 2);
    stage = "piping";
    client.off("data", onData);
    const upstream = net.connect(port, host);
    upstream.once("connect", () => {
      client.write(Buffer.from([5, 0, 0, 1, 0, 0, 0, 0, 0, 0]));
      if (rest.length) upstream.write(rest);
      client.pipe(upstream).pipe(client);
    });
    upstream.on("error", () => (upstream.connecting ? fail(5) : client.destroy()));
    client.on("error", () => upstream.destroy());
    client.on("close", () => upstream.destroy());
  };
  client.on("data", onData);
  client.on("error", () => client.destroy());
}

export default async function globalSetup() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-e2e-"));
  const socket = path.join(dir, "socks.sock");
  const server = net.createServer(socks5);
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(socket, resolve));
  process.env.SLIPWAY_E2E_FORWARD_SOCKET = socket;
  return async () => {
    await new Promise((r) => server.close(r));
    fs.rmSync(dir, { recursive: true, force: true });
  };
}
