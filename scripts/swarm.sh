# shellcheck shell=bash
# A multi-node Docker Swarm test lab on one machine, and the platform's own image registry.
# Source it (it sources lib.sh):
#
#   source scripts/swarm.sh
#   start_test_swarm lab-1          # prints KEY=VALUE settings (also exported, and kept in
#                                   # $SLIPWAY_SWARM_RUN_DIR/lab-1/env)
#   ref=$(swarm_push_image lab-1 slipway-test/fixture-app:abc fixture-app)   # REGISTRY/REPO@sha256:…
#   stop_test_swarm lab-1
#
# Each node is a real dockerd (Debian's docker.io, images/swarm-node) in its own container on
# a dedicated bridge network NAME; `docker swarm init` on NAME-manager, the workers
# NAME-worker1, NAME-worker2 join with the real join token. Each node's Engine is reachable
# from the host only, through a unix socket in a bind-mounted directory
# ($SLIPWAY_SWARM_RUN_DIR/NAME/<node>/docker.sock): nothing on the test network can reach it.
#
# The registry (start_platform_registry: Debian's docker-registry, the CNCF distribution
# registry 2.8) is what `npm run up` runs on the manager when the swarm has several nodes: TLS
# with its own self-signed certificate (IP SAN), htpasswd auth, bound to one address. Engines
# trust it through /etc/docker/certs.d/ADDR:PORT/ca.crt (read per pull: no restart, no
# insecure-registries). The lab runs one on the host bound to the lab network's gateway
# address (the host is the manager side: the platform and its builds run there), puts its
# certificate in the host's and every node's certs.d, and services pull by digest with the
# credentials passed at service creation (X-Registry-Auth, `--with-registry-auth`).
#
# What was found on this machine (Engine 20.10, kernel 6.18, 2 cores):
# - `--privileged` fails here ("unable to apply caps"): CAP_SYS_RESOURCE is not in this
#   machine's bounding set. Nodes then run with every other capability, seccomp/AppArmor
#   unconfined, unmasked /proc and /sys, all devices allowed; their entry point remounts /sys
#   and their own cgroup hierarchies writable (nested containers' cgroups nest under the node's).
#   Elsewhere --privileged is used (probed once per shell).
# - Storage: overlay2 on the node's /var/lib/docker volume works (the volume is on the host's
#   ext4, so overlay is not stacked on overlayfs); vfs also works but copies every layer.
# - The kernel has no IP_VS: Swarm's VIP load balancing and the ingress routing mesh do NOT
#   work (published ingress ports and service VIPs time out). Services must use
#   endpoint_mode dnsrr, and ports published in mode host.
# - The host cannot reach overlay-network task addresses: the overlay (10.0.0.0/8 pools)
#   lives in network namespaces inside the nodes; on the host those addresses have no route but
#   the default gateway, so never probe them from the host.
# - Routing designs for a host-side HAProxy router, both tried here:
#   (a) host-mode published ports per task (PublishedPort 0 → Swarm picks a port per task,
#       read from Task.Status.PortStatus): the host reaches NODE_IP:PORT directly. Works.
#   (b) a router container on the manager attached to each app's attachable overlay network
#       reaches every task (on any node) by its overlay address through VXLAN. Works, but
#       only from inside a container joined to that overlay, not from a process on the host.
#   Both are exercised on the lab: (a) by server/runtime/drivers/swarm.test.ts (every web dyno
#   answers at NODE_IP:PORT), and overlay reachability across nodes by
#   server/addons/swarm-addons.test.ts (a dyno on one node, its add-on on another).
#
# Settings (environment):
#   SLIPWAY_SWARM_NODE_IMAGE  node image tag (default slipway/swarm-node:bookworm)
#   SLIPWAY_SWARM_RUN_DIR     where node sockets and lab env files go (default /run/slipway-swarm)
#   SLIPWAY_SWARM_STORAGE     the nodes' storage driver (default: overlay2 when an overlay mount
#                             works on the node's volume, else vfs)
#   SLIPWAY_SWARM_HEARTBEAT   swarm dispatcher heartbeat, e.g. 1s (default: Swarm's 5s; a dead
#                             node is declared down after about 3 heartbeats)
#   SLIPWAY_SWARM_KEEP_IMAGES 1 (default): what a lab's Engines pulled and its registry holds
#                             outlives the lab, for the next one (see "Kept between labs"); 0:
#                             every lab starts empty

if [[ -n "${_SLIPWAY_SWARM_LOADED:-}" ]]; then return 0; fi
_SLIPWAY_SWARM_LOADED=1
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

: "${SLIPWAY_SWARM_NODE_IMAGE:=slipway/swarm-node:bookworm}"
: "${SLIPWAY_SWARM_RUN_DIR:=/run/slipway-swarm}"

# --- The platform's registry ------------------------------------------------------------

