#!/usr/bin/env bash
# npm test — set up whatever is missing on this machine, then run every test:
#   1. a production build of the platform (typechecked in step 4)
#   2. `npm run up` itself (scripts/test-up.sh): starts, answers, survives its server being
#      killed, stops cleanly on SIGTERM; and with SLIPWAY_RUNTIME=swarm on the three-node lab
#      (scripts/test-up-swarm.sh: registry started, git push, 200 through the router)
#   3. beside step 2 (which mostly waits): the data-layer tests again on a real PostgreSQL
#      server (throwaway cluster), plus `prisma migrate deploy/status` against it and a check
#      that prisma/migrations and schema.prisma describe the same schema (`migrate diff`)
#   4. the Engine tier (Vitest files that drive the real Docker Engine, one at a time), and
#      beside steps 3 and 4 the typecheck (tsc) and the unit tier (no Engine, the embedded
#      database, one file at a time), taking the CPU the Engine tier leaves idle (about
#      half of it, measured)
#   5. the build started on a free port with its own data dir: the official `heroku` CLI
#      against it, then the Playwright e2e suite in Chromium
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
pg_pid=
unit_pid=
cleanup() {
  local rc=$?
  # errexit stays off here: the server's own exit status (143 after SIGTERM) or a failed
  # docker call must neither replace the run's status nor skip the rest of the cleanup.
  set +e
  [[ -n "${pg_pid:-}" ]] && kill "$pg_pid" 2>/dev/null && wait "$pg_pid" 2>/dev/null
  [[ -n "${unit_pid:-}" ]] && kill "$unit_pid" 2>/dev/null && wait "$unit_pid" 2>/dev/null
  print_phases
  stop_test_platform
  stop_throwaway_postgres "$pg_dir" 2>/dev/null || true
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT INT TERM

# Leftovers of an earlier, interrupted run (test installations are named test-*/bench-*).
docker ps -a --filter label=slipway.managed=1 --format '{{.ID}} {{.Label "slipway.installation"}}' \
  | awk '$2 ~ /^(test|bench)-/ { print $1 }' | xargs -r docker rm -f >/dev/null 2>&1 || true
docker network ls --filter label=slipway.managed=1 --format '{{.ID}} {{.Label "slipway.installation"}}' \
  | awk '$2 ~ /^(test|bench)-/ { print $1 }' | xargs -r docker network rm >/dev/null 2>&1 || true
docker volume ls --filter label=slipway.managed=1 --format '{{.Name}} {{.Label "slipway.installation"}}' \
  | awk '$2 ~ /^(test|bench)-/ { print $1 }' | xargs -r docker volume rm >/dev/null 2>&1 || true

export NEXT_TELEMETRY_DISABLED=1 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
unset DATABASE_URL

step "building the platform"
# tsc checks every file (a superset of what next build checks) beside the Engine tier
# below: the build skips it.
SLIPWAY_TYPECHECKED=1 ensure_build

# The data-layer tests on PostgreSQL run beside the two `npm run up` checks: those mostly
# wait (a swarm lab booting, an image pushed and pulled, a platform starting), these are
# CPU work that needs no Engine. The tests of the data layer (services, tRPC, Platform API,
# migrations, metrics queries) again on a real PostgreSQL server; the ones that drive the
# Docker Engine run in the Engine tier below.
pg_pass() {
  local pg_url
  pg_url=$(start_throwaway_postgres "$pg_dir" "$(free_port)")
  SLIPWAY_TEST_DATABASE_URL="$pg_url" npx vitest run server/services server/trpc server/platform-api scripts/migrations.test.ts \
    server/metrics/store.test.ts server/metrics/router-reader.test.ts \
    --exclude 'server/services/addons.test.ts' --exclude 'server/services/app-setups/**' --exclude 'server/services/nodes.test.ts' \
    --exclude 'server/platform-api/buildpacks.test.ts' \
    --reporter=default --reporter=json --outputFile="$results/vitest-postgres.json"
  DATABASE_URL="$pg_url" npx tsx scripts/migrate.ts deploy
  DATABASE_URL="$pg_url" npx tsx scripts/migrate.ts status
  # Drift: the migrations, applied to an empty shadow database on this server, must give
  # exactly what schema.prisma describes (exit 2 with the difference printed otherwise).
  DATABASE_URL="$pg_url" npx prisma migrate diff --config scripts/migrations-drift.config.ts \
    --from-migrations prisma/migrations --to-schema-datamodel prisma/schema.prisma --exit-code ||
    slipway_die "prisma/migrations and prisma/schema.prisma differ (above): write the missing migration with prisma migrate diff"
  stop_throwaway_postgres "$pg_dir"
}
pg_pass >"$work/pg-pass.log" 2>&1 &
pg_pid=$!

step "npm run up: start, health, server crash, SIGTERM (data-layer tests on PostgreSQL beside it)"
bash scripts/test-up.sh

step "npm run up with SLIPWAY_RUNTIME=swarm: a three-node lab, its registry, git push, 200 through the router"
bash scripts/test-up-swarm.sh

# The unit tier needs no Engine (it cannot reach one: vitest.config.ts) and mostly CPU; the
# Engine tier mostly waits on the Engine (containers starting, images building), and the
# Engine restart test takes the Engine away for a while. So the unit tier runs beside the
# rest of the PostgreSQL pass and the Engine tier, one file at a time: one core of work
# beside steps that leave about one idle. The Engine tier starts once the PostgreSQL pass
# is over, as two of its files drive the Engine.
# The typecheck (tsc, one core for ~20 s) goes first in the same line. All of it at a
# lower CPU priority (nice 5: about a quarter of a core when the Engine tier wants both):
# beside the Engine tier it took ~5 min of the tier's ~12, and at the same priority it
# made the tier ~45 s slower (720 s against 677 s alone).
{
  renice -n 5 -p "$BASHPID" >/dev/null
  typecheck_started=$(_slipway_now)
  if npx tsc --noEmit >"$work/typecheck.log" 2>&1; then
    echo "typecheck passed in $(_slipway_since "$typecheck_started")" >>"$work/typecheck.log"
  else
    echo failed >"$work/typecheck.failed"
  fi
  SLIPWAY_UNIT_WORKERS=1 npx vitest run --project unit --reporter=default --reporter=json --outputFile="$results/vitest-unit.json"
} >"$work/unit-tier.log" 2>&1 &
unit_pid=$!

step "data-layer tests on PostgreSQL: the rest after the up checks (the unit tier beside it)"
pg_rc=0; wait "$pg_pid" || pg_rc=$?
pg_pid=
cat "$work/pg-pass.log" >&2
((pg_rc == 0)) || slipway_die "the data-layer tests on PostgreSQL failed (above)"

step "Engine tier: real Docker Engine, one file at a time (the unit tier beside it)"
engine_rc=0
npx vitest run --project engine --reporter=default --reporter=json --outputFile="$results/vitest-engine.json" || engine_rc=$?

step "typecheck and unit tier: embedded database, no Engine (the rest after the Engine tier)"
unit_rc=0; wait "$unit_pid" || unit_rc=$?
unit_pid=
cat "$work/typecheck.log" "$work/unit-tier.log" >&2
[[ ! -e "$work/typecheck.failed" ]] || slipway_die "the typecheck failed (tsc's errors are above the unit tier's output)"
((engine_rc == 0)) || slipway_die "the Engine tier failed (its output is above the typecheck's)"
((unit_rc == 0)) || slipway_die "the unit tier failed (above)"

step "starting the platform"
start_test_platform "$work"

step "the official heroku CLI against the platform"
SLIPWAY_TEST_HEROKU_BIN="$heroku_bin" npx vitest run .integration.test.ts \
  --reporter=default --reporter=json --outputFile="$results/vitest-cli.json" \
  || { tail -40 "$work/router.log" >&2; tail -40 "$work/server.log" >&2; exit 1; }

step "end-to-end tests in Chromium"
PLAYWRIGHT_JSON_OUTPUT_NAME="$results/playwright.json" \
  npx playwright test --reporter=list,json || { tail -50 "$work/server.log" >&2; exit 1; }

step "done"
node scripts/test-summary.mjs "$results"
