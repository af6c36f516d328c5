#!/usr/bin/env bash
# npm run up — set up whatever is missing on this machine, then run the platform.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/platform.sh"
cd "$SLIPWAY_ROOT"
started=$(_slipway_now)

ensure_node_modules
ensure_docker
ensure_builder_image
ensure_addon_images
ensure_prisma_client
ensure_haproxy

export SLIPWAY_DATA_DIR; SLIPWAY_DATA_DIR=$(slipway_data_dir)
export SLIPWAY_PORT="${SLIPWAY_PORT:-3000}"
export SLIPWAY_PUBLIC_URL="${SLIPWAY_PUBLIC_URL:-http://localhost:$SLIPWAY_PORT}"
export NEXTAUTH_URL="${NEXTAUTH_URL:-$SLIPWAY_PUBLIC_URL}"
export NODE_ENV=production NEXT_TELEMETRY_DISABLED=1
export SLIPWAY_ROUTER_PORT="${SLIPWAY_ROUTER_PORT:-8080}"

# Before migrating: a running Slipway holds the embedded database, and migrate would wait on it.
if curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$SLIPWAY_PORT/" 2>/dev/null; then
  slipway_die "port $SLIPWAY_PORT is already in use (is Slipway already running?). Set SLIPWAY_PORT to use another."
fi
if (exec 3<>"/dev/tcp/127.0.0.1/$SLIPWAY_ROUTER_PORT") 2>/dev/null; then
  slipway_die "the router's port $SLIPWAY_ROUTER_PORT is already in use. Set SLIPWAY_ROUTER_PORT to use another."
fi

migrate_db
ensure_build

slipway_log "starting the platform on port $SLIPWAY_PORT"
next_start -p "$SLIPWAY_PORT" &
server=$!
slipway_log "starting the router on port $SLIPWAY_ROUTER_PORT"
router_start &
router=$!
trap 'kill -TERM "$server" "$router" 2>/dev/null; wait "$server" "$router" 2>/dev/null' INT TERM EXIT
if ! wait_for_http "http://127.0.0.1:$SLIPWAY_PORT/api/health" 120 "$server"; then
  slipway_die "the platform did not start; see the output above"
fi
cat >&2 <<MSG

  Slipway is running (ready in $(_slipway_since "$started")).

    Dashboard:  $SLIPWAY_PUBLIC_URL
    Apps:       http://<app>.${SLIPWAY_BASE_DOMAIN:-localhost}:$SLIPWAY_ROUTER_PORT
    Data:       $SLIPWAY_DATA_DIR
    Heroku CLI: HEROKU_HOST=$SLIPWAY_PUBLIC_URL HEROKU_API_KEY=<key from Account → API keys> heroku apps

  Press Ctrl-C to stop.
MSG
wait "$server"
