#!/bin/sh
# The e2e suite's Chromium (playwright.config.ts's executablePath): Debian's, in a network
# namespace of its own when this machine allows one (root: the tests' case), reaching this
# host's loopback through a SOCKS5 proxy (e2e/chromium-netns.mjs; e2e/global-setup.ts).
#
# Why: Chromium fails the requests it has in flight (ERR_NETWORK_CHANGED) whenever an
# interface of its network namespace gains an address, and on a Slipway host that is every new
# app network another spec (or the Engine tier) makes. An upload's POST lost that way failed
# a spec's first try in two CI runs of three. In a namespace of its own, no interface changes.
if [ -n "${SLIPWAY_E2E_FORWARD_SOCKET:-}" ] && command -v ip >/dev/null 2>&1 && unshare --net true 2>/dev/null; then
  exec unshare --net -- node "$(dirname "$0")/chromium-netns.mjs" "$@"
fi
exec /usr/bin/chromium "$@"
