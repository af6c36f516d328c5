# shellcheck shell=bash
# Platform steps shared by scripts/up.sh and scripts/test.sh (sourced after lib.sh).

# ensure_prisma_client — the generated client is not committed; (re)generate it when the
# schema is newer than the output.
ensure_prisma_client() {
  local out="$SLIPWAY_ROOT/server/db/generated/client.ts"
  if [[ ! -f "$out" || "$SLIPWAY_ROOT/prisma/schema.prisma" -nt "$out" ]]; then
    slipway_log "generating the Prisma client"
    (cd "$SLIPWAY_ROOT" && DATABASE_URL="${DATABASE_URL:-postgresql://embedded@localhost/slipway}" npx prisma generate >&2)
  fi
}

# migrate_db — applies prisma/migrations to the configured database.
migrate_db() {
  slipway_log "applying database migrations ($([[ -n "${DATABASE_URL:-}" ]] && echo PostgreSQL || echo "embedded PGlite in $(slipway_data_dir)/db"))"
  (cd "$SLIPWAY_ROOT" && npx tsx scripts/migrate.ts deploy >&2)
}

_slipway_source_hash() {
  (cd "$SLIPWAY_ROOT" && { git ls-files -s 2>/dev/null; git diff 2>/dev/null; git ls-files --others --exclude-standard 2>/dev/null | xargs -r sha1sum 2>/dev/null; } | sha1sum | cut -d' ' -f1)
}

# ensure_build — `next build` when there is no build or the sources changed since it.
ensure_build() {
  local stamp="$SLIPWAY_ROOT/.next/slipway-source-hash" hash
  hash=$(_slipway_source_hash)
  if [[ -f "$SLIPWAY_ROOT/.next/BUILD_ID" && -f "$stamp" && "$(cat "$stamp")" == "$hash" ]]; then
    return 0
  fi
  slipway_log "building the dashboard (next build)"
  local start cache="${SLIPWAY_NEXT_BUILD_CACHE:-}"; start=$(_slipway_now)
  # npm test's builds (SLIPWAY_NEXT_BUILD_CACHE set): Turbopack's own cache of the last build on
  # this machine, whatever clone made it, copied in before and kept after (next.config.js turns
  # it on only then: experimental for production builds, so `npm run up` does without). A new
  # clone with one commit more built in ~15 s instead of ~30 s here.
  if [[ -n "$cache" && -d "$cache/turbopack" && ! -d "$SLIPWAY_ROOT/.next/cache/turbopack" ]]; then
    mkdir -p "$SLIPWAY_ROOT/.next/cache"
    cp -a "$cache/turbopack" "$SLIPWAY_ROOT/.next/cache/" || rm -rf "$SLIPWAY_ROOT/.next/cache/turbopack"
  fi
  (cd "$SLIPWAY_ROOT" && NEXT_TELEMETRY_DISABLED=1 npx next build >&2) || slipway_die "next build failed"
  printf '%s\n' "$hash" >"$stamp"
  slipway_log "built in $(_slipway_since "$start")"
  if [[ -n "$cache" && -d "$SLIPWAY_ROOT/.next/cache/turbopack" ]]; then
    # Made under a name of its own, then renamed into place (a copy half-made is never
    # read; one that fails above falls back to a build without it). Not kept past 1 GB.
    local tmp; mkdir -p "$cache"; tmp=$(mktemp -d "$cache/turbopack.XXXXXX")
    if (($(du -sm "$SLIPWAY_ROOT/.next/cache/turbopack" | cut -f1) < 1024)) &&
      cp -a "$SLIPWAY_ROOT/.next/cache/turbopack/." "$tmp/"; then
      rm -rf "$cache/turbopack" && mv -T "$tmp" "$cache/turbopack"
    fi
    rm -rf "$tmp"
  fi
}

# wait_for_http URL SECONDS PID — waits until URL answers 200, or fails if PID dies.
wait_for_http() {
  local url="$1" limit="$2" pid="$3" i
  for ((i = 0; i < limit * 4; i++)); do
    if curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null; then return 0; fi
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.25
  done
  return 1
}

# next_start ARGS... — the Next.js server as this very process (no npx/npm wrapper): a
# wrapper's pid would be killed on exit while the server itself kept running.
next_start() {
  exec node "$SLIPWAY_ROOT/node_modules/next/dist/bin/next" start "$@"
}

# router_start — the router process (server/router/main.ts: the routing table → HAProxy),
# as this very process, like next_start. Reads SLIPWAY_DATA_DIR and SLIPWAY_ROUTER_PORT.
router_start() {
  exec node --import tsx "$SLIPWAY_ROOT/server/router/main.ts"
}

