// How the e2e suite starts Debian's Chromium (never a downloaded browser).
import { fileURLToPath } from "node:url";

const args = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** In a network namespace of its own (e2e/chromium-netns.sh): what every spec uses. */
export const isolatedChromium = { executablePath: fileURLToPath(new URL("./chromium-netns.sh", import.meta.url)), args };

/**
 * In this host's own network namespace, where a new Docker network fails Chromium's requests
 * in flight (ERR_NETWORK_CHANGED): for a spec that proves the dashboard survives that.
 */
export const hostChromium = { executablePath: "/usr/bin/chromium", args };
