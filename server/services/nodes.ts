import "server-only";
// The machines dynos run on, for the installation page (admins only: the doors check
// nodes:list / nodes:update) and the Resources tab (which node each dyno is on).
import { runtimeDriver, type NodeAvailability, type RuntimeDriver } from "@/server/runtime/driver";
import { getRuntime } from "@/server/runtime";
import { installationId } from "@/server/services/settings";

/** The running dyno manager's driver and installation, else this process's (a web-only process). */
async function runtime(): Promise<{ driver: RuntimeDriver; installation: string }> {
  const r = getRuntime();
  if (r) return { driver: r.driver, installation: r.opts.installation };
  return { driver: runtimeDriver(), installation: await installationId() };
}

export async function listNodes() {
  const { driver, installation } = await runtime();
  return { runtime: driver.name, nodes: await driver.nodes(installation) };
}

export async function setNodeAvailability(input: { node: string; availability: NodeAvailability }) {
  const { driver } = await runtime();
  // Swarm stops a drained node's tasks; the reconciler sees them end and starts them again
  // (restart condition none), and the scheduler places them on active nodes.
  await driver.setNodeAvailability(input.node, input.availability);
}

/** Dyno id (as the Dyno row's containerId has it) → the node it runs on; empty when the runtime cannot say. */
export async function dynoNodes(appId: string): Promise<Map<string, string>> {
  try {
    const { driver, installation } = await runtime();
    const dynos = await driver.listDynos(installation, appId);
    return new Map(dynos.filter((d) => d.node).map((d) => [d.id, d.node!]));
  } catch {
    return new Map(); // the Engine or manager is away: the list still shows, without nodes
  }
}
