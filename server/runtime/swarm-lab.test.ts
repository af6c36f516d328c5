// The multi-node Swarm lab (scripts/swarm.sh), real everything: a manager and two workers,
// each a real dockerd in its own container, joined with real tokens; the fixture app pushed
// from the host's Engine to the platform's registry (TLS, auth) and pulled by digest on
// every node with the credentials given at service creation; one task per node, each answering the host on its own host-mode port; a router
// container on the manager reaching every task through the app's attachable overlay; and a
// worker lost, its task rescheduled by Swarm. Prints its figures (timings are not asserted).
// Skipped only when this machine cannot run a node's dockerd, and then it says why.
import type Dockerode from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { docker } from "@/server/runtime/docker";
import { unique } from "@/server/testing/callers";
import { ensureFixtureImage, waitFor } from "@/server/testing/runtime";
import {
  labEngine,
  pushToSwarmLab,
  startSwarmLab,
  stopSwarmLab,
  swarmLabUnavailable,
  sweepStaleSwarmLabs,
  type SwarmLab,
} from "@/server/testing/swarm-lab";

const unavailable = await swarmLabUnavailable();
if (unavailable) console.warn(`swarm-lab.test.ts skipped: ${unavailable}`);

const name = `swl-${unique()}`;
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const figures: string[] = [];
const figure = (line: string) => {
  figures.push(line);
  console.log(`swarm lab: ${line}`);
};

async function get(url: string): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(3_000) });
  return { status: res.status, body: await res.text() };
}

type Task = Awaited<ReturnType<Dockerode["listTasks"]>>[number];