# start_platform_registry DIR ADDR [PORT] — runs Debian's docker-registry on ADDR:PORT (default
# port 5000) with TLS and htpasswd auth, its blobs in DIR/data. On first start DIR gets a
# self-signed certificate for ADDR (DIR/ca.crt: what every Engine that pushes or pulls puts
# in /etc/docker/certs.d/ADDR:PORT/ca.crt) and a random password for user "slipway"
# (DIR/password). A registry already running from DIR is stopped first. Prints, and writes
# to DIR/env:
#   SLIPWAY_REGISTRY=ADDR:PORT  SLIPWAY_REGISTRY_CA=DIR/ca.crt
#   SLIPWAY_REGISTRY_USER=slipway  SLIPWAY_REGISTRY_PASSWORD=…
start_platform_registry() {
  [[ $# -eq 2 || $# -eq 3 ]] || slipway_die "usage: start_platform_registry DIR ADDR [PORT]"
  local dir="$1" addr="$2" port="${3:-5000}" start password pid i code="" san
  [[ -n "$dir" && -n "$addr" ]] || slipway_die "start_platform_registry: DIR and ADDR must not be empty"
  [[ "$dir" = /* ]] || dir="$PWD/$dir"
  command -v docker-registry >/dev/null 2>&1 || ensure_apt docker-registry
  command -v htpasswd >/dev/null 2>&1 || ensure_apt apache2-utils
  command -v openssl >/dev/null 2>&1 || ensure_apt openssl
  start=$(_slipway_now)
  stop_platform_registry "$dir"
  mkdir -p "$dir/data"
  chmod 700 "$dir"
  if [[ ! -s "$dir/ca.crt" || "$(cat "$dir/addr" 2>/dev/null)" != "$addr" ]]; then
    if [[ "$addr" =~ ^[0-9.]+$ ]]; then san="IP:$addr"; else san="DNS:$addr"; fi
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
      -subj "/CN=slipway-registry" -addext "subjectAltName=$san" -addext "basicConstraints=critical,CA:TRUE" \
      -keyout "$dir/registry.key" -out "$dir/ca.crt" >/dev/null 2>&1 ||
      slipway_die "openssl could not make the registry's certificate"
    printf '%s\n' "$addr" >"$dir/addr"
  fi
  if [[ ! -s "$dir/password" ]]; then
    (umask 077 && openssl rand -hex 24 >"$dir/password")
  fi
  password=$(cat "$dir/password")
  htpasswd -nbB slipway "$password" >"$dir/htpasswd" 2>/dev/null || slipway_die "htpasswd failed"
  {
    printf 'version: 0.1\n'
    printf 'log:\n  level: warn\n  accesslog:\n    disabled: true\n'
    printf 'storage:\n  filesystem:\n    rootdirectory: %s/data\n  delete:\n    enabled: true\n' "$dir"
    printf 'http:\n  addr: %s:%s\n  secret: %s\n' "$addr" "$port" "$(openssl rand -hex 16)"
    printf '  tls:\n    certificate: %s/ca.crt\n    key: %s/registry.key\n' "$dir" "$dir"
    printf 'auth:\n  htpasswd:\n    realm: slipway-registry\n    path: %s/htpasswd\n' "$dir"
  } >"$dir/config.yml"
  printf '\n==== %s slipway: starting docker-registry on %s:%s\n' "$(date -Is)" "$addr" "$port" >>"$dir/registry.log"
  if [[ -n "${_SLIPWAY_SWARM_KEPT_FD:-}" ]]; then
    # Not the kept stores' lock (start_test_swarm holds it): it would stay held while this runs.
    nohup setsid -w docker-registry serve "$dir/config.yml" >>"$dir/registry.log" 2>&1 </dev/null {_SLIPWAY_SWARM_KEPT_FD}>&- &
  else
    nohup setsid -w docker-registry serve "$dir/config.yml" >>"$dir/registry.log" 2>&1 </dev/null &
  fi
  pid=$!
  disown "$pid" 2>/dev/null || true
  printf '%s\n' "$pid" >"$dir/registry.pid"
  for ((i = 0; i < 100; i++)); do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 --cacert "$dir/ca.crt" "https://$addr:$port/v2/" 2>/dev/null || true)
    [[ "$code" == 401 ]] && break
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 5 "$dir/registry.log" >&2
      slipway_die "docker-registry exited; see $dir/registry.log"
    fi
    sleep 0.1
  done
  [[ "$code" == 401 ]] || slipway_die "docker-registry does not answer on https://$addr:$port/v2/ (got ${code:-nothing})"
  (
    umask 077
    printf 'SLIPWAY_REGISTRY=%s:%s\n' "$addr" "$port"
    printf 'SLIPWAY_REGISTRY_CA=%s/ca.crt\n' "$dir"
    printf 'SLIPWAY_REGISTRY_USER=slipway\n'
    printf 'SLIPWAY_REGISTRY_PASSWORD=%s\n' "$password"
  ) >"$dir/env"
  chmod 600 "$dir/env"
  slipway_log "registry on https://$addr:$port (TLS, auth; data $dir/data) in $(_slipway_since "$start")"
  cat "$dir/env"
}

# stop_platform_registry DIR — stops the registry started from DIR (no-op if none runs).
stop_platform_registry() {
  [[ $# -eq 1 && -n "$1" ]] || slipway_die "usage: stop_platform_registry DIR"
  local pid i
  pid=$(cat "$1/registry.pid" 2>/dev/null || true)
  if _slipway_pid_is "$pid" docker-registry; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do _slipway_pid_is "$pid" docker-registry || break; sleep 0.1; done
    if _slipway_pid_is "$pid" docker-registry; then kill -KILL "$pid" 2>/dev/null || true; fi
  fi
  rm -f "$1/registry.pid"
}

# trust_platform_registry ADDR:PORT CA [CONTAINER] — makes an Engine trust the registry's
# certificate: the host's Engine, or (CONTAINER) the one inside a lab node.
trust_platform_registry() {
  [[ $# -eq 2 || $# -eq 3 ]] || slipway_die "usage: trust_platform_registry ADDR:PORT CA [CONTAINER]"
  [[ "$1" =~ ^[A-Za-z0-9.-]+:[0-9]+$ ]] || slipway_die "trust_platform_registry: not ADDR:PORT: '$1'"
  if [[ $# -eq 2 ]]; then
    mkdir -p "/etc/docker/certs.d/$1" && cp "$2" "/etc/docker/certs.d/$1/ca.crt"
  else
    # shellcheck disable=SC2016
    docker exec -i "$3" sh -c 'mkdir -p "/etc/docker/certs.d/$1" && cat >"/etc/docker/certs.d/$1/ca.crt"' sh "$1" <"$2"
  fi || slipway_die "cannot install the registry's certificate for $1${3:+ in $3}"
}

# --- npm run up with SLIPWAY_RUNTIME=swarm ----------------------------------------------

# ensure_swarm_runtime — for `SLIPWAY_RUNTIME=swarm npm run up`: checks that the Engine at
# SLIPWAY_SWARM_MANAGER (default: this machine's) is a swarm manager, and when images must
# travel (the swarm has more than one node, or its one node is not this machine's Engine,
# where builds run) and no SLIPWAY_REGISTRY is given, starts the platform's registry
# (start_platform_registry) in $SLIPWAY_DATA_DIR/registry on SLIPWAY_REGISTRY_ADDR (default:
# the manager's swarm address), makes this machine's Engine (the builds push from it) trust
# it, and exports its SLIPWAY_REGISTRY* settings for the server. Every node must trust it too:
# the function prints where its certificate is and where it goes on each node. It never
# runs `docker swarm init` (that would turn off this Engine's live-restore): a swarm is made
# by whoever runs the machines. Sets SLIPWAY_SWARM_REGISTRY_DIR when it started a registry.
ensure_swarm_runtime() {
  local manager="${SLIPWAY_SWARM_MANAGER:-}" state nodes ready addr dir here there
  local d=(docker)
  [[ -n "$manager" ]] && d+=(-H "$manager")
  state=$("${d[@]}" info -f '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}} {{.Swarm.NodeAddr}}' 2>/dev/null) ||
    slipway_die "SLIPWAY_RUNTIME=swarm: the Engine at ${manager:-this machine} does not answer (set SLIPWAY_SWARM_MANAGER to a swarm manager's Engine, unix:// or tcp://)"
  read -r state ready addr <<<"$state"
  if [[ "$state" != active || "$ready" != true ]]; then
    slipway_die "SLIPWAY_RUNTIME=swarm: the Engine at ${manager:-this machine} is not a swarm manager (swarm state: $state). Make one with \`docker swarm init\` there (Slipway does not: it would turn off live-restore), or point SLIPWAY_SWARM_MANAGER at a manager."
  fi
  nodes=$("${d[@]}" node ls -q | wc -l)
  slipway_log "swarm runtime: manager ${manager:-this machine} ($addr), $nodes node(s)"
  if [[ -n "${SLIPWAY_REGISTRY:-}" ]]; then
    slipway_log "swarm runtime: images go through the given registry $SLIPWAY_REGISTRY"
    return 0
  fi
  here=$(docker info -f '{{.ID}}' 2>/dev/null || true)
  there=$("${d[@]}" info -f '{{.ID}}' 2>/dev/null || true)
  if ((nodes < 2)) && [[ "$here" == "$there" ]]; then
    slipway_log "swarm runtime: one node, this machine's Engine: no registry needed (dynos run the images built here)"
    return 0
  fi
  addr="${SLIPWAY_REGISTRY_ADDR:-$addr}"
  dir="$SLIPWAY_DATA_DIR/registry"
  start_platform_registry "$dir" "$addr" "${SLIPWAY_REGISTRY_PORT:-5000}" >/dev/null
  set -a
  # shellcheck disable=SC1091
  source "$dir/env"
  set +a
  trust_platform_registry "$SLIPWAY_REGISTRY" "$dir/ca.crt"
  SLIPWAY_SWARM_REGISTRY_DIR="$dir"
  slipway_log "swarm runtime: every node must trust the registry: copy $dir/ca.crt to /etc/docker/certs.d/$SLIPWAY_REGISTRY/ca.crt on each (read per pull, no restart)"
}

# --- The lab ----------------------------------------------------------------------------


# ensure_swarm_node_image — builds $SLIPWAY_SWARM_NODE_IMAGE (images/swarm-node: the stack
# plus Debian's docker.io) when a file of its directory or the stack
# image changed.
ensure_swarm_node_image() {
  ensure_stack_image
  ensure_stack_derived_image "$SLIPWAY_ROOT/images/swarm-node" "$SLIPWAY_SWARM_NODE_IMAGE" org.slipway.swarm-node "the swarm node image" "docker.io from Debian's mirror"
}

# The `docker run` arguments that let a node run dockerd: --privileged where the machine
# allows it, else every capability this machine has with confinement off (see the top).
_SLIPWAY_SWARM_SECURITY=()
_swarm_security_args() {
  [[ ${#_SLIPWAY_SWARM_SECURITY[@]} -gt 0 ]] && return 0
  if docker run --rm --privileged --entrypoint true "$SLIPWAY_SWARM_NODE_IMAGE" >/dev/null 2>&1; then
    _SLIPWAY_SWARM_SECURITY=(--privileged)
  else
    _SLIPWAY_SWARM_SECURITY=(--cap-add ALL --security-opt seccomp=unconfined --security-opt apparmor=unconfined
      --security-opt systempaths=unconfined "--device-cgroup-rule=a *:* rwm")
    local have bit
    have=$((16#$(awk '/^CapBnd:/ { print $2 }' /proc/self/status)))
    # Drop every capability the bounding set lacks (runc refuses to grant them).
    local -a names=(CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID SETUID SETPCAP
      LINUX_IMMUTABLE NET_BIND_SERVICE NET_BROADCAST NET_ADMIN NET_RAW IPC_LOCK IPC_OWNER SYS_MODULE
      SYS_RAWIO SYS_CHROOT SYS_PTRACE SYS_PACCT SYS_ADMIN SYS_BOOT SYS_NICE SYS_RESOURCE SYS_TIME
      SYS_TTY_CONFIG MKNOD LEASE AUDIT_WRITE AUDIT_CONTROL SETFCAP MAC_OVERRIDE MAC_ADMIN SYSLOG
      WAKE_ALARM BLOCK_SUSPEND AUDIT_READ PERFMON BPF CHECKPOINT_RESTORE)
    for bit in "${!names[@]}"; do
      (( (have >> bit) & 1 )) || _SLIPWAY_SWARM_SECURITY+=(--cap-drop "${names[$bit]}")
    done
  fi
}

# swarm_nodes_unavailable — prints why this machine cannot run lab nodes and returns 0, or
# prints nothing and returns 1 when it can (a node container can mount cgroups writable and
# create a cgroup: what a nested dockerd needs).
swarm_nodes_unavailable() {
  local out
  ensure_swarm_node_image
  _swarm_security_args
  # shellcheck disable=SC2016
  if ! out=$(docker run --rm "${_SLIPWAY_SWARM_SECURITY[@]}" --entrypoint sh "$SLIPWAY_SWARM_NODE_IMAGE" -c '
      set -e
      if grep -q " /sys/fs/cgroup/memory cgroup ro[,]" /proc/mounts; then mount -o remount,bind,rw /sys/fs/cgroup/memory; fi
      d=$(ls -d /sys/fs/cgroup/memory 2>/dev/null || echo /sys/fs/cgroup)
      mkdir "$d/slipway-probe" && rmdir "$d/slipway-probe"' 2>&1); then
    printf 'a swarm node container cannot run dockerd here (docker run %s): %s\n' "${_SLIPWAY_SWARM_SECURITY[*]}" "$(printf '%s' "$out" | tail -n 3 | tr '\n' ' ')"
    return 0
  fi
  return 1
}

_swarm_name_ok() {
  [[ "$1" =~ ^[a-z0-9][a-z0-9-]{0,40}$ ]] || slipway_die "swarm lab name must be [a-z0-9-], at most 41 characters: '$1'"
}

_swarm_node_ip() { # CONTAINER NETWORK
  docker inspect -f "{{with index .NetworkSettings.Networks \"$2\"}}{{.IPAddress}}{{end}}" "$1"
}

_swarm_wait_engine() { # CONTAINER SOCKET — until the node's Engine answers (30 s)
  local i
  for ((i = 0; i < 300; i++)); do
    if [[ -S "$2" ]] && docker -H "unix://$2" version >/dev/null 2>&1; then return 0; fi
    if [[ "$(docker inspect -f '{{.State.Running}}' "$1" 2>/dev/null)" != true ]]; then
      docker logs --tail 20 "$1" >&2 2>&1 || true
      slipway_die "swarm node $1 exited before its Engine answered"
    fi
    sleep 0.1
  done
  docker logs --tail 20 "$1" >&2 2>&1 || true
  slipway_die "swarm node $1: its Engine did not answer within 30 s"
}

# --- Kept between labs -------------------------------------------------------------------
#
# A fresh lab pushes every image to a fresh registry, and each node pulls and unpacks it
# again: the stack's layers cost ~20 s before a lab's first dyno answers and ~45 s before its
# first add-on does, three labs per npm test. With SLIPWAY_SWARM_KEEP_IMAGES=1 (the default)
# two things outlive a lab, for the next one on this machine:
# - each node role's /var/lib/docker (named volumes slipway-swarm-images-manager, -worker1,
#   -worker2): the node's entry point drops the old swarm state before dockerd starts, and
#   start_test_swarm removes the old containers, volumes and networks once it answers, so
#   only images and layers carry over (a pull then finds its layers: "Already exists");
# - the lab registry's data, password and certificate ($SLIPWAY_CACHE_DIR/swarm-lab-registry),
#   served on this machine's own address (every lab network reaches it) at a port kept with
#   it. The host's Engine remembers which layers it pushed to that
#   address with those credentials, so the next push sends only what is new.
# What is pushed and pulled is still pushed and pulled, by digest, over TLS with auth: only
# layers already there are not sent again. A lab that finds a store or the registry in use
# by another lab (two at once) gets fresh ones, as before. Each store is emptied after
# $_SLIPWAY_SWARM_KEEP_USES labs, so old app images do not pile up.
_SLIPWAY_SWARM_KEEP_USES=30

# _swarm_keep_images → true when kept stores are on.
_swarm_keep_images() { [[ "${SLIPWAY_SWARM_KEEP_IMAGES:-1}" == 1 ]]; }

# _swarm_kept_uses FILE → true when the store counted in FILE may be used once more (and
# counts this use); false (the count reset) when it has served its share and must be emptied.
_swarm_kept_uses() {
  local n
  n=$(cat "$1" 2>/dev/null || echo 0)
  [[ "$n" =~ ^[0-9]+$ ]] || n=0
  if ((n >= _SLIPWAY_SWARM_KEEP_USES)); then
    echo 1 >"$1"
    return 1
  fi
  echo $((n + 1)) >"$1"
}

# _swarm_image_store ROLE → the named volume a node of role ROLE mounts on /var/lib/docker,
# or nothing (an anonymous volume, as the image declares) when kept stores are off or the
# volume is mounted by a running or stopped container of another lab. Call with the kept
# stores lock held (start_test_swarm).
_swarm_image_store() {
  local vol="slipway-swarm-images-$1" mountpoint
  _swarm_keep_images || return 0
  [[ -z "$(docker ps -aq --filter "volume=$vol")" ]] || return 0
  # One that has served its share of labs is emptied by removing it (made again below).
  if mountpoint=$(docker volume inspect -f '{{.Mountpoint}}' "$vol" 2>/dev/null) && ! _swarm_kept_uses "$mountpoint/.slipway-uses"; then
    docker volume rm "$vol" >/dev/null 2>&1 || return 0
  fi
  docker volume create --label slipway.swarm-image-store=1 "$vol" >/dev/null 2>&1 || return 0
  mountpoint=$(docker volume inspect -f '{{.Mountpoint}}' "$vol" 2>/dev/null) || return 0
  # A new one: this lab is its first use.
  [[ -e "$mountpoint/.slipway-uses" ]] || echo 1 >"$mountpoint/.slipway-uses"
  printf '%s\n' "$vol"
}

# _swarm_empty_node SOCKET — removes what an earlier lab left in a kept store: containers,
# volumes (an add-on's data) and networks. Its images stay.
_swarm_empty_node() {
  local d=(docker -H "unix://$1")
  "${d[@]}" ps -aq | xargs -r "${d[@]}" rm -f -v >/dev/null 2>&1 || true
  "${d[@]}" volume prune -f >/dev/null 2>&1 || true
  "${d[@]}" network prune -f >/dev/null 2>&1 || true
}

# _swarm_kept_registry → the directory and address ("DIR ADDR PORT") of the kept lab
# registry, or nothing when kept stores are off, this machine has no usable address, or another lab's
# registry is running from it. Call with the kept stores lock held.
_swarm_kept_registry() {
  local dir addr port pid
  _swarm_keep_images || return 0
  # This machine's own address (its default route's source): every lab network reaches it
  # through its gateway. Not docker0's: each node's Engine has a docker0 of its own at the
  # same address. Not one in Docker's default pools either (a node's networks may take it).
  addr=$(ip -4 route get 1.1.1.1 2>/dev/null | sed -n 's/.* src \([0-9.]*\).*/\1/p' | head -n 1)
  [[ "$addr" =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$ ]] || return 0
  [[ "$addr" =~ ^(172\.(1[6-9]|2[0-9]|3[01])|192\.168|127)\. ]] && return 0
  dir="$(_slipway_cache_dir)/swarm-lab-registry"
  mkdir -p "$dir"
  pid=$(cat "$dir/registry.pid" 2>/dev/null || true)
  if _slipway_pid_is "$pid" docker-registry; then return 0; fi
  if ! _swarm_kept_uses "$dir/uses"; then
    rm -rf "$dir/data" "$dir/port"
  fi
  port=$(cat "$dir/port" 2>/dev/null || true)
  if ! [[ "$port" =~ ^[0-9]+$ ]] || (exec 3<>"/dev/tcp/$addr/$port") 2>/dev/null; then
    port=$(free_port)
    printf '%s\n' "$port" >"$dir/port"
  fi
  printf '%s %s %s\n' "$dir" "$addr" "$port"
}

# start_test_swarm NAME — a manager and two workers (containers NAME-manager, NAME-worker1,
# NAME-worker2 on bridge network NAME) and the platform's registry on the host at the
# network's gateway address, trusted by the host's Engine and every node's; waits until
# every node is Ready. Removes an earlier lab of the same name first. Prints and exports:
#   SLIPWAY_SWARM_NAME           NAME
#   SLIPWAY_SWARM_DOCKER_HOST    unix:///…/NAME/manager/docker.sock — the manager's Engine
#   SLIPWAY_SWARM_MANAGER_IP     the manager's address on the test network
#   SLIPWAY_SWARM_NODES          "HOSTNAME=IP=unix://SOCKET …" per node (hostname = container
#                                name = the swarm node's Description.Hostname)
#   SLIPWAY_SWARM_SUBNET         the test network's subnet
#   SLIPWAY_REGISTRY, SLIPWAY_REGISTRY_CA, SLIPWAY_REGISTRY_USER, SLIPWAY_REGISTRY_PASSWORD
#                                the registry (GATEWAY_IP:PORT; see start_platform_registry)
#   SLIPWAY_SWARM_REGISTRY, SLIPWAY_SWARM_REGISTRY_PUSH  = SLIPWAY_REGISTRY (older names)
start_test_swarm() {
  [[ $# -eq 1 ]] || slipway_die "usage: start_test_swarm NAME"
  local name="$1" start why subnet gateway registry dir node mip token pids=() pid i
  _swarm_name_ok "$name"
  start=$(_slipway_now)
  ensure_docker
  ensure_swarm_node_image
  if why=$(swarm_nodes_unavailable); then slipway_die "$why"; fi
  _swarm_security_args # again in this shell: the check above ran in a subshell
  stop_test_swarm "$name"
  dir="$SLIPWAY_SWARM_RUN_DIR/$name"
  mkdir -p "$dir"
  docker network create --label "slipway.swarm-lab=$name" "$name" >/dev/null ||
    slipway_die "cannot create network $name"
  subnet=$(docker network inspect -f '{{(index .IPAM.Config 0).Subnet}}' "$name")
  gateway=$(docker network inspect -f '{{(index .IPAM.Config 0).Gateway}}' "$name")
  local nodes=("$name-manager" "$name-worker1" "$name-worker2") store kept reg_dir reg_addr reg_port _SLIPWAY_SWARM_KEPT_FD
  # Kept stores (above) are claimed under a lock: two labs starting at once never share one.
  exec {kept}>"$SLIPWAY_SWARM_RUN_DIR/.kept.lock"
  flock "$kept"
  _SLIPWAY_SWARM_KEPT_FD=$kept
  for node in "${nodes[@]}"; do
    mkdir -p "$dir/${node#"$name-"}"
    store=$(_swarm_image_store "${node#"$name-"}")
    local mounts=(-v "$dir/${node#"$name-"}:/run/slipway-node")
    [[ -n "$store" ]] && mounts+=(-v "$store:/var/lib/docker")
    docker run -d --init --name "$node" --hostname "$node" --network "$name" \
      --label "slipway.swarm-lab=$name" "${_SLIPWAY_SWARM_SECURITY[@]}" "${mounts[@]}" \
      -e "SLIPWAY_NODE_STORAGE=${SLIPWAY_SWARM_STORAGE:-}" \
      "$SLIPWAY_SWARM_NODE_IMAGE" >/dev/null || slipway_die "cannot start swarm node $node"
  done
  # The registry starts while the nodes' Engines do (a port free on loopback is taken as
  # free on the gateway address too): the kept one when it is free, else one of this lab's
  # own on the lab network's gateway.
  read -r reg_dir reg_addr reg_port <<<"$(_swarm_kept_registry)"
  if [[ -n "$reg_dir" ]]; then
    start_platform_registry "$reg_dir" "$reg_addr" "$reg_port" >/dev/null
    ln -sfn "$reg_dir" "$dir/registry"
    cp "$reg_dir/registry.pid" "$dir/kept-registry.pid" # what stop_test_swarm may stop
  else
    start_platform_registry "$dir/registry" "$gateway" "$(free_port)" >/dev/null
  fi
  exec {kept}>&-
  _SLIPWAY_SWARM_KEPT_FD=
  registry=$(sed -n 's/^SLIPWAY_REGISTRY=//p' "$dir/registry/env")
  printf '%s\n' "$registry" >"$dir/host-certs"
  trust_platform_registry "$registry" "$dir/registry/ca.crt"
  for node in "${nodes[@]}"; do
    _swarm_wait_engine "$node" "$dir/${node#"$name-"}/docker.sock"
    _swarm_empty_node "$dir/${node#"$name-"}/docker.sock"
    trust_platform_registry "$registry" "$dir/registry/ca.crt" "$node"
  done
  mip=$(_swarm_node_ip "$name-manager" "$name")
  local m=(docker -H "unix://$dir/manager/docker.sock")
  local init=(swarm init --advertise-addr "$mip" --listen-addr "$mip:2377")
  [[ -n "${SLIPWAY_SWARM_HEARTBEAT:-}" ]] && init+=(--dispatcher-heartbeat "$SLIPWAY_SWARM_HEARTBEAT")
  "${m[@]}" "${init[@]}" >/dev/null || slipway_die "docker swarm init failed on $name-manager"
  token=$("${m[@]}" swarm join-token -q worker)
  for node in "${nodes[@]:1}"; do
    local ip; ip=$(_swarm_node_ip "$node" "$name")
    docker -H "unix://$dir/${node#"$name-"}/docker.sock" swarm join --advertise-addr "$ip" --token "$token" "$mip:2377" >/dev/null &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid" || slipway_die "a worker of $name could not join the swarm"; done
  for ((i = 0; i < 300; i++)); do
    [[ "$("${m[@]}" node ls --format '{{.Status}}' | grep -c '^Ready$')" == "${#nodes[@]}" ]] && break
    sleep 0.1
  done
  [[ $i -lt 300 ]] || slipway_die "not every node of $name was Ready within 30 s"
  local nodes_env=""
  for node in "${nodes[@]}"; do
    nodes_env+="${nodes_env:+ }$node=$(_swarm_node_ip "$node" "$name")=unix://$dir/${node#"$name-"}/docker.sock"
  done
  {
    printf 'SLIPWAY_SWARM_NAME=%s\n' "$name"
    printf 'SLIPWAY_SWARM_DOCKER_HOST=unix://%s/manager/docker.sock\n' "$dir"
    printf 'SLIPWAY_SWARM_MANAGER_IP=%s\n' "$mip"
    printf 'SLIPWAY_SWARM_NODES="%s"\n' "$nodes_env"
    printf 'SLIPWAY_SWARM_SUBNET=%s\n' "$subnet"
    cat "$dir/registry/env"
    # The names of the first version, when the registry ran inside the manager node.
    printf 'SLIPWAY_SWARM_REGISTRY=%s\nSLIPWAY_SWARM_REGISTRY_PUSH=%s\n' "$registry" "$registry"
  } >"$dir/env"
  chmod 600 "$dir/env"
  set -a
  # shellcheck disable=SC1091
  source "$dir/env"
  set +a
  slipway_log "swarm lab $name: 3 nodes Ready ($("${m[@]}" info -f '{{.Driver}}') storage), manager $mip, registry $registry, in $(_slipway_since "$start")"
  cat "$dir/env"
}

# stop_test_swarm NAME — removes the lab's containers (with their volumes), its network, its
# registry (process, data, the host's certs.d entry) and its run directory. Tolerates a lab
# that is partly or not at all there.
stop_test_swarm() {
  [[ $# -eq 1 ]] || slipway_die "usage: stop_test_swarm NAME"
  local name="$1" dir reg
  _swarm_name_ok "$name"
  dir="${SLIPWAY_SWARM_RUN_DIR:?}/$name"
  docker ps -aq --filter "label=slipway.swarm-lab=$name" | xargs -r docker rm -f -v >/dev/null 2>&1 || true
  docker network ls -q --filter "label=slipway.swarm-lab=$name" | xargs -r docker network rm >/dev/null 2>&1 || true
  if [[ -L "$dir/registry" ]]; then
    # The kept registry: stopped only if it is still the process this lab started (a lab
    # swept long after its end must not stop a newer lab's).
    if [[ "$(cat "$dir/registry/registry.pid" 2>/dev/null)" == "$(cat "$dir/kept-registry.pid" 2>/dev/null)" ]]; then
      stop_platform_registry "$dir/registry"
    fi
  else
    stop_platform_registry "$dir/registry"
  fi
  reg=$(cat "$dir/host-certs" 2>/dev/null || true)
  if [[ "$reg" =~ ^[0-9.]+:[0-9]+$ ]]; then rm -rf "/etc/docker/certs.d/$reg"; fi
  rm -rf "$dir"
}

# swarm_load_image NAME IMAGE... — copies host images into every node's Engine
# (docker save | docker load; no registry involved).
swarm_load_image() {
  [[ $# -ge 2 ]] || slipway_die "usage: swarm_load_image NAME IMAGE..."
  local name="$1" tmp sock pids=() pid
  shift
  tmp=$(mktemp "${TMPDIR:-/tmp}/slipway-swarm-load.XXXXXX")
  docker save "$@" -o "$tmp" || { rm -f "$tmp"; slipway_die "docker save $* failed"; }
  for sock in "$SLIPWAY_SWARM_RUN_DIR/$name"/*/docker.sock; do
    docker -H "unix://$sock" load -q -i "$tmp" >/dev/null &
    pids+=($!)
  done
  local rc=0
  for pid in "${pids[@]}"; do wait "$pid" || rc=1; done
  rm -f "$tmp"
  [[ $rc -eq 0 ]] || slipway_die "loading $* into the nodes of $name failed"
}

# swarm_push_image NAME IMAGE REPO — pushes a host image to the lab's registry as REPO and
# prints the reference services pull it by: REGISTRY/REPO@sha256:… (The docker CLI logs in
# with a config directory of the lab's own, not the user's ~/.docker.)
swarm_push_image() {
  [[ $# -eq 3 ]] || slipway_die "usage: swarm_push_image NAME IMAGE REPO"
  local name="$1" image="$2" repo="$3" dir registry tag digest
  dir="$SLIPWAY_SWARM_RUN_DIR/$name"
  [[ -f "$dir/registry/env" ]] || slipway_die "no swarm lab $name (start_test_swarm first)"
  registry=$(sed -n 's/^SLIPWAY_REGISTRY=//p' "$dir/registry/env")
  export DOCKER_CONFIG="$dir/docker-config"
  if [[ ! -f "$DOCKER_CONFIG/config.json" ]]; then
    docker login -u slipway --password-stdin "$registry" <"$dir/registry/password" >/dev/null ||
      slipway_die "docker login to $registry failed"
  fi
  tag="$registry/$repo:$(docker image inspect -f '{{.Id}}' "$image" | cut -d: -f2 | cut -c1-12)"
  docker tag "$image" "$tag" || slipway_die "docker tag $image failed"
  digest=$(docker push "$tag" | sed -n 's/.* digest: \(sha256:[0-9a-f]*\) .*/\1/p' | tail -n 1)
  docker rmi "$tag" >/dev/null 2>&1 || true # the tag only: the image stays
  [[ -n "$digest" ]] || slipway_die "pushing $image to $registry failed"
  printf '%s/%s@%s\n' "$registry" "$repo" "$digest"
}

# sweep_stale_test_swarms PREFIX MINUTES — stops the labs whose name starts with PREFIX and
# that were started more than MINUTES ago (leftovers of interrupted runs; a lab that a run
# of the same kind still uses is younger than that).
sweep_stale_test_swarms() {
  [[ $# -eq 2 && -n "$1" && "$2" =~ ^[0-9]+$ ]] || slipway_die "usage: sweep_stale_test_swarms PREFIX MINUTES"
  local prefix="$1" cutoff name created d
  cutoff=$(($(date +%s) - $2 * 60))
  {
    docker ps -a --filter label=slipway.swarm-lab --format '{{.Label "slipway.swarm-lab"}}|{{.CreatedAt}}' |
      while IFS='|' read -r name created; do
        created=$(date -d "${created% *}" +%s 2>/dev/null || echo 0)
        [[ "$name" == "$prefix"* && "$created" -lt "$cutoff" ]] && printf '%s\n' "$name"
      done
    for d in "$SLIPWAY_SWARM_RUN_DIR/$prefix"*/; do
      [[ -d "$d" && "$(stat -c %Y "$d")" -lt "$cutoff" ]] && basename "$d"
    done
  } | sort -u | while read -r name; do
    if [[ "$name" =~ ^[a-z0-9][a-z0-9-]{0,40}$ ]]; then
      slipway_log "removing stale swarm lab $name"
      stop_test_swarm "$name"
    fi
  done
}
