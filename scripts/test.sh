#!/usr/bin/env bash
# npm test — set up whatever is missing on this machine, then run every test:
#   1. a production build of the platform (typechecked beside step 2)
#   2. the Engine restart test, alone: it restarts dockerd
#   3. the Engine tier (Vitest files that drive the real Docker Engine, one at a time)
#   4. beside it: `npm run up` itself (scripts/test-up.sh): starts, answers, survives its
#      server being killed, stops cleanly on SIGTERM; and with SLIPWAY_RUNTIME=swarm on the
#      three-node lab (scripts/test-up-swarm.sh: registry started, git push, 200 through the
#      router)
#   5. beside steps 3 and 4, which mostly wait on the Engine, at a lower priority: the
#      data-layer tests again on a real PostgreSQL server, the unit tier (no Engine, the
#      embedded database, one file at a time), then the build started on free ports and the
#      official `heroku` CLI against it
#   6. the Playwright e2e suite in Chromium against that platform
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/platform.sh"
cd "$SLIPWAY_ROOT"
started=$(_slipway_now)

# Each phase's duration, printed as a table at the end (and on failure, up to where it stopped).
phases=()
phase_name=""
phase_start=""
end_phase() {
  [[ -n "$phase_name" ]] && phases+=("$(_slipway_since "$phase_start" | awk '{ printf "%7.1f s", $1 }')  $phase_name")
  phase_name=""
}
step() {
  end_phase
  phase_name="$*"; phase_start=$(_slipway_now)
  slipway_log "── $* ($(_slipway_since "$started"))"
}
print_phases() {
  end_phase
  printf '\nnpm test, phase by phase:\n' >&2
  printf '  %s\n' "${phases[@]}" >&2
  if [[ -f "$work/beside.phases" ]]; then
    printf '  beside them, at a lower priority:\n' >&2
    sed 's/\t/  /; s/^/    /' "$work/beside.phases" >&2
  fi
  printf '  %s  total\n' "$(_slipway_since "$started" | awk '{ printf "%7.1f s", $1 }')" >&2
}
step "setting up what is missing"

ensure_node_modules
ensure_docker
ensure_builder_image
ensure_addon_images
ensure_postgres_binaries
ensure_chromium
ensure_haproxy
ensure_pebble
heroku_bin=$(ensure_heroku_cli)
ensure_prisma_client

