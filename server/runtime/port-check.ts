import "server-only";
import net from "node:net";
import type { DynoAddress, RuntimeDriver } from "@/server/runtime/driver";

function tryConnect(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/**
 * Polls until the dyno accepts TCP on `port` at the address the router will use (resolves
 * with that address), or the deadline passes / `cancelled()` says stop (null).
 */
export async function waitForPort(
  driver: RuntimeDriver,
  id: string,
  port: number,
  deadline: number,
  cancelled: () => boolean,
): Promise<DynoAddress | null> {
  let address: DynoAddress | null = null;
  while (Date.now() < deadline && !cancelled()) {
    if (!address) address = await driver.dynoAddress(id, port);
    if (address && (await tryConnect(address.host, address.port, 500))) return address;
    await new Promise((r) => setTimeout(r, 25)); // a refused connect to a local dyno costs next to nothing
  }
  return null;
}
