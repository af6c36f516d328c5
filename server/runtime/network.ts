import "server-only";
// Names of the Linux bridges behind this installation's Docker networks (no Engine calls). Every app network
// and every build network gets a bridge whose name starts with the installation's prefix
// (`sw` + 5 hex of the installation id), so the firewall (firewall.ts) can match all of
// them, and only them, with one `-i <prefix>+` rule per chain — several installations can
// share one Engine without their rules touching each other's containers.
import crypto from "node:crypto";

/** Docker's option naming the bridge interface (at most 15 characters, Linux's IFNAMSIZ). */
export const BRIDGE_NAME_OPTION = "com.docker.network.bridge.name";
export const ICC_OPTION = "com.docker.network.bridge.enable_icc";

const hex = (text: string, n: number) => crypto.createHash("sha256").update(text).digest("hex").slice(0, n);

/** 7 characters: every bridge of the installation starts with it. */
export function bridgePrefix(installation: string): string {
  return `sw${hex(installation, 5)}`;
}

export function appBridgeName(installation: string, appId: string): string {
  return `${bridgePrefix(installation)}a${hex(appId, 7)}`;
}
