#!/usr/bin/env bash
# npm run up — set up whatever is missing on this machine, then run the platform.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/platform.sh"
cd "$SLIPWAY_ROOT"
started=$(_slipway_now)

export SLIPWAY_DATA_DIR; SLIPWAY_DATA_DIR=$(slipway_data_dir)
export SLIPWAY_PORT="${SLIPWAY_PORT:-3000}"
export SLIPWAY_ROUTER_PORT="${SLIPWAY_ROUTER_PORT:-8080}"
# HTTPS at the router (443 in production; 0 turns it off).
export SLIPWAY_ROUTER_HTTPS_PORT="${SLIPWAY_ROUTER_HTTPS_PORT:-8443}"
# The dashboard and API on HTTPS under their own name (README: Production): the router sends
# SLIPWAY_DASHBOARD_HOST to this server; the public URL (and with it next-auth's secure
# cookies) becomes https://HOST, and the router on loopback is the proxy whose
# X-Forwarded-For names the client.
if [[ -n "${SLIPWAY_DASHBOARD_HOST:-}" ]]; then
  [[ "$SLIPWAY_ROUTER_HTTPS_PORT" != 0 ]] || slipway_die "SLIPWAY_DASHBOARD_HOST needs the router's HTTPS listener (SLIPWAY_ROUTER_HTTPS_PORT is 0)"
  _dashboard_port=":$SLIPWAY_ROUTER_HTTPS_PORT"; [[ "$SLIPWAY_ROUTER_HTTPS_PORT" == 443 ]] && _dashboard_port=
  export SLIPWAY_PUBLIC_URL="${SLIPWAY_PUBLIC_URL:-https://$SLIPWAY_DASHBOARD_HOST$_dashboard_port}"
  export SLIPWAY_TRUSTED_PROXIES="${SLIPWAY_TRUSTED_PROXIES:-127.0.0.1}"
fi
export SLIPWAY_PUBLIC_URL="${SLIPWAY_PUBLIC_URL:-http://localhost:$SLIPWAY_PORT}"
export NEXTAUTH_URL="${NEXTAUTH_URL:-$SLIPWAY_PUBLIC_URL}"
export NODE_ENV=production NEXT_TELEMETRY_DISABLED=1

# Each listener needs a port of its own: HAProxy binds with SO_REUSEPORT, so the router's
# HTTP and HTTPS listeners given one port would both bind it, and the kernel would hand
# each connection to either (plain requests failing on the TLS one at random).
_ports=()
for _name in SLIPWAY_PORT SLIPWAY_ROUTER_PORT SLIPWAY_ROUTER_HTTPS_PORT SLIPWAY_RENDEZVOUS_PORT SLIPWAY_PG_GATEWAY_PORT; do
  _value=${!_name:-}
  case "$_name" in
    SLIPWAY_RENDEZVOUS_PORT) _value=${_value:-5443} ;;
    SLIPWAY_PG_GATEWAY_PORT) _value=${_value:-5432} ;;
  esac
  [[ "$_value" != 0 ]] || continue
  for _other in "${_ports[@]}"; do
    [[ "${_other#*=}" != "$_value" ]] || slipway_die "${_other%%=*} and $_name are both $_value: each of the platform's listeners needs a port of its own."
  done
  _ports+=("$_name=$_value")
done

# Before migrating: a running Slipway holds the embedded database, and migrate would wait on it.
# Any listener is a conflict, whatever it answers (a 404, a redirect, or no HTTP at all).
if port_in_use "$SLIPWAY_PORT"; then
  slipway_die "port $SLIPWAY_PORT is already in use (is Slipway already running?). Set SLIPWAY_PORT to use another."
fi
if port_in_use "$SLIPWAY_ROUTER_PORT"; then
  slipway_die "the router's port $SLIPWAY_ROUTER_PORT is already in use. Set SLIPWAY_ROUTER_PORT to use another."
fi
if [[ "$SLIPWAY_ROUTER_HTTPS_PORT" != 0 ]] && port_in_use "$SLIPWAY_ROUTER_HTTPS_PORT"; then
  slipway_die "the router's HTTPS port $SLIPWAY_ROUTER_HTTPS_PORT is already in use. Set SLIPWAY_ROUTER_HTTPS_PORT to use another (0: no HTTPS)."
