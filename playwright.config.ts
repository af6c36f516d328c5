import { defineConfig, devices } from "@playwright/test";
import { isolatedChromium } from "./e2e/browser";

// Runs against a platform that is already started (scripts/test.sh starts it); never
// downloads browsers: Debian's Chromium is used.
export default defineConfig({
  testDir: "./e2e",
  // The browser's forward into its own network namespace (e2e/chromium-netns.sh).
  globalSetup: "./e2e/global-setup.ts",
  outputDir: "./test-results",
  // Two spec files at a time (each signs up its own user and names its apps uniquely; the
  // tests inside a file run in order): the metrics spec's minutes of waiting for its charts
  // overlap the other specs instead of adding to them.
  fullyParallel: false,
  workers: 2,
  // One more try: a spec on the other worker that makes a Docker network changes this host's
  // interfaces, and Chromium then fails this one's requests in flight (ERR_NETWORK_CHANGED),
  // a page load's script chunk included. The summary at the end of npm test lists every test
  // that passed only on its retry, with the error of its failed try.
  retries: 1,
  timeout: 300_000,
  expect: { timeout: 15_000 },
  reporter: "list",
  use: {
    ...devices["Desktop Chrome"],
    baseURL: process.env.SLIPWAY_E2E_BASE_URL ?? "http://localhost:3000",
    viewport: { width: 1440, height: 900 },
    colorScheme: "light",
    // As a user who asked for less motion (app/globals.css stops animations then): headless
    // Chromium draws every frame of an animation in software, and a page with one spinner
    // cost 1.18 s of CPU a second against 0.08 s with it standing still (measured here). The
    // e2e suite is CPU-bound on 2 cores, and its pages show spinners, skeletons and pulsing
    // dots while builds and deploys run.
    reducedMotion: "reduce",
    // A trace of the retry only: recording one for every test (retain-on-failure) cost 40-50 %
    // of the suite's CPU and wall time (three specs, measured twice each: 129-135 s of busy
    // CPU and 72-76 s against 82-91 s and 50-54 s, platform start included).
    trace: "on-first-retry",
    screenshot: "only-on-failure",
    // Debian's Chromium, in a network namespace of its own (e2e/chromium-netns.sh).
    launchOptions: isolatedChromium,
  },
});
