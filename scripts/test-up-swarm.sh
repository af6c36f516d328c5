#!/usr/bin/env bash
# `SLIPWAY_RUNTIME=swarm npm run up` against a real swarm: the multi-node lab (scripts/swarm.sh:
# a manager and two workers, each a real dockerd in a container; never `docker swarm init` on
# this machine's Engine, which would turn off its live-restore for everyone).
#   1. up.sh with SLIPWAY_RUNTIME=swarm and SLIPWAY_SWARM_MANAGER = the lab's manager: it sees
#      a 3-node swarm and no SLIPWAY_REGISTRY, so it starts the platform's registry
#      (start_platform_registry, TLS + auth) on the lab network's gateway address; the nodes
#      are then made to trust its certificate (what an operator does: up.sh says so);
#   2. a user's API key from email:password (POST /oauth/authorizations), an app, a real
#      `git push` of server/build/fixtures/node-zero: built on this machine's Engine, pushed
#      to the registry, run as a Swarm service on the lab;
#   3. the router answers 200 with the app's text for <app>.localhost;
#   4. SIGTERM to up.sh: it exits and stops the registry it started.
# Skips (exit 0, saying why) where this machine cannot run a node's dockerd.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/swarm.sh"
cd "$SLIPWAY_ROOT"

if why=$(swarm_nodes_unavailable); then
  slipway_log "SKIPPED the swarm npm run up check: $why"
  exit 0
fi

