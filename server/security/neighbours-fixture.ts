// Noisy neighbours for the isolation suite and bench/neighbours.ts: a well-behaved web app
// behind the real router, and hog apps of other owners beside it. No test framework imports.
import { dataDir } from "@/server/env";
import { startPublishing } from "@/server/router/publish";
import { readTable } from "@/server/router/protocol";
import { startRuntime, stopRuntime } from "@/server/runtime";
import { docker } from "@/server/runtime/docker";
import type { RuntimeOptions } from "@/server/runtime/reconciler";
import { createApp } from "@/server/services/apps";
import { releaseImage } from "@/server/services/deploys";
import { updateFormation } from "@/server/services/formation";
import { createUser } from "@/server/services/users";
import { db } from "@/server/db";
import { get, startRouter } from "@/server/testing/router";
import { runtimeDriver } from "@/server/runtime/driver";

/** Each hog is one worker dyno of standard-1x (512 MB, 1 CPU, 256 processes). */
export const HOGS = {
  // Buffers are outside V8's heap: resident memory grows until the cgroup's OOM killer acts.
  memory: `node -e "const a=[];setInterval(()=>{for(let i=0;i<4;i++)a.push(Buffer.alloc(16*1024*1024,1))},20)"`,
  // Forks until the pids limit refuses; `exec sleep` keeps the dyno running without a fork.
  forks: `bomb(){ bomb | bomb & }; bomb; exec sleep 3600`,
  // Four busy loops: more than the dyno's one CPU.
  cpu: `for i in 1 2 3 4; do node -e "for(;;){}" & done; wait`,
  // Writes until the disk cap (where there is one) refuses, bounded by MB so a host
  // without a cap is not filled: then it sleeps.
  disk: (mb: number) => `dd if=/dev/zero of=/tmp/fill bs=1M count=${mb} 2>&1; sync; exec sleep 3600`,
} as const;

const unique = () => Math.random().toString(36).slice(2, 8);

export async function startNeighbourhood(opts: RuntimeOptions, image: string) {
  await startRuntime(opts);
  const stopPublishing = startPublishing(500);
  const router = await startRouter({ dataDir: dataDir(), timeoutMs: 10_000 });

  /** An app of its own owner, released with `processTypes`, scaled as given. */
  async function deploy(prefix: string, processTypes: Record<string, string>, scale: Record<string, number>) {
    const user = await createUser({ email: `${prefix}-${unique()}@example.com`, password: "password1" });
    const app = await createApp({ userId: user.id, name: `${prefix}-${unique()}` });
    await releaseImage({ appId: app.id, userId: user.id, imageTag: image, processTypes, description: "neighbours" });
    await updateFormation({ appId: app.id, updates: Object.entries(scale).map(([type, quantity]) => ({ type, quantity })) });
    return app;
  }

  const good = await deploy("good", { web: "node server.js" }, { web: 1 });
  const host = `${good.name}.localhost`;

  return {
    router,
    good,
    host,
    deploy,
    /** Waits until the good app is routed and answers. */
    async ready(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const routed = readTable(dataDir())?.apps.find((a) => a.id === good.id)?.web.length === 1;
        if (routed && (await get(router.port, host).catch(() => ({ status: 0 }))).status === 200) return;
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error("the well-behaved app did not answer through the router");
    },
    /** Requests back to back through the router until stopped: latencies (ms) and failures. */
    load(clients = 2) {
      const latencies: number[] = [];
      const failures: string[] = [];
      let running = true;
      const one = async () => {
        while (running) {
          const t0 = performance.now();
          const r = await get(router.port, host).catch((err: Error) => ({ status: 0, body: err.message }));
          if (r.status === 200) latencies.push(performance.now() - t0);
          else failures.push(`${r.status} ${r.body.slice(0, 80)}`);
        }
      };
      const loops = Array.from({ length: clients }, one);
      return { latencies, failures, stop: async () => ((running = false), await Promise.all(loops)) };
    },
    /** The good app's dynos as the Engine and the database see them (ids change on a restart). */
    async goodDynos() {
      const containers = await runtimeDriver().listDynos(opts.installation, good.id);
      const rows = await db.dyno.findMany({ where: { appId: good.id }, select: { name: true, state: true, restartCount: true } });
      return { containers: containers.map((c) => `${c.dyno}:${c.id}:${c.status}`).sort(), rows };
    },
    async containerOf(appId: string, dyno: string) {
      const c = (await runtimeDriver().listDynos(opts.installation, appId)).find((x) => x.dyno === dyno && x.status === "running");
      return c ? docker().getContainer(c.id) : null;
    },
    async stop() {
      await router.stop();
      stopPublishing();
      await stopRuntime();
    },
  };
}

export function percentile(values: number[], p: number) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN;
}
