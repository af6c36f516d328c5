#!/usr/bin/env bash
# with-platform.sh COMMAND [ARGS...] — builds the platform if its sources changed, starts it
# on free ports with a throwaway data dir (as npm test does), runs COMMAND against it, and
# stops it with everything it started. For running one CLI suite or one e2e spec:
#   bash scripts/with-platform.sh npx vitest run server/platform-api/cli-teams.integration.test.ts
#   bash scripts/with-platform.sh npx playwright test e2e/access.spec.ts
# COMMAND sees SLIPWAY_TEST_BASE_URL, SLIPWAY_E2E_BASE_URL, SLIPWAY_TEST_ADMIN_EMAIL/_PASSWORD.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/platform.sh"
cd "$SLIPWAY_ROOT"
[[ $# -gt 0 ]] || slipway_die "usage: with-platform.sh COMMAND [ARGS...]"
ensure_prisma_client
export NEXT_TELEMETRY_DISABLED=1 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
unset DATABASE_URL
ensure_build
work=$(mktemp -d /tmp/slipway-platform.XXXXXX)
trap 'rc=$?; set +e; stop_test_platform; [[ $rc -ne 0 ]] && tail -30 "$work/server.log" >&2; rm -rf "$work"; exit $rc' EXIT INT TERM
start_test_platform "$work"
slipway_log "platform at $SLIPWAY_TEST_BASE_URL (router on $SLIPWAY_ROUTER_PORT); running: $*"
"$@"