# start_test_platform WORKDIR — the build started on free ports with its own data dir under
# WORKDIR, its server and router in the background (pids in SLIPWAY_TEST_SERVER_PID and
# SLIPWAY_TEST_ROUTER_PID, logs WORKDIR/server.log and router.log). Exports what the CLI
# suites and Playwright read (SLIPWAY_TEST_BASE_URL, SLIPWAY_E2E_BASE_URL, …). Used by
# scripts/test.sh and scripts/with-platform.sh.
start_test_platform() {
  local work="$1" port ports
  # The platform's five listeners, on ports all different (free_ports).
  mapfile -t ports < <(free_ports 5)
  ((${#ports[@]} == 5)) || slipway_die "could not find five free ports on 127.0.0.1"
  port=${ports[0]}
  export SLIPWAY_DATA_DIR="$work/data" SLIPWAY_PORT="$port" SLIPWAY_PUBLIC_URL="http://localhost:$port"
  export NEXTAUTH_URL="$SLIPWAY_PUBLIC_URL" NODE_ENV=production SLIPWAY_SECRET_KEY="test-$(date +%s%N)"
  export SLIPWAY_ADMIN_EMAIL="admin-$port@example.com" SLIPWAY_ADMIN_PASSWORD="admin-pass-$port"
  # bcrypt at cost 4 (~1 ms) instead of 12 (~0.4 s of a core): every suite signs users up and in.
  export SLIPWAY_PASSWORD_COST=4
  # Shorter SIGTERM grace than Heroku's 30 s keeps scale-down and restarts in the suites quick.
  export SLIPWAY_STOP_TIMEOUT_SECONDS=3
  # Metrics sampled every 2 s and router counters read every 3 s: the Metrics e2e fills its charts in minutes.
  # (bench:control-plane:next sets the platform's defaults instead: it measures idle cost.)
  export SLIPWAY_METRICS_INTERVAL_MS=${SLIPWAY_METRICS_INTERVAL_MS:-2000} SLIPWAY_METRICS_ROUTER_INTERVAL_MS=${SLIPWAY_METRICS_ROUTER_INTERVAL_MS:-3000} SLIPWAY_METRICS_ROLLUP_INTERVAL_MS=${SLIPWAY_METRICS_ROLLUP_INTERVAL_MS:-30000}
  export SLIPWAY_INSTALLATION_ID="test-$port-$(date +%s)"
  # The CLI suites deploy the test fixture images (server/testing/*-image.ts) with releases.deployImage.
  export SLIPWAY_BUILD_ALLOWED_IMAGES="slipway-test/*"
  # The e2e and CLI suites' log drain receivers listen on loopback, which drains refuse by default.
  export SLIPWAY_DRAIN_ALLOWED_CIDRS=127.0.0.0/8
  migrate_db
  export SLIPWAY_ROUTER_PORT; SLIPWAY_ROUTER_PORT=${ports[1]}
  export SLIPWAY_ROUTER_HTTPS_PORT; SLIPWAY_ROUTER_HTTPS_PORT=${ports[2]}
  # pg:psql's gateway: a free port of its own, so test platforms and a local PostgreSQL coexist.
  export SLIPWAY_PG_GATEWAY_PORT; SLIPWAY_PG_GATEWAY_PORT=${ports[3]}
  # heroku run's TLS rendezvous; the CLI suites trust its CA (made under the data dir).
  export SLIPWAY_RENDEZVOUS_PORT; SLIPWAY_RENDEZVOUS_PORT=${ports[4]}
  next_start -p "$port" >"$work/server.log" 2>&1 &
  SLIPWAY_TEST_SERVER_PID=$!
  router_start >"$work/router.log" 2>&1 &
  SLIPWAY_TEST_ROUTER_PID=$!
  if ! wait_for_http "http://127.0.0.1:$port/api/health" 120 "$SLIPWAY_TEST_SERVER_PID"; then
    cat "$work/server.log" >&2
    slipway_die "the platform did not start"
  fi
  export SLIPWAY_TEST_BASE_URL="$SLIPWAY_PUBLIC_URL" SLIPWAY_E2E_BASE_URL="$SLIPWAY_PUBLIC_URL" SLIPWAY_TEST_ROUTER_PORT="$SLIPWAY_ROUTER_PORT" SLIPWAY_TEST_ROUTER_HTTPS_PORT="$SLIPWAY_ROUTER_HTTPS_PORT" SLIPWAY_TEST_PG_GATEWAY_PORT="$SLIPWAY_PG_GATEWAY_PORT"
  export SLIPWAY_TEST_ADMIN_EMAIL="$SLIPWAY_ADMIN_EMAIL" SLIPWAY_TEST_ADMIN_PASSWORD="$SLIPWAY_ADMIN_PASSWORD"
}

# stop_test_platform — ends what start_test_platform started, with the installation's
# containers, networks and add-on volumes (dynos outlive a control plane by design; a test
# platform's must not outlive its run).
stop_test_platform() {
  local pid
  for pid in ${SLIPWAY_TEST_SERVER_PID:-} ${SLIPWAY_TEST_ROUTER_PID:-}; do
    kill -TERM "$pid" 2>/dev/null
    # npm test starts the platform in a background group: not this shell's child, so not
    # one `wait` can wait for.
    await_exit "$pid" 20
  done
  if [[ -n "${SLIPWAY_INSTALLATION_ID:-}" ]]; then
    # Its containers, networks, volumes, and its apps' images (never destroyed: the
    # platform's database goes with its work dir).
    remove_installations "^$SLIPWAY_INSTALLATION_ID\$"
    remove_firewall "$SLIPWAY_INSTALLATION_ID"
  fi
}

# remove_firewall INSTALLATION — drops the iptables chains server/runtime/firewall.ts made for
# an installation (SLW-<5 hex of sha256(id)>-IN/-FWD) and the jumps to them.
remove_firewall() {
  local tag parent chain n
  [[ $EUID -eq 0 ]] && command -v iptables >/dev/null || return 0
  tag=$(printf %s "$1" | sha256sum | cut -c1-5)
  for parent in INPUT DOCKER-USER; do
    chain="SLW-$tag-IN"; [[ $parent == DOCKER-USER ]] && chain="SLW-$tag-FWD"
    for n in $(iptables -w 5 -L "$parent" -n --line-numbers 2>/dev/null | awk -v c="$chain" '$2 == c { print $1 }' | sort -rn); do
      iptables -w 5 -D "$parent" "$n" 2>/dev/null || true
    done
    iptables -w 5 -F "$chain" 2>/dev/null || true
    iptables -w 5 -X "$chain" 2>/dev/null || true
  done
}
