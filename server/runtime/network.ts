import "server-only";
// Names of the Linux bridges behind this installation's Docker networks. Every app network
// and every build network gets a bridge whose name starts with the installation's prefix
// (`sw` + 5 hex of the installation id), so the firewall (firewall.ts) can match all of
// them, and only them, with one `-i <prefix>+` rule per chain — several installations can
// share one Engine without their rules touching each other's containers.
import crypto from "node:crypto";
import { env } from "@/server/env";
import { docker, engine, engineStatus } from "@/server/runtime/docker";
import { installationId } from "@/server/services/settings";

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

const BUILD_LABEL = "slipway.build-network";

export type BuildNetwork = { name: string; remove(): Promise<void> };

/**
 * A network for one build, removed after it: the installation's bridge prefix (the firewall
 * keeps builds off the host's ports and the metadata address) and a bridge of its own, so
 * no build can reach another, nor any dyno. Outbound traffic is NATed as usual (package
 * registries, the Debian mirror). Networks left by a control plane that died mid-build are
 * swept here once they are older than any build can be.
 */
export async function createBuildNetwork(installation: string, maxAgeMs: number): Promise<BuildNetwork> {
  const d = docker();
  const id = crypto.randomBytes(4).toString("hex").slice(0, 7);
  const name = `slipway-build-${installation}-${id}`;
  await sweepBuildNetworks(installation, maxAgeMs);
  await engine("Create the build network", () =>
    d.createNetwork({
      Name: name,
      Driver: "bridge",
      CheckDuplicate: true,
      Options: { [BRIDGE_NAME_OPTION]: `${bridgePrefix(installation)}b${id}`, [ICC_OPTION]: "false" },
      Labels: { "slipway.managed": "1", "slipway.installation": installation, [BUILD_LABEL]: "1" },
    }),
  );
  return {
    name,
    remove: () =>
      d
        .getNetwork(name)
        .remove()
        .catch((err: unknown) => {
          if (engineStatus(err) !== 404) console.error(`slipway: could not remove build network ${name}`, (err as Error).message);
        }),
  };
}

async function sweepBuildNetworks(installation: string, maxAgeMs: number) {
  const d = docker();
  const old = await d.listNetworks({ filters: { label: [`slipway.installation=${installation}`, BUILD_LABEL] } }).catch(() => []);
  for (const n of old) {
    if (Date.now() - Date.parse(n.Created ?? "") < maxAgeMs) continue;
    await d.getNetwork(n.Id).remove().catch(() => undefined); // still in use: refused, kept
  }
}

/** This installation's network for one build (see createBuildNetwork). */
export async function buildNetwork(): Promise<BuildNetwork> {
  // Twice the longest a build may run: anything older was left behind.
  return createBuildNetwork(await installationId(), 2 * env().SLIPWAY_BUILD_TIMEOUT_SECONDS * 1000);
}