fi

ensure_node_modules
ensure_docker
SLIPWAY_SWARM_REGISTRY_DIR=
if [[ "${SLIPWAY_RUNTIME:-engine}" == swarm ]]; then
  source "$(dirname "$0")/swarm.sh"
  ensure_swarm_runtime
fi
ensure_builder_image
ensure_addon_images
ensure_prisma_client
ensure_haproxy

migrate_db
ensure_build

# Supervision: the router (and its HAProxy) must outlive the control plane, so a crashed
# server is restarted on its own, after 1 s, 2 s, 4 s … (at most 30 s; back to 1 s once it
# has run a minute), and a crashed router likewise. Ctrl-C or SIGTERM stops both.
server= router= stopping= pausing=
start_server() { next_start -p "$SLIPWAY_PORT" & server=$!; server_since=$SECONDS; }
start_router() { router_start & router=$!; router_since=$SECONDS; }
# A backoff pause that a Ctrl-C interrupts at once (a foreground sleep would delay the trap).
pause() { sleep "$1" & pausing=$!; wait "$pausing" || true; pausing=; }
stop_all() {
  stopping=1
  trap - INT TERM EXIT
  slipway_log "stopping"
  kill -TERM $server $router $pausing 2>/dev/null || true
  wait $server $router $pausing 2>/dev/null || true
  # The registry this run started goes with it (the next run starts it again, same data).
  if [[ -n "$SLIPWAY_SWARM_REGISTRY_DIR" ]]; then stop_platform_registry "$SLIPWAY_SWARM_REGISTRY_DIR"; fi
}
trap 'stop_all; exit 0' INT TERM
trap 'stop_all' EXIT

slipway_log "starting the platform on port $SLIPWAY_PORT"
start_server
slipway_log "starting the router on port $SLIPWAY_ROUTER_PORT"
start_router
if ! wait_for_http "http://127.0.0.1:$SLIPWAY_PORT/api/health" 120 "$server"; then
  slipway_die "the platform did not start; see the output above"
fi
cat >&2 <<MSG

  Slipway is running (ready in $(_slipway_since "$started")).

    Dashboard:  $SLIPWAY_PUBLIC_URL
    Apps:       http://<app>.${SLIPWAY_BASE_DOMAIN:-localhost}:$SLIPWAY_ROUTER_PORT (HTTPS: port $SLIPWAY_ROUTER_HTTPS_PORT)
    Data:       $SLIPWAY_DATA_DIR
    Heroku CLI: $(if [[ "$SLIPWAY_PUBLIC_URL" == https://* ]]; then echo "HEROKU_API_KEY=<key from Account → API keys> node scripts/heroku-remote.mjs --url $SLIPWAY_PUBLIC_URL -- apps"; else echo "HEROKU_HOST=$SLIPWAY_PUBLIC_URL HEROKU_API_KEY=<key from Account → API keys> heroku apps"; fi)

  Press Ctrl-C to stop.
MSG

# respawn server|router WHAT [NOTE] — after the process exited: back off, start it again.
respawn() {
  local -n backoff="$1_backoff" since="$1_since" pid="$1"
  (( SECONDS - since > 60 )) && backoff=1
  slipway_log "$2 (pid $exited) exited with status $rc${3-}; restarting the $1 in ${backoff} s"
  pause "$backoff"
  backoff=$(( backoff * 2 > 30 ? 30 : backoff * 2 ))
  "start_$1"
  slipway_log "$2 restarted (pid $pid)"
}

server_backoff=1 router_backoff=1
while true; do
  exited= rc=0
  wait -n -p exited "$server" "$router" || rc=$?
  [[ -n "$stopping" ]] && break
  [[ -n "$exited" ]] || continue # interrupted by a signal whose trap returned
  if [[ "$exited" == "$server" ]]; then
    respawn server "the platform server" "; the router keeps routing"
  else
    respawn router "the router"
  fi
done
