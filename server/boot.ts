import "server-only";
import { trackClientAddresses } from "@/server/audit/client-address";
import { failInterruptedBuilds } from "@/server/build/pipeline";
import { dataDir, env } from "@/server/env";
import { startLogging } from "@/server/logs";
import { startMetrics } from "@/server/metrics";
import { followRouterLog } from "@/server/router/ingest";
import { drainForStop, startPublishing } from "@/server/router/publish";
import { acmeFromEnv, startAcme } from "@/server/services/acme";
import { startRendezvous } from "@/server/rendezvous/server";
import { startRuntime } from "@/server/runtime";
import { runtimeDriver } from "@/server/runtime/driver";
import { startFirewall } from "@/server/runtime/firewall";
import { resumeAddons } from "@/server/services/addon-provisioning";
import { failInterruptedSetups } from "@/server/services/app-setups";
import { failInterruptedPromotions } from "@/server/services/pipelines/promotion";
import { startReviewAppSweeper } from "@/server/services/pipelines/review-apps";
import { startAddonMonitor } from "@/server/services/addon-monitor";
import { startBackupScheduler } from "@/server/services/backup-schedules";
import { startPgGateway } from "@/server/addons/pg-gateway";
import { reportDiskLimit } from "@/server/services/quotas-disk";
import { installationId } from "@/server/services/settings";
import { ensureAdmin } from "@/server/services/users";

let booted: Promise<void> | undefined;

export function boot(): Promise<void> {
  // First: requests are stamped with their real address from here on.
  trackClientAddresses();
  return (booted ??= (async () => {
    const e = env();
    const admin = await ensureAdmin(e.SLIPWAY_ADMIN_EMAIL, e.SLIPWAY_ADMIN_PASSWORD);
    if (admin === "created") console.log(`slipway: created admin account ${e.SLIPWAY_ADMIN_EMAIL}`);
    await failInterruptedBuilds();
    await failInterruptedPromotions();
    void startDynoManager();
  })());
}

/** Starts the reconciler once the Engine answers; the dashboard works meanwhile. */
async function startDynoManager() {
  const e = env();
  const installation = await installationId();
  const logging = startLogging(installation);
  for (let attempt = 0; ; attempt++) {
    if (await runtimeDriver().ping()) break;
    if (attempt === 0) console.error("slipway: the Docker Engine does not answer; dynos will be managed once it does");
    await new Promise((r) => setTimeout(r, 5_000));
  }
  await startFirewall({ installation, publicPorts: [e.SLIPWAY_PORT, e.SLIPWAY_ROUTER_PORT], allowedCidrs: e.SLIPWAY_DYNO_ALLOWED_CIDRS.split(/[\s,]+/).filter(Boolean) });
  await logging.collector.start();
  await startRuntime({
    installation,
    bootTimeoutMs: e.SLIPWAY_BOOT_TIMEOUT_MS,
    stopTimeoutSeconds: e.SLIPWAY_STOP_TIMEOUT_SECONDS,
    crashBackoffBaseMs: e.SLIPWAY_CRASH_BACKOFF_BASE_MS,
    crashBackoffMaxMs: e.SLIPWAY_CRASH_BACKOFF_MAX_MS,
    sweepIntervalMs: e.SLIPWAY_RECONCILE_INTERVAL_MS,
    port: 5000,
    // Out of the router's table, then its requests in flight finish (at most the router's 30 s).
    drain: (appId) => drainForStop(appId, { ackMs: e.SLIPWAY_ROUTER_DRAIN_MS }),
  });
  // heroku run's TLS rendezvous (its CA is made on the first start).
  await startRendezvous().catch((err) => console.error("slipway: the rendezvous server (heroku run) did not start", err));
  startPublishing();
  // Automatic certificates (certs:auto): only apps with ACM on are looked at.
  startAcme(acmeFromEnv());
  followRouterLog();
  startMetrics({
    installation,
    dataDir: dataDir(),
    sampleIntervalMs: e.SLIPWAY_METRICS_INTERVAL_MS,
    routerIntervalMs: e.SLIPWAY_METRICS_ROUTER_INTERVAL_MS,
    rollupIntervalMs: e.SLIPWAY_METRICS_ROLLUP_INTERVAL_MS,
  });
  console.log("slipway: dyno manager started");
  void reportDiskLimit().catch(() => undefined);
  // Add-ons need the Engine too: interrupted provisioning resumes, leftovers go.
  await resumeAddons().catch((err) => console.error("slipway: resuming add-ons failed", err));
  // Setups cut off by a restart fail, and their apps go (add-ons need the Engine for that).
  await failInterruptedSetups().catch((err) => console.error("slipway: ending interrupted app setups failed", err));
  startAddonMonitor();
  startBackupScheduler();
  await startPgGateway();
  // Review apps with no push for their pipeline's days are destroyed (their pr-predestroy runs in a dyno).
  startReviewAppSweeper();
}
