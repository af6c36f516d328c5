import path from "node:path";
import { defineConfig } from "vitest/config";

const root = path.dirname(new URL(import.meta.url).pathname);

// Test files that drive the Docker Engine, a swarm, git pushes or real servers, or that
// measure CPU shares or timings: they run one at a time (the "engine" project), after the
// rest. Every other file runs in the "unit" project, two at a time, with no Docker Engine
// at all (DOCKER_HOST points nowhere): a unit-tier file that reaches for the Engine fails
// at once and belongs in this list. npm test runs the two tiers at the same time
// (scripts/test.sh).
const engineFiles = [
  "server/addons/crash-recovery.test.ts",
  "server/addons/pg-gateway.test.ts",
  "server/addons/providers.test.ts",
  "server/addons/swarm-addons.test.ts",
  "server/build/deploy.test.ts",
  "server/build/nodejs/push.test.ts",
  "server/build/promotion-review-apps.test.ts",
  "server/build/python-push.test.ts",
  "server/logs/logs.test.ts",
  "server/metrics/sampler.test.ts",
  "server/metrics/store.test.ts",
  "server/platform-api/buildpacks.test.ts",
  "server/platform-api/formation.test.ts",
  "server/router/drain-poll.test.ts",
  "server/router/haproxy.test.ts",
  "server/router/lifecycle.test.ts",
  "server/router/log-burst.test.ts",
  "server/router/log-order.test.ts",
  "server/router/request-id.test.ts",
  "server/router/router.test.ts",
  "server/router/tls.test.ts",
  "server/runtime/crash-recovery.test.ts",
  "server/runtime/docker.test.ts",
  "server/runtime/drivers/swarm.test.ts",
  "server/runtime/engine-access.test.ts",
  "server/runtime/reconciler.test.ts",
  "server/runtime/restart-load.test.ts",
  "server/runtime/standby-pool.test.ts",
  "server/runtime/drivers/subnets.test.ts",
  "server/security/build-images.test.ts",
  "server/security/drain-ssrf.test.ts",
  "server/security/neighbours.test.ts",
  "server/security/network-isolation.test.ts",
  "server/security/one-off-access.test.ts",
  "server/security/redis-password.test.ts",
  "server/security/streams.test.ts",
  "server/services/activity.test.ts",
  "server/services/addons.test.ts",
  "server/services/app-setups/app-setups.test.ts",
  "server/services/nodes.test.ts",
];

// Files that replace a module (vi.mock): they need modules imported afresh, so a process of
// their own, which the rest of the unit tier does without (isolate: false below).
const mockingFiles = ["server/auth/sign-in.test.ts", "server/metrics/sampler-list.test.ts", "server/platform-api/handle.test.ts"];
const noEngine = "unix:///nonexistent/the-unit-tier-has-no-docker-engine.sock";

// Restarts dockerd, taking the Engine from everything else that uses it: a project of its
// own, which npm test runs before anything else drives the Engine.
const engineRestart = "server/runtime/engine-restart.test.ts";

const allFiles = ["server/**/*.test.ts", "scripts/**/*.test.ts", "app/**/*.test.ts", "components/**/*.test.ts"];
// Tests against a started platform (the real heroku CLI) run only when scripts/test.sh
// has started one and says where (SLIPWAY_TEST_BASE_URL): the "platform" project, two
// files at a time (each makes its own users, keys and apps; the ones that lock sign-ins out
// come from an address of their own).
const integration = "**/*.integration.test.ts";
const withPlatform = !!process.env.SLIPWAY_TEST_BASE_URL;

export default defineConfig({
  resolve: {
    alias: {
      "@": root,
      // `server-only` throws outside React Server Components; tests import server code directly.
      "server-only": path.join(root, "server/testing/server-only-stub.ts"),
    },
  },
  test: {
    setupFiles: ["server/testing/setup.ts"],
    globalSetup: ["server/testing/pglite-template.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: allFiles,
          exclude: ["**/node_modules/**", integration, ...engineFiles, engineRestart, ...mockingFiles],
          // npm test runs this tier beside the Engine tier with one worker (scripts/test.sh).
          maxWorkers: Number(process.env.SLIPWAY_UNIT_WORKERS) || 2,
          // A worker process runs file after file, keeping what it imported, on one database
          // emptied between files (server/testing/setup.ts): a fresh process, imports and
          // database for each file were half of this tier's CPU (304 s of it against 153 s).
          isolate: false,
          env: { DOCKER_HOST: noEngine, SLIPWAY_TEST_SHARED_DB: "1" },
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: "unit-isolated",
          include: mockingFiles,
          maxWorkers: Number(process.env.SLIPWAY_UNIT_WORKERS) || 2,
          env: { DOCKER_HOST: noEngine },
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: "engine",
          include: engineFiles,
          exclude: ["**/node_modules/**"],
          fileParallelism: false,
          // One process for the whole tier, as the unit tier has: a fresh process and its
          // imports for each of ~40 files were ~80 s of the tier's critical path (import 70 s,
          // set-up 13 s in a CI run). What a file leaves behind (a runtime, changed settings,
          // the Engine client, its data dir) is put back before the next one
          // (server/testing/setup.ts).
          isolate: false,
          env: { SLIPWAY_TEST_SHARED_DB: "1" },
          // One more try for a failed test: npm test runs this tier on a machine kept busy
          // (the unit tier and the CLI suites beside it), and one run of stop 26's CI failed
          // here on a test nobody could name afterwards. A test that passes only on its
          // second try is not hidden: the summary at the end of every run lists it with its
          // first error (scripts/test-summary.mjs), for whoever makes it steady.
          retry: 1,
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          name: "engine-restart",
          include: [engineRestart],
          exclude: ["**/node_modules/**"],
          sequence: { groupOrder: 2 },
        },
      },
      ...(withPlatform
        ? [
            {
              extends: true as const,
              test: {
                name: "platform",
                include: [integration],
                exclude: ["**/node_modules/**"],
                maxWorkers: 2,
                // One more try, as the engine project has: these run at a lower priority
                // beside the Engine tier, and stop 27's CI lost a whole stop to one timing
                // race in cli-run's Ctrl-C test (since made steady). A retried pass is listed
                // in the summary with its first error.
                retry: 1,
                sequence: { groupOrder: 3 },
              },
            },
          ]
        : []),
    ],
  },
});