describe.skipIf(unavailable)("a three-node swarm lab", () => {
  let lab: SwarmLab;
  let manager: Dockerode;
  let image: string;
  let serviceId: string;
  const overlay = `${name}-app`;
  const nodeIp = new Map<string, string>(); // swarm node ID → address
  const nodeName = new Map<string, string>(); // swarm node ID → hostname (= container name)

  const runningTasks = async () =>
    ((await manager.listTasks({ filters: { service: [serviceId], "desired-state": ["running"] } })) as Task[]).filter(
      (t) => t.Status?.State === "running",
    );
  const publishedPort = (t: Task) => (t.Status as { PortStatus?: { Ports?: { PublishedPort?: number }[] } }).PortStatus?.Ports?.[0]?.PublishedPort;
  const taskUrl = (t: Task) => `http://${nodeIp.get(t.NodeID!)}:${publishedPort(t)}/`;

  beforeAll(async () => {
    image = await ensureFixtureImage();
    await sweepStaleSwarmLabs("swl-", 30); // this file's labs live about 2 minutes
    const t0 = Date.now();
    lab = await startSwarmLab(name);
    figure(`lab started (3 nodes Ready, registry up) in ${secs(Date.now() - t0)}`);
    manager = labEngine(lab.dockerHost);
    for (const n of (await manager.listNodes()) as { ID: string; Status: { Addr: string }; Description: { Hostname: string } }[]) {
      nodeIp.set(n.ID, n.Status.Addr);
      nodeName.set(n.ID, n.Description.Hostname);
    }
  }, 240_000);

  afterAll(async () => {
    console.log(`swarm lab figures:\n  ${figures.join("\n  ")}`);
    await stopSwarmLab(name);
  }, 180_000);

  it("has a manager and two workers, all Ready, advertising their lab addresses", async () => {
    const nodes = (await manager.listNodes()) as { Spec: { Role: string }; Status: { State: string; Addr: string }; Description: { Hostname: string } }[];
    expect(nodes.map((n) => n.Description.Hostname).sort()).toEqual([`${name}-manager`, `${name}-worker1`, `${name}-worker2`]);
    expect(nodes.every((n) => n.Status.State === "ready")).toBe(true);
    expect(nodes.filter((n) => n.Spec.Role === "manager").map((n) => n.Description.Hostname)).toEqual([`${name}-manager`]);
    expect(nodes.map((n) => n.Status.Addr).sort()).toEqual(lab.nodes.map((n) => n.ip).sort());
  });

  it("runs three replicas from the lab registry by digest, one per node, each answering the host on its host-mode port", async () => {
    let t = Date.now();
    const ref = await pushToSwarmLab(name, image, "fixture-app");
    expect(ref).toMatch(new RegExp(`^${lab.registry.replace(/\./g, "\\.")}/fixture-app@sha256:[0-9a-f]{64}$`));
    figure(`push of the fixture image (${((await docker().getImage(image).inspect()).Size / 1e6).toFixed(0)} MB) from the host Engine: ${secs(Date.now() - t)}`);

    await manager.createNetwork({ Name: overlay, Driver: "overlay", Attachable: true, Labels: { "slipway.swarm-lab": name } });
    t = Date.now();
    const service = await manager.createService(lab.registryAuth, {
      Name: `${name}-web`,
      Labels: { "slipway.swarm-lab": name },
      TaskTemplate: {
        ContainerSpec: {
          Image: ref,
          Command: ["node", "/app/server.js"],
          Env: ["PORT=5000", "DYNO=web.{{.Task.Slot}}"],
          StopGracePeriod: 5_000_000_000,
        },
        // Spread over nodes, not max-replicas-per-node: after a node is lost its task must
        // still find a place on the others.
        Placement: { Preferences: [{ Spread: { SpreadDescriptor: "node.id" } }] },
        RestartPolicy: { Condition: "any", Delay: 1_000_000_000 },
        Networks: [{ Target: overlay }],
      },
      Mode: { Replicated: { Replicas: 3 } },
      // No IPVS in this kernel: no VIP, no ingress mesh. DNS round robin, ports per task.
      EndpointSpec: { Mode: "dnsrr", Ports: [{ Protocol: "tcp", TargetPort: 5000, PublishMode: "host" }] },
    } as unknown as Parameters<Dockerode["createService"]>[1]);
    serviceId = (service as unknown as { id?: string; ID?: string }).id ?? (service as unknown as { ID: string }).ID;

    const tasks = await waitFor("3 running tasks", async () => {
      const running = await runningTasks();
      return running.length === 3 && running.every((x) => publishedPort(x)) ? running : null;
    }, 120_000);
    figure(`3 replicas pulled by digest on 3 nodes and running: ${secs(Date.now() - t)}`);
    expect(new Set(tasks.map((x) => x.NodeID)).size).toBe(3);
    for (const task of tasks) expect(task.Spec?.ContainerSpec?.Image).toBe(ref);

    t = Date.now();
    for (const task of tasks) {
      const res = await waitFor(`task ${task.Slot} to answer at ${taskUrl(task)}`, async () => get(taskUrl(task)), 30_000);
      expect(res).toEqual({ status: 200, body: `hello from web.${task.Slot}\n` });
    }
    figure(`first answers from all 3 tasks at nodeIP:publishedPort: ${secs(Date.now() - t)}`);
    t = performance.now();
    for (let i = 0; i < 30; i++) expect((await get(taskUrl(tasks[i % 3]))).status).toBe(200);
    figure(`host → nodeIP:port (host mode), 30 sequential requests: ${((performance.now() - t) / 30).toFixed(1)} ms each`);
  }, 240_000);

  it("reaches every task by its overlay address from a router container attached to the app's overlay", async () => {
    const tasks = await runningTasks();
    const addresses = tasks.map((task) => {
      const att = (task as { NetworksAttachments?: { Network: { Spec: { Name: string } }; Addresses: string[] }[] }).NetworksAttachments?.find(
        (a) => a.Network.Spec.Name === overlay,
      );
      return { slot: task.Slot, ip: att!.Addresses[0].split("/")[0] };
    });
    // The host has no route to these (they would go to the default gateway): never probe them
    // from here. A container on the manager, joined to the overlay, reaches all of them.
    const script = [
      "for a in " + addresses.map((a) => a.ip).join(" ") + "; do",
      '  curl -s -m 3 -o /dev/null -w "%{http_code} %{time_total}\\n" "http://$a:5000/" || echo "000 0"',
      "  curl -s -m 3 \"http://$a:5000/\"",
      "done",
    ].join("\n");
    const image = tasks[0].Spec!.ContainerSpec!.Image!;
    const t = Date.now();
    const container = await manager.createContainer({
      Image: image,
      Cmd: ["sh", "-c", script],
      Labels: { "slipway.swarm-lab": name },
      HostConfig: { NetworkMode: overlay },
    });
    let output = "";
    try {
      await container.start();
      await container.wait();
      const logs = (await container.logs({ stdout: true, stderr: true })) as unknown as Buffer;
      output = demux(logs);
    } finally {
      await container.remove({ force: true });
    }
    const lines = output.trim().split("\n");
    const answers = addresses.map((a, i) => ({ slot: a.slot, code: lines[i * 2]?.split(" ")[0], ms: Number(lines[i * 2]?.split(" ")[1]) * 1000, body: lines[i * 2 + 1] }));
    for (const a of answers) {
      expect(a.code).toBe("200");
      expect(a.body).toBe(`hello from web.${a.slot}`);
    }
    figure(
      `router container on the overlay (created, attached, 3 requests, removed) in ${secs(Date.now() - t)}; first request per task: ${answers.map((a) => `${a.ms.toFixed(1)} ms`).join(", ")}`,
    );
  }, 60_000);

  it("reschedules the task of a lost worker on the remaining nodes", async () => {
    const before = await runningTasks();
    const workerTask = before.find((x) => nodeName.get(x.NodeID!)!.includes("-worker"))!;
    const lostNode = workerTask.NodeID!;
    const lostName = nodeName.get(lostNode)!;
    const heartbeat = ((await manager.swarmInspect()) as { Spec: { Dispatcher: { HeartbeatPeriod: number } } }).Spec.Dispatcher.HeartbeatPeriod / 1e9;

    const t0 = Date.now();
    await docker().getContainer(lostName).kill(); // the host Engine: the node's container dies with its dockerd
    await waitFor(`${lostName} to be down`, async () => ((await manager.getNode(lostNode).inspect()) as { Status: { State: string } }).Status.State === "down", 90_000);
    const down = Date.now() - t0;
    const after = await waitFor("3 running tasks, none on the lost node", async () => {
      const running = await runningTasks();
      return running.length === 3 && running.every((x) => x.NodeID !== lostNode && publishedPort(x)) ? running : null;
    }, 90_000);
    const replaced = after.find((x) => x.Slot === workerTask.Slot)!;
    const res = await waitFor(`the replacement of web.${workerTask.Slot} to answer`, async () => get(taskUrl(replaced)), 30_000);
    expect(res).toEqual({ status: 200, body: `hello from web.${workerTask.Slot}\n` });
    const answered = Date.now() - t0;
    expect(nodeName.get(replaced.NodeID!)).not.toBe(lostName);
    figure(
      `worker lost (docker kill ${lostName}, heartbeat ${heartbeat} s): node down after ${secs(down)}, web.${workerTask.Slot} running and answering on ${nodeName.get(replaced.NodeID!)} after ${secs(answered)}`,
    );
  }, 200_000);
});

/** The Engine's multiplexed log stream (8-byte frame headers) as text. */
function demux(buf: Buffer): string {
  let out = "";
  for (let i = 0; i + 8 <= buf.length; ) {
    const len = buf.readUInt32BE(i + 4);
    out += buf.subarray(i + 8, i + 8 + len).toString();
    i += 8 + len;
  }
  return out;
}
