#!/usr/bin/env bash
# The `npm run up` check, run by scripts/test.sh after the build (runnable on its own too):
#   1. `bash scripts/up.sh` with its own ports, data dir and installation id prints the
#      dashboard URL, and /api/health answers there;
#   2. a second up.sh whose port is taken by a listener that answers 404 (the router) stops
#      with the port-in-use message, and one given the same port for two listeners stops too;
#   3. the server killed with SIGKILL: the router (and HAProxy) keep answering, and up.sh
#      restarts the server; the router killed: up.sh restarts it;
#   4. SIGTERM to up.sh: it exits and leaves no server, router or HAProxy process behind.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$SLIPWAY_ROOT"

dir=$(mktemp -d /tmp/slipway-up-check.XXXXXX)
# All different (free_ports): this platform's ports, the second up.sh's, and one more.
mapfile -t ports < <(free_ports 6)
((${#ports[@]} == 6)) || { echo "slipway: npm run up check failed: no six free ports" >&2; exit 1; }
port=${ports[0]} rport=${ports[1]}
install_id="test-up-$port-$(date +%s)"
up=
fail() {
  printf 'slipway: npm run up check failed: %s\n--- up.sh output ---\n' "$*" >&2
  tail -n 60 "$dir/up.log" >&2 || true
  exit 1
}

# Processes that belong to this check's platform: they inherit its SLIPWAY_DATA_DIR. (Names
# do not tell: Next.js renames its process "next-server (v…)".)
ours() { # [NAME] → pids of live processes (named NAME) whose environment has our data dir
  local p
  for p in /proc/[0-9]*; do
    [[ -z "${1:-}" || "$(cat "$p/comm" 2>/dev/null)" == "$1" ]] || continue
    tr '\0' '\n' 2>/dev/null <"$p/environ" | grep -qxF "SLIPWAY_DATA_DIR=$dir/data" || continue
    [[ "$(awk '{print $3}' "$p/stat" 2>/dev/null)" != Z ]] || continue
    printf '%s\n' "${p#/proc/}"
  done
}
child_named() { # PARENT PATTERN → the child of PARENT whose command line matches PATTERN (ERE)
  local c
  for c in $(pgrep -P "$1"); do
    if tr '\0' ' ' <"/proc/$c/cmdline" 2>/dev/null | grep -qE -- "$2"; then printf '%s\n' "$c"; return 0; fi
  done
  return 1
}
wait_until() { # SECONDS COMMAND… — polls COMMAND every 0.25 s
  local limit=$1 i; shift
  for ((i = 0; i < limit * 4; i++)); do "$@" && return 0; sleep 0.25; done
  return 1
}
health() { curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$port/api/health"; }
server_down() { ! health; }
up_gone() { ! kill -0 "$up" 2>/dev/null; }
router_404() {
  [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 -H 'Host: no-such-app.localhost' "http://127.0.0.1:$rport/")" == 404 ]]
}

cleanup() {
  local rc=$? p
  set +e
  [[ -n "$up" ]] && kill -TERM "$up" 2>/dev/null && wait "$up" 2>/dev/null
  for p in $(ours); do kill -KILL "$p" 2>/dev/null; done
  docker ps -aq --filter "label=slipway.installation=$install_id" | xargs -r docker rm -f >/dev/null 2>&1
  rm -rf "$dir"
  exit "$rc"
}
trap cleanup EXIT INT TERM

started=$(_slipway_now)
# Only what a user would set: the rest of this shell's platform settings stay out.
clean_env=(env -u DATABASE_URL -u SLIPWAY_PUBLIC_URL -u NEXTAUTH_URL -u SLIPWAY_SECRET_KEY
  -u SLIPWAY_ADMIN_EMAIL -u SLIPWAY_ADMIN_PASSWORD -u NODE_ENV)
"${clean_env[@]}" SLIPWAY_DATA_DIR="$dir/data" SLIPWAY_PORT="$port" SLIPWAY_ROUTER_PORT="$rport" SLIPWAY_ROUTER_HTTPS_PORT="${ports[2]}" \
  SLIPWAY_INSTALLATION_ID="$install_id" bash scripts/up.sh >"$dir/up.log" 2>&1 &
up=$!

dashboard() {
  kill -0 "$up" 2>/dev/null || fail "up.sh exited before printing the dashboard URL"
  grep -qE "Dashboard: +http://localhost:$port\$" "$dir/up.log"
}
# A fresh PGlite is migrated, then `next start`: measured 75-115 s here while other builds
# and suites shared the 2 cores, hence the generous limit.
wait_until 180 dashboard || fail "no 'Dashboard: http://localhost:$port' line within 180 s"
health || fail "/api/health does not answer on port $port"
wait_until 15 router_404 || fail "the router on port $rport does not answer an unknown host with 404"
slipway_log "npm run up: dashboard and router up in $(_slipway_since "$started")"

# A taken port is refused whatever answers there: the router answers / with a 404.
rc=0
"${clean_env[@]}" SLIPWAY_DATA_DIR="$dir/second" SLIPWAY_PORT="$rport" SLIPWAY_ROUTER_PORT="${ports[3]}" SLIPWAY_ROUTER_HTTPS_PORT="${ports[4]}" \
  timeout 60 bash scripts/up.sh >"$dir/second.log" 2>&1 || rc=$?
[[ $rc -ne 0 ]] && grep -qF "port $rport is already in use" "$dir/second.log" ||
  { cat "$dir/second.log" >&2; fail "a second up.sh on a taken port did not stop with the port-in-use message (exit $rc)"; }
# One port for two listeners (free ones) is refused before anything starts.
rc=0
"${clean_env[@]}" SLIPWAY_DATA_DIR="$dir/third" SLIPWAY_PORT="${ports[5]}" SLIPWAY_ROUTER_PORT="${ports[3]}" SLIPWAY_ROUTER_HTTPS_PORT="${ports[3]}" \
  timeout 60 bash scripts/up.sh >"$dir/third.log" 2>&1 || rc=$?
[[ $rc -ne 0 ]] && grep -qF "SLIPWAY_ROUTER_PORT and SLIPWAY_ROUTER_HTTPS_PORT are both ${ports[3]}" "$dir/third.log" ||
  { cat "$dir/third.log" >&2; fail "up.sh with one port for the router's HTTP and HTTPS listeners did not stop with the port message (exit $rc)"; }

server=$(child_named "$up" '^next-server|next/dist/bin/next') || fail "no Next.js server process under up.sh (pid $up)"
router=$(child_named "$up" server/router/main.ts) || fail "no router process under up.sh (pid $up)"
kill -KILL "$server"
wait_until 5 server_down || fail "the platform still answers after its server was killed"
kill -0 "$router" 2>/dev/null || fail "the router died with the server"
router_404 || fail "the router stopped answering when the server died"
[[ -n "$(ours haproxy)" ]] || fail "HAProxy is gone after the server died"
wait_until 60 health || fail "up.sh did not restart the server within 60 s"
grep -q "restarting the server" "$dir/up.log" || fail "up.sh did not log the server's restart"
[[ "$(child_named "$up" server/router/main.ts)" == "$router" ]] || fail "the router was restarted along with the server"
slipway_log "npm run up: server killed, router kept answering, server restarted ($(_slipway_since "$started"))"

# And the other way round: a killed router is restarted (taking over its orphaned HAProxy).
old_proxy=$(ours haproxy)
kill -KILL "$router"
router_back() { local r; r=$(child_named "$up" server/router/main.ts) && [[ "$r" != "$router" ]]; }
wait_until 30 router_back || fail "up.sh did not restart the router within 30 s"
old_proxy_gone() { local p; for p in $old_proxy; do ! kill -0 "$p" 2>/dev/null || return 1; done; }
wait_until 15 old_proxy_gone || fail "the HAProxy of the killed router is still running: $old_proxy"
wait_until 15 router_404 || fail "the restarted router does not answer"
health || fail "the server stopped answering when the router died"
slipway_log "npm run up: router killed and restarted ($(_slipway_since "$started"))"

kill -TERM "$up"
wait_until 20 up_gone || fail "up.sh did not exit within 20 s of SIGTERM"
wait "$up" 2>/dev/null || true
up=
left=$(ours | tr '\n' ' ')
[[ -z "$left" ]] || fail "processes left after up.sh stopped: $left"
slipway_log "npm run up check passed in $(_slipway_since "$started")"