work=$(mktemp -d /tmp/slipway-test.XXXXXX)
chmod 755 "$work" # the throwaway PostgreSQL runs as user postgres
results="$work/results"; mkdir -p "$results"
pg_dir="$work/pg"
tsc_pid=
beside_pid=
up_pid=
cleanup() {
  local rc=$?
  # errexit stays off here: the server's own exit status (143 after SIGTERM) or a failed
  # docker call must neither replace the run's status nor skip the rest of the cleanup.
  set +e
  [[ -n "${tsc_pid:-}" ]] && kill_tree "$tsc_pid"
  [[ -n "${beside_pid:-}" ]] && kill_tree "$beside_pid"
  [[ -n "${up_pid:-}" ]] && kill_tree "$up_pid"
  ((rc == 0)) || node scripts/test-summary.mjs "$results" --failures >&2
  print_phases
  # The platform the background group started (its pids and installation are in platform.env).
  [[ -f "$work/platform.env" ]] && source "$work/platform.env"
  stop_test_platform
  stop_throwaway_postgres "$pg_dir" 2>/dev/null || true
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT INT TERM

# Leftovers of earlier runs: interrupted ones, and the apps a test platform never destroys
# (test installations are named test-*/bench-*).
remove_installations '^(test|bench)-'

export NEXT_TELEMETRY_DISABLED=1 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
unset DATABASE_URL

step "building the platform"
# tsc checks every file (a superset of what next build checks) beside the steps below: the
# build skips it.
SLIPWAY_TYPECHECKED=1 SLIPWAY_NEXT_BUILD_CACHE="$(_slipway_cache_dir)/next-build" ensure_build

# The typecheck: one core for ~30 s, beside the Engine restart test (which mostly waits).
# Incremental (tsconfig.json): the last passing check's tsconfig.tsbuildinfo on this machine,
# whatever clone made it, is copied in, so only files that changed since (and what depends
# on them) are checked again: 7 s of CPU instead of 32 s for a clone with no change. Its paths
# are relative to the clone; tsc checks every file's content hash and ignores a buildinfo of
# another TypeScript version. Kept after a check that passed, under a name of its own and
# renamed into place.
tsc_cache="$(_slipway_cache_dir)/typecheck"
{
  renice -n 5 -p "$BASHPID" >/dev/null
  typecheck_started=$(_slipway_now)
  [[ -f tsconfig.tsbuildinfo || ! -f "$tsc_cache/tsconfig.tsbuildinfo" ]] || cp "$tsc_cache/tsconfig.tsbuildinfo" . || rm -f tsconfig.tsbuildinfo
  if npx tsc --noEmit >"$work/typecheck.log" 2>&1; then
    echo "typecheck passed in $(_slipway_since "$typecheck_started")" >>"$work/typecheck.log"
    if [[ -f tsconfig.tsbuildinfo ]] && mkdir -p "$tsc_cache" && cp tsconfig.tsbuildinfo "$tsc_cache/.tsbuildinfo.$BASHPID"; then
      mv -f "$tsc_cache/.tsbuildinfo.$BASHPID" "$tsc_cache/tsconfig.tsbuildinfo"
    fi
  else
    echo failed >"$work/typecheck.failed"
  fi
} &
tsc_pid=$!

# The Engine restart test takes the Engine away for a while: it runs before anything else
# drives the Engine (the up checks, the PostgreSQL pass, the Engine tier, the CLI's platform).
step "Engine restart test: alone, as it restarts dockerd (the typecheck beside it)"
engine_rc=0
npx vitest run --project engine-restart \
  --reporter=default --reporter=json --outputFile="$results/vitest-engine-restart.json" || engine_rc=$?

# Beside the up checks and the Engine tier (both mostly wait on the Engine: images pushed,
# swarm nodes booting, containers starting; the Engine tier leaves ~30-50 % of the CPU idle,
# measured), one line of CPU work at a lower priority (nice 5: about a quarter of a core
# when the foreground wants both), each step's status in a file:
#   1. the data-layer tests again on a real PostgreSQL server (services, tRPC, Platform API,
#      migrations, metrics queries), `prisma migrate deploy/status` against it and a check
#      that prisma/migrations and schema.prisma describe the same schema (`migrate diff`);
#   2. the unit tier (no Engine: it cannot reach one, vitest.config.ts; the embedded
#      database; one file at a time);
#   3. the build started on free ports, and the official `heroku` CLI against it. Its
#      environment goes to platform.env, for the e2e suite after the Engine tier and for
#      the cleanup.
# Measured before this line existed: the unit tier beside the Engine tier at the same
# priority made the tier ~45 s slower (720 s against 677 s alone), hence nice 5.
beside() {
  local name="$1" started rc=0; shift
  started=$(_slipway_now)
  "$@" >"$work/$name.log" 2>&1 || rc=$?
  printf '%s\t%s\n' "$(_slipway_since "$started" | awk '{ printf "%7.1f s", $1 }')" "$name" >>"$work/beside.phases"
  echo "$rc" >"$work/$name.rc"
  return "$rc"
}
pg_pass() {
  local pg_url rc=0
  pg_url=$(start_throwaway_postgres "$pg_dir" "$(free_port)")
  # The unit tier's files under these folders, then the three Engine-tier files of the data
  # layer (they start a dyno or read the Engine; the Engine tier runs them on the embedded
  # database as well).
  SLIPWAY_TEST_DATABASE_URL="$pg_url" npx vitest run --project unit --project unit-isolated server/services server/trpc server/platform-api \
    scripts/migrations.test.ts server/metrics/router-reader.test.ts \
    --reporter=default --reporter=json --outputFile="$results/vitest-postgres.json" || rc=$?
  SLIPWAY_TEST_DATABASE_URL="$pg_url" npx vitest run --project engine server/services/activity.test.ts \
    server/platform-api/formation.test.ts server/metrics/store.test.ts \
    --reporter=default --reporter=json --outputFile="$results/vitest-postgres-engine.json" || rc=$?
  DATABASE_URL="$pg_url" npx tsx scripts/migrate.ts deploy || rc=$?
  DATABASE_URL="$pg_url" npx tsx scripts/migrate.ts status || rc=$?
  # Drift: the migrations, applied to an empty shadow database on this server, must give
  # exactly what schema.prisma describes (exit 2 with the difference printed otherwise).
  DATABASE_URL="$pg_url" npx prisma migrate diff --config scripts/migrations-drift.config.ts \
    --from-migrations prisma/migrations --to-schema-datamodel prisma/schema.prisma --exit-code || {
    rc=$?
    echo "slipway: prisma/migrations and prisma/schema.prisma differ (above): write the missing migration with prisma migrate diff"
  }
  stop_throwaway_postgres "$pg_dir"
  return "$rc"
}
unit_tier() {
  SLIPWAY_UNIT_WORKERS=1 npx vitest run --project unit --project unit-isolated --reporter=default --reporter=json --outputFile="$results/vitest-unit.json"
}
cli_suites() {
  local before rc=0
  before=$(export -p)
  start_test_platform "$work"
  { comm -13 <(sort <<<"$before") <(export -p | sort)
    printf 'SLIPWAY_TEST_SERVER_PID=%s SLIPWAY_TEST_ROUTER_PID=%s\n' "$SLIPWAY_TEST_SERVER_PID" "$SLIPWAY_TEST_ROUTER_PID"; } >"$work/platform.env"
  SLIPWAY_TEST_HEROKU_BIN="$heroku_bin" npx vitest run .integration.test.ts \
    --reporter=default --reporter=json --outputFile="$results/vitest-cli.json" || rc=$?
  if ((rc != 0)); then tail -40 "$work/router.log"; tail -40 "$work/server.log"; fi
  return "$rc"
}
{
  renice -n 5 -p "$BASHPID" >/dev/null
  beside "data-layer tests on PostgreSQL" pg_pass || true
  beside "unit tier" unit_tier || true
  beside "heroku CLI suites" cli_suites || true
} &
beside_pid=$!

# `npm run up` itself, beside the Engine tier: both checks mostly wait (the platform booting,
# a swarm lab's nodes, an image pushed and pulled), and before the Engine tier they cost it
# ~70 s of a run's critical path. At the same lower priority as the line below, so they do
# not take CPU from the tier's first files, which include timing checks (router.test). Their
# output is printed after the tier.
{
  renice -n 5 -p "$BASHPID" >/dev/null
  beside "npm run up (start, health, server crash, SIGTERM)" bash scripts/test-up.sh || true
  beside "npm run up on a swarm lab (its registry, git push, 200 through the router)" \
    bash scripts/test-up-swarm.sh || true
} &
up_pid=$!

step "Engine tier: real Docker Engine, one file at a time (npm run up checks, PostgreSQL pass, unit tier, CLI suites beside it)"
npx vitest run --project engine \
  --reporter=default --reporter=json --outputFile="$results/vitest-engine.json" || engine_rc=$?

step "npm run up checks, PostgreSQL pass, unit tier, CLI suites: the rest after the Engine tier"
wait "$up_pid" || true
up_pid=
wait "$tsc_pid" || true
tsc_pid=
wait "$beside_pid" || true
beside_pid=
failed=()
[[ ! -e "$work/typecheck.failed" ]] || failed+=("the typecheck")
((engine_rc == 0)) || failed+=("the Engine tier")
for name in "npm run up (start, health, server crash, SIGTERM)" \
  "npm run up on a swarm lab (its registry, git push, 200 through the router)" \
  "data-layer tests on PostgreSQL" "unit tier" "heroku CLI suites"; do
  printf '\n── %s ──\n' "$name" >&2
  cat "$work/$name.log" >&2 2>/dev/null || true
  [[ "$(cat "$work/$name.rc" 2>/dev/null)" == 0 ]] || failed+=("the $name")
done
cat "$work/typecheck.log" >&2
((${#failed[@]} == 0)) || slipway_die "failed: $(IFS=,; echo "${failed[*]}" | sed 's/,/, /g') (output above: the Engine tier's first, then each of these)"

# The e2e suite against the platform the CLI suites used, at full priority again, after the
# Engine tier: the CPU is the limit. Tried (stop 31), with the browser in a network namespace
# of its own (e2e/chromium-netns.sh: the tier's Docker networks no longer fail its requests):
# e2e right after the CLI suites, beside the tier's end. The machine stayed at 188-199 % of
# 200 %, the tier took 675 s instead of 590 s and e2e 205 s instead of 171 s: 801.9 s in all
# against 808.2 s. Two lines beside the Engine tier instead of one were tried too (stop 29):
# the tier took 824 s instead of 726 s.
source "$work/platform.env"
for pid in $(tree_pids "$SLIPWAY_TEST_SERVER_PID") $(tree_pids "$SLIPWAY_TEST_ROUTER_PID"); do
  renice -n 0 -p "$pid" >/dev/null 2>&1 || true
done

step "end-to-end tests in Chromium"
PLAYWRIGHT_JSON_OUTPUT_NAME="$results/playwright.json" \
  npx playwright test --reporter=list,json || { tail -50 "$work/server.log" >&2; exit 1; }

step "done"
node scripts/test-summary.mjs "$results"
