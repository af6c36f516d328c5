// A client that connects from an address of its own. Every test client on this machine
// connects from 127.0.0.1, so a test that makes sign-ins fail (and the platform count them
// against its address) would lock 127.0.0.1 out for everyone after it. Linux routes all of
// 127.0.0.0/8 to the loopback device, so a socket may bind any of those addresses: the
// platform then really sees another peer. No header is involved; nothing is faked.
import http from "node:http";
import net from "node:net";

/** A loopback address other than 127.0.0.1, different on each call (in practice). */
export function randomLoopbackAddress(): string {
  const byte = () => 1 + Math.floor(Math.random() * 254);
  return `127.${byte()}.${byte()}.${byte()}`;
}

/**
 * A TCP forwarder on 127.0.0.1 whose connections reach `target` from `localAddress`: give
 * its URL to a client that cannot bind an address itself (the heroku CLI, a browser).
 */
export async function forwardFrom(localAddress: string, target: string): Promise<{ url: string; close: () => Promise<void> }> {
  const to = new URL(target);
  const host = to.hostname === "localhost" ? "127.0.0.1" : to.hostname;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect({ host, port: Number(to.port), localAddress });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
    }
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** One HTTP request from `localAddress` (Node's http, which can bind a local address). */
export function requestFrom(
  localAddress: string,
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: u.hostname === "localhost" ? "127.0.0.1" : u.hostname, port: u.port, path: u.pathname + u.search, method: init.method ?? "GET", headers: init.headers, localAddress },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => (text += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      },
    );
    req.on("error", reject);
    req.end(init.body);
  });
}
