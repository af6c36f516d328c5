// Inside the e2e browser's own network namespace (e2e/chromium-netns.sh): brings loopback up,
// forwards a port on it to the SOCKS5 server e2e/global-setup.ts runs on a unix socket in the
// host's namespace (a unix socket is a file: it crosses network namespaces), then runs Chromium
// through that proxy, loopback included, with the same arguments and file descriptors
// (Playwright talks to it over fds 3 and 4), and ends when it does.
import { execFileSync, spawn } from "node:child_process";
import net from "node:net";

const socket = process.env.SLIPWAY_E2E_FORWARD_SOCKET;
execFileSync("ip", ["link", "set", "lo", "up"]);

const server = net.createServer((client) => {
  const upstream = net.connect(socket);
  client.pipe(upstream).pipe(client);
  const end = () => (client.destroy(), upstream.destroy());
  client.on("error", end);
  upstream.on("error", end);
});
await new Promise((resolve, reject) => server.once("error", reject).listen(0, "127.0.0.1", resolve));
const proxy = `socks5://127.0.0.1:${server.address().port}`;

// <-loopback>: through the proxy for localhost too (Chromium goes direct to it otherwise).
const args = [`--proxy-server=${proxy}`, "--proxy-bypass-list=<-loopback>", ...process.argv.slice(2)];
const chromium = spawn("/usr/bin/chromium", args, { stdio: [0, 1, 2, 3, 4] });
chromium.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
for (const s of ["SIGTERM", "SIGINT", "SIGHUP"]) process.on(s, () => chromium.kill(s));