name="upsw$(date +%s | tail -c 6)$RANDOM"
dir=$(mktemp -d /tmp/slipway-up-swarm.XXXXXX)
mapfile -t ports < <(free_ports 4)
((${#ports[@]} == 4)) || { echo "slipway: swarm npm run up check failed: no four free ports" >&2; exit 1; }
port=${ports[0]} rport=${ports[1]}
install_id="test-upsw-$port-$(date +%s)"
up= registry=
fail() {
  printf 'slipway: swarm npm run up check failed: %s\n--- up.sh output ---\n' "$*" >&2
  # The start as well as the end: a crash loop's repeated errors would push the set-up
  # (migrations, the swarm check) out of a tail.
  if [[ $(wc -l <"$dir/up.log") -gt 120 ]]; then
    head -n 50 "$dir/up.log" >&2; printf '[…]\n' >&2; tail -n 70 "$dir/up.log" >&2
  else
    cat "$dir/up.log" >&2
  fi || true
  exit 1
}
cleanup() {
  local rc=$?
  set +e
  [[ -n "$up" ]] && kill -TERM "$up" 2>/dev/null && wait "$up" 2>/dev/null
  stop_platform_registry "$dir/data/registry" 2>/dev/null
  [[ -n "$registry" ]] && rm -rf "/etc/docker/certs.d/$registry"
  stop_test_swarm "$name" >/dev/null 2>&1
  docker ps -aq --filter "label=slipway.installation=$install_id" | xargs -r docker rm -f >/dev/null 2>&1
  rm -rf "$dir"
  exit "$rc"
}
trap cleanup EXIT INT TERM
wait_until() { # SECONDS COMMAND… — polls COMMAND every 0.25 s
  local limit=$1 i; shift
  for ((i = 0; i < limit * 4; i++)); do "$@" && return 0; sleep 0.25; done
  return 1
}

started=$(_slipway_now)
start_test_swarm "$name" >"$dir/lab.env"
manager_host=$(sed -n 's/^SLIPWAY_SWARM_DOCKER_HOST=//p' "$dir/lab.env")
node_engines=$(sed -n 's/^SLIPWAY_SWARM_NODES="\(.*\)"$/\1/p' "$dir/lab.env")
gateway=$(docker network inspect -f '{{(index .IPAM.Config 0).Gateway}}' "$name")
slipway_log "lab $name up ($(_slipway_since "$started")): manager $manager_host"

admin="admin-$port@example.com" password="admin-pass-$port"
# Only what a user would set (the lab's own registry settings stay out: up.sh starts one).
env -u DATABASE_URL -u SLIPWAY_PUBLIC_URL -u NEXTAUTH_URL -u SLIPWAY_SECRET_KEY -u NODE_ENV \
  -u SLIPWAY_REGISTRY -u SLIPWAY_REGISTRY_PUSH -u SLIPWAY_REGISTRY_CA -u SLIPWAY_REGISTRY_USER -u SLIPWAY_REGISTRY_PASSWORD \
  SLIPWAY_RUNTIME=swarm SLIPWAY_SWARM_MANAGER="$manager_host" SLIPWAY_SWARM_NODE_ENGINES="$node_engines" \
  SLIPWAY_REGISTRY_ADDR="$gateway" SLIPWAY_REGISTRY_PORT="${ports[3]}" \
  SLIPWAY_ADMIN_EMAIL="$admin" SLIPWAY_ADMIN_PASSWORD="$password" \
  SLIPWAY_DATA_DIR="$dir/data" SLIPWAY_PORT="$port" SLIPWAY_ROUTER_PORT="$rport" SLIPWAY_ROUTER_HTTPS_PORT="${ports[2]}" SLIPWAY_INSTALLATION_ID="$install_id" \
  bash scripts/up.sh >"$dir/up.log" 2>&1 &
up=$!
dashboard() {
  kill -0 "$up" 2>/dev/null || fail "up.sh exited before printing the dashboard URL"
  grep -qE "Dashboard: +http://localhost:$port\$" "$dir/up.log" 2>/dev/null
}
wait_until 240 dashboard || fail "no 'Dashboard: http://localhost:$port' line within 240 s"
grep -q "swarm runtime: manager $manager_host .*3 node(s)" "$dir/up.log" || fail "up.sh did not report the 3-node swarm"
[[ -s "$dir/data/registry/env" ]] || fail "up.sh started no registry for a 3-node swarm"
registry=$(sed -n 's/^SLIPWAY_REGISTRY=//p' "$dir/data/registry/env")
[[ "$registry" == "$gateway:"* ]] || fail "the registry is not on the lab's gateway address: $registry"
# What up.sh asks the operator to do on every node.
for node in "$name-manager" "$name-worker1" "$name-worker2"; do
  trust_platform_registry "$registry" "$dir/data/registry/ca.crt" "$node"
done
slipway_log "swarm npm run up: platform up, registry $registry ($(_slipway_since "$started"))"

base="http://127.0.0.1:$port"
h=(-H "Accept: application/vnd.heroku+json; version=3" -H "Content-Type: application/json")
key=$(curl -fsS "${h[@]}" -u "$admin:$password" -d '{"description":"swarm up check"}' "$base/oauth/authorizations" |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).access_token.token))') ||
  fail "no API key for the admin"
app="upsw-$(date +%s | tail -c 6)"
curl -fsS "${h[@]}" -H "Authorization: Bearer $key" -d "{\"name\":\"$app\"}" "$base/apps" >/dev/null || fail "could not create app $app"

repo="$dir/repo"
cp -r server/build/fixtures/node-zero "$repo"
(
  cd "$repo"
  export HOME="$repo" GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0
  git init -q -b main && git add -A &&
    git -c user.name=Test -c user.email=test@example.com commit -qm "node-zero" &&
    git push -q "http://git:$key@127.0.0.1:$port/$app.git" main
) >"$dir/push.log" 2>&1 || { cat "$dir/push.log" >&2; fail "git push failed"; }
slipway_log "swarm npm run up: pushed $app ($(_slipway_since "$started"))"

answer() { [[ "$(curl -s --max-time 3 -H "Host: $app.localhost" "http://127.0.0.1:$rport/" 2>/dev/null)" == "hello from node-zero" ]]; }
wait_until 180 answer || fail "the router did not answer 200 'hello from node-zero' for $app.localhost within 180 s"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Host: $app.localhost" "http://127.0.0.1:$rport/")
[[ "$code" == 200 ]] || fail "the router answered $code"
services=$(docker -H "$manager_host" service ls -q --filter "label=slipway.installation=$install_id" | wc -l)
((services >= 1)) || fail "no Swarm service of the installation on the lab's manager"
image=$(docker -H "$manager_host" service ls --filter "label=slipway.installation=$install_id" --format '{{.Image}}' | head -1)
[[ "$image" == "$registry/"*"@sha256:"* ]] || fail "the dyno's service does not run the image from the registry by digest: $image"
slipway_log "swarm npm run up: $app answers 200 through the router, served by a Swarm service ($image) ($(_slipway_since "$started"))"

kill -TERM "$up"
wait_until 30 eval '! kill -0 "$up" 2>/dev/null' || fail "up.sh did not exit within 30 s of SIGTERM"
wait "$up" 2>/dev/null || true
up=
[[ ! -s "$dir/data/registry/registry.pid" ]] || fail "up.sh left its registry running"
slipway_log "swarm npm run up check passed in $(_slipway_since "$started")"
