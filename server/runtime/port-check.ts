import "server-only";
import net from "node:net";
import type Dockerode from "dockerode";
import { containerIp, inspectContainer } from "@/server/runtime/containers";

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
 * Polls until the dyno accepts TCP on `port` at its app-network address (true), or the
 * deadline passes / `cancelled()` says stop (false).
 */
export async function waitForPort(
  info: Dockerode.ContainerInspectInfo,
  appId: string,
  port: number,
  deadline: number,
  cancelled: () => boolean,
): Promise<boolean> {
  let ip = containerIp(info, appId);
  while (Date.now() < deadline && !cancelled()) {
    if (!ip) ip = containerIp(await inspectContainer(info.Id), appId);
    if (ip && (await tryConnect(ip, port, 500))) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}
