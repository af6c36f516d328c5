// The common set-up of router tests: a dyno manager on the real Engine, the control plane
// publishing its routing table, the real router process, a user and the fixture image.
import { dataDir } from "@/server/env";
import { startPublishing } from "@/server/router/publish";
import { startRuntime, stopRuntime } from "@/server/runtime";
import type { RuntimeOptions } from "@/server/runtime/reconciler";
import { createUser } from "@/server/services/users";
import { startRouter } from "@/server/testing/router";
import { cleanupInstallation, ensureFixtureImage } from "@/server/testing/runtime";

export type RouterSuite = {
  router: Awaited<ReturnType<typeof startRouter>>;
  stopPublishing: () => void;
  image: string;
  userId: string;
};

export async function startRouterSuite(opts: RuntimeOptions, s: { timeoutMs: number; user: string; routerEnv?: Record<string, string> }): Promise<RouterSuite> {
  const image = await ensureFixtureImage();
  await startRuntime(opts);
  const stopPublishing = startPublishing(500);
  const router = await startRouter({ dataDir: dataDir(), timeoutMs: s.timeoutMs, env: s.routerEnv });
  const userId = (await createUser({ email: `${s.user}-${Date.now()}@example.com`, password: "password1" })).id;
  return { router, stopPublishing, image, userId };
}

/** Stops what startRouterSuite started; `suite` holds what the tests last set (they may restart publishing). */
export async function stopRouterSuite(opts: RuntimeOptions, suite: Partial<RouterSuite>) {
  if (process.env.DEBUG_ROUTER) console.log(suite.router?.output().slice(-4000));
  await suite.router?.stop();
  suite.stopPublishing?.();
  await stopRuntime();
  await cleanupInstallation(opts.installation);
}
