import path from "node:path";
import { defineConfig } from "vitest/config";

const root = path.dirname(new URL(import.meta.url).pathname);

export default defineConfig({
  resolve: {
    alias: {
      "@": root,
      // `server-only` throws outside React Server Components; tests import server code directly.
      "server-only": path.join(root, "server/testing/server-only-stub.ts"),
    },
  },
  test: {
    include: ["server/**/*.test.ts", "scripts/**/*.test.ts", "app/**/*.test.ts", "components/**/*.test.ts"],
    // Tests against a started platform (the real heroku CLI) run only when scripts/test.sh
    // has started one and says where (SLIPWAY_TEST_BASE_URL).
    exclude: ["**/node_modules/**", ...(process.env.SLIPWAY_TEST_BASE_URL ? [] : ["**/*.integration.test.ts"])],
    setupFiles: ["server/testing/setup.ts"],
    globalSetup: ["server/testing/pglite-template.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
