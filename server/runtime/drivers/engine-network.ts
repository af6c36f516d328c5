import "server-only";
// Per-app bridge networks on one Engine (the engine driver's part of the app network).
import type Dockerode from "dockerode";
import { docker, engine, engineError, engineStatus } from "@/server/runtime/docker";
import { LABEL } from "@/server/runtime/labels";
import { appBridgeName, BRIDGE_NAME_OPTION, bridgePrefix } from "@/server/runtime/network";
import { createBridgeNetwork } from "@/server/runtime/drivers/subnets";

export function networkName(appId: string) {
  return `slipway-app-${appId}`;
}

const creatingNetworks = new Map<string, Promise<string>>();
// Networks known to exist: creating a dyno then costs no extra Engine call.
const knownNetworks = new Set<string>();

/**
 * One bridge network per app: dynos of different apps cannot reach each other (Docker's
 * isolation chains drop traffic between bridges), while an app's own dynos and add-ons
 * can. The bridge is named with the installation's prefix so the firewall confines it
 * (firewall.ts: no host ports but the public listeners, no metadata address). The
 * Engine allows two networks with one name (then refuses to attach to either), so
 * creation is single-flight here, asks the Engine to check duplicates, and heals any
 * duplicate left by an earlier process.
 */
export function ensureAppNetwork(installation: string, appId: string, appName: string): Promise<string> {
  if (knownNetworks.has(appId)) return Promise.resolve(networkName(appId));
  let pending = creatingNetworks.get(appId);
  if (!pending) {
    pending = createAppNetwork(installation, appId, appName)
      .then((name) => (knownNetworks.add(appId), name))
      .finally(() => creatingNetworks.delete(appId));
    creatingNetworks.set(appId, pending);
  }
  return pending;
}

/** A 404 creating a container may mean the app's network was removed behind our back. */
export function forgetAppNetwork(appId: string) {
  knownNetworks.delete(appId);
}

async function createAppNetwork(installation: string, appId: string, appName: string): Promise<string> {
  const name = networkName(appId);
  const d = docker();
  const existing = (await engine("List networks", () => d.listNetworks({ filters: { name: [name] } }))).filter((n) => n.Name === name);
  if (existing.length > 1) {
    existing.sort((a, b) => Date.parse(a.Created ?? "") - Date.parse(b.Created ?? ""));
    for (const extra of existing.slice(1)) await d.getNetwork(extra.Id).remove().catch(() => undefined);
  }
  if (existing.length > 0 && !(await replaceUnconfined(existing[0]!.Id, installation))) return name;
  try {
    await createBridgeNetwork(d, {
      Name: name,
      Driver: "bridge",
      CheckDuplicate: true,
      Options: { [BRIDGE_NAME_OPTION]: appBridgeName(installation, appId) },
      Labels: { [LABEL.managed]: "1", [LABEL.installation]: installation, [LABEL.appId]: appId, [LABEL.app]: appName },
    });
  } catch (err) {
    if (engineStatus(err) !== 409) throw engineError(err, "Create the app's network"); // 409: created concurrently
  }
  return name;
}

/**
 * A network made before bridges were named for the firewall: removed (to be made again)
 * when nothing is attached; otherwise kept, with a warning: the firewall does not cover it
 * until nothing is attached at a later check (scale to zero and detach its add-ons).
 */
async function replaceUnconfined(id: string, installation: string): Promise<boolean> {
  const info = await engine("Inspect the app's network", () => docker().getNetwork(id).inspect());
  if (String(info.Options?.[BRIDGE_NAME_OPTION] ?? "").startsWith(bridgePrefix(installation))) return false;
  if (Object.keys(info.Containers ?? {}).length > 0) {
    console.warn(`slipway: WARNING: network ${info.Name} predates the firewall's bridge names and is not confined; it is replaced once no dyno or add-on is attached to it`);
    return false;
  }
  await docker().getNetwork(id).remove().catch(() => undefined);
  return true;
}

export async function removeAppNetwork(appId: string) {
  knownNetworks.delete(appId);
  try {
    await docker().getNetwork(networkName(appId)).remove();
  } catch (err) {
    if (engineStatus(err) !== 404) throw engineError(err, "Remove the app's network");
  }
}

/** Every network's subnets on this Engine. */
export async function engineSubnets(): Promise<string[]> {
  const networks: Dockerode.NetworkInspectInfo[] = await engine("List networks", () => docker().listNetworks());
  return networks.flatMap((n) => (n.IPAM?.Config ?? []).map((c) => c.Subnet).filter((s): s is string => !!s));
}

/** The container's address on its app network. */
export function containerIp(info: Dockerode.ContainerInspectInfo, appId: string): string | null {
  return info.NetworkSettings?.Networks?.[networkName(appId)]?.IPAddress || null;
}
