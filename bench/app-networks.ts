// App networks made ahead for benches that run many apps on one Engine. Docker's default
// address pools hold about 31 bridge networks (15 × /16 and 16 × /20), and this machine's
// other work uses some, while the engine driver asks the Engine for one network per app
// with no subnet of its own: past ~30 apps it fails ("could not find an available,
// non-overlapping IPv4 address pool"). A bench makes each app's network first, with a /24
// of 10.<200–239>.x.0/16, under the name, bridge and labels the driver expects (the driver
// adopts a network that already exists, and removes it with the app).
import crypto from "node:crypto";
import { docker } from "@/server/runtime/docker";
import { networkName } from "@/server/runtime/drivers/engine-network";
import { LABEL } from "@/server/runtime/labels";
import { BRIDGE_NAME_OPTION, appBridgeName } from "@/server/runtime/network";

const base = 200 + (crypto.randomBytes(1)[0]! % 40);
let next = 0;

export async function makeAppNetwork(installation: string, appId: string, appName: string) {
  const taken = new Set(
    (await docker().listNetworks()).flatMap((n) => (n.IPAM?.Config ?? []).map((c) => c.Subnet)).filter((s): s is string => !!s),
  );
  let subnet: string;
  do subnet = `10.${base}.${next++ % 256}.0/24`;
  while (taken.has(subnet));
  await docker().createNetwork({
    Name: networkName(appId),
    Driver: "bridge",
    CheckDuplicate: true,
    IPAM: { Config: [{ Subnet: subnet }] },
    Options: { [BRIDGE_NAME_OPTION]: appBridgeName(installation, appId) },
    Labels: { [LABEL.managed]: "1", [LABEL.installation]: installation, [LABEL.appId]: appId, [LABEL.app]: appName },
  });
}
