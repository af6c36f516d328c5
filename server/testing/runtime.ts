// Helpers for tests that run real dynos: a release image built on the stack image through
// the Docker gateway, a Reconciler with short timings, and cleanup by installation label.
import crypto from "node:crypto";
import { expect } from "vitest";
import { docker } from "@/server/runtime/docker";
import { removeInstallationCgroups } from "@/server/runtime/dyno-cgroup";
export { ensureFixtureImage } from "@/server/testing/fixture-image";
import { runtimeDriver } from "@/server/runtime/driver";
import { LABEL } from "@/server/runtime/labels";
import { Reconciler, type RuntimeOptions } from "@/server/runtime/reconciler";

export function testRuntimeOptions(overrides: Partial<RuntimeOptions> = {}): RuntimeOptions {
  return {
    installation: `test-${crypto.randomBytes(5).toString("hex")}`,
    bootTimeoutMs: 15_000,
    stopTimeoutSeconds: 3,
    crashBackoffBaseMs: 600,
    crashBackoffMaxMs: 5_000,
    sweepIntervalMs: 1_000,
    port: 5000,
    ...overrides,
  };
}

/** Removes every container and network of a test installation. */
export async function cleanupInstallation(installation: string) {
  const driver = runtimeDriver();
  for (const c of await driver.listDynos(installation, undefined, { standbys: true })) await driver.removeDyno(c.id);
  const networks = await docker().listNetworks({ filters: { label: [`${LABEL.installation}=${installation}`] } });
  for (const n of networks) await docker().getNetwork(n.Id).remove().catch(() => undefined);
  await removeInstallationCgroups(installation);
}

/**
 * The Engine's own view of a dyno container (engine driver): for tests that check what the
 * Engine was asked to do (limits, user, mounts, StartedAt).
 */
export function inspectContainer(id: string) {
  return docker().getContainer(id).inspect();
}

/** Polls `check` until it returns a truthy value (conditions, never fixed sleeps). */
export async function waitFor<T>(what: string, check: () => Promise<T | false | null | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  expect.fail(`Timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
}

export async function startReconciler(opts: RuntimeOptions) {
  const r = new Reconciler(opts);
  await r.start();
  return r;
}
