import "server-only";
// `heroku redis:cli` sessions. The CLI connects to the `resource_url` the data API gives
// it (not to REDIS_URL, whose host is the add-on's name on app networks), over TLS to the
// same port when `prefer_native_tls` is set, and sends `AUTH <password>` itself. So each
// call of the data API by a caller allowed to see the credentials opens one listener:
// an ephemeral TLS port on SLIPWAY_DATA_SESSION_HOST (loopback by default) that takes
// ONE connection within a minute, forwards it to the add-on's Redis, and closes; an unused
// one closes after the minute. Redis still checks the password, so a stranger on the host
// who wins the race for the port gets nothing without it.
import net from "node:net";
import tls from "node:tls";
import { addonAddress } from "@/server/addons/engine";
import { REDIS_PORT } from "@/server/addons/redis";
import { dataTlsMaterial } from "@/server/addons/session-cert";
import { env } from "@/server/env";

const ACCEPT_WITHIN_MS = 60_000;

/** Opens a one-connection TLS listener to the add-on; resolves with its host and port. */
export async function openRedisSession(addon: { id: string; name: string; node: string | null }): Promise<{ host: string; port: number }> {
  const upstreamHost = await addonAddress(addon);
  const host = env().SLIPWAY_DATA_SESSION_HOST;
  const server = tls.createServer(dataTlsMaterial());
  const timer = setTimeout(() => server.close(), ACCEPT_WITHIN_MS);
  timer.unref();
  server.once("secureConnection", (client) => {
    clearTimeout(timer);
    server.close();
    const upstream = net.connect({ host: upstreamHost, port: REDIS_PORT });
    client.pipe(upstream);
    upstream.pipe(client);
    const close = () => {
      upstream.destroy();
      client.destroy();
    };
    upstream.on("error", close);
    client.on("error", close);
    upstream.on("close", close);
    client.on("close", close);
  });
  server.on("tlsClientError", () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => resolve());
  });
  return { host, port: (server.address() as net.AddressInfo).port };
}
