# shellcheck shell=bash
# A multi-node Docker Swarm test lab on one machine. Source it (it sources lib.sh):
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
# The platform's registry (Debian's docker-registry, distribution 2.8) runs inside the manager
# node on :5000: nodes pull from MANAGER_IP:5000 (trusted over plain HTTP through dockerd's
# --insecure-registry for the test network's subnet only: acceptable in this harness, not in
# production, where it needs TLS); the host Engine pushes to 127.0.0.1:<published port>
# (loopback registries are trusted by default), and a digest is the same under both names.
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
#   Figures are in server/runtime/swarm-lab.test.ts's output.
#
# Settings (environment):
#   SLIPWAY_SWARM_NODE_IMAGE  node image tag (default slipway/swarm-node:bookworm)
#   SLIPWAY_SWARM_RUN_DIR     where node sockets and lab env files go (default /run/slipway-swarm)
#   SLIPWAY_SWARM_STORAGE     the nodes' storage driver (default: overlay2 when an overlay mount
#                             works on the node's volume, else vfs)
#   SLIPWAY_SWARM_HEARTBEAT   swarm dispatcher heartbeat, e.g. 1s (default: Swarm's 5s; a dead
#                             node is declared down after about 3 heartbeats)

if [[ -n "${_SLIPWAY_SWARM_LOADED:-}" ]]; then return 0; fi
_SLIPWAY_SWARM_LOADED=1
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

: "${SLIPWAY_SWARM_NODE_IMAGE:=slipway/swarm-node:bookworm}"
: "${SLIPWAY_SWARM_RUN_DIR:=/run/slipway-swarm}"

# ensure_swarm_node_image — builds $SLIPWAY_SWARM_NODE_IMAGE (images/swarm-node: the stack
# plus Debian's docker.io and docker-registry) when a file of its directory or the stack
# image changed.
ensure_swarm_node_image() {
  local dir="$SLIPWAY_ROOT/images/swarm-node" tag="$SLIPWAY_SWARM_NODE_IMAGE" want have start
  ensure_stack_image
  want=$({ (cd "$dir" && find . -type f | LC_ALL=C sort | xargs sha256sum); docker image inspect -f '{{.Id}}' "$SLIPWAY_STACK_IMAGE"; } | sha256sum | cut -c1-16)
  have=$(docker image inspect -f '{{index .Config.Labels "org.slipway.swarm-node"}}' "$tag" 2>/dev/null || true)
  [[ "$have" == "$want" ]] && return 0
  _slipway_lock /run/lock/slipway-swarm-node-image.lock
  have=$(docker image inspect -f '{{index .Config.Labels "org.slipway.swarm-node"}}' "$tag" 2>/dev/null || true)
  if [[ "$have" == "$want" ]]; then _slipway_unlock; return 0; fi
  start=$(_slipway_now)
  slipway_log "building the swarm node image $tag (docker.io and docker-registry from Debian's mirror)"
  docker build -q --build-arg "STACK=$SLIPWAY_STACK_IMAGE" --label "org.slipway.swarm-node=$want" -t "$tag" "$dir" >&2 ||
    { _slipway_unlock; slipway_die "building $tag failed"; }
  slipway_log "swarm node image $tag built in $(_slipway_since "$start")"
  _slipway_unlock
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

# start_test_swarm NAME — a manager and two workers (containers NAME-manager, NAME-worker1,
# NAME-worker2 on bridge network NAME), the registry on the manager; waits until every node
# is Ready. Removes an earlier lab of the same name first. Prints and exports:
#   SLIPWAY_SWARM_NAME           NAME
#   SLIPWAY_SWARM_DOCKER_HOST    unix:///…/NAME/manager/docker.sock — the manager's Engine
#   SLIPWAY_SWARM_MANAGER_IP     the manager's address on the test network
#   SLIPWAY_SWARM_NODES          "HOSTNAME=IP=unix://SOCKET …" per node (hostname = container
#                                name = the swarm node's Description.Hostname)
#   SLIPWAY_SWARM_REGISTRY       MANAGER_IP:5000 — the registry as nodes name it in images
#   SLIPWAY_SWARM_REGISTRY_PUSH  127.0.0.1:PORT — the same registry for the host's Engine
#   SLIPWAY_SWARM_SUBNET         the test network's subnet
start_test_swarm() {
  [[ $# -eq 1 ]] || slipway_die "usage: start_test_swarm NAME"
  local name="$1" start why subnet dir node sock mip token pids=() pid i
  _swarm_name_ok "$name"
  start=$(_slipway_now)
  ensure_docker
  ensure_swarm_node_image
  if why=$(swarm_nodes_unavailable); then slipway_die "$why"; fi
  _swarm_security_args # again in this shell: the check above ran in a subshell
  stop_test_swarm "$name"
  dir="$SLIPWAY_SWARM_RUN_DIR/$name"
  docker network create --label "slipway.swarm-lab=$name" "$name" >/dev/null ||
    slipway_die "cannot create network $name"
  subnet=$(docker network inspect -f '{{(index .IPAM.Config 0).Subnet}}' "$name")
  local nodes=("$name-manager" "$name-worker1" "$name-worker2")
  for node in "${nodes[@]}"; do
    mkdir -p "$dir/${node#"$name-"}"
    local extra=()
    [[ "$node" == "$name-manager" ]] && extra=(-e SLIPWAY_NODE_REGISTRY=1 -p 127.0.0.1::5000)
    docker run -d --init --name "$node" --hostname "$node" --network "$name" \
      --label "slipway.swarm-lab=$name" "${_SLIPWAY_SWARM_SECURITY[@]}" \
      -v "$dir/${node#"$name-"}:/run/slipway-node" \
      -e "SLIPWAY_NODE_STORAGE=${SLIPWAY_SWARM_STORAGE:-}" -e "SLIPWAY_NODE_INSECURE=$subnet" \
      "${extra[@]}" "$SLIPWAY_SWARM_NODE_IMAGE" >/dev/null || slipway_die "cannot start swarm node $node"
  done
  for node in "${nodes[@]}"; do _swarm_wait_engine "$node" "$dir/${node#"$name-"}/docker.sock"; done
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
  local push nodes_env=""
  push=$(docker port "$name-manager" 5000/tcp | awk -F: 'NR == 1 { print "127.0.0.1:" $NF }')
  for node in "${nodes[@]}"; do
    nodes_env+="${nodes_env:+ }$node=$(_swarm_node_ip "$node" "$name")=unix://$dir/${node#"$name-"}/docker.sock"
  done
  # The registry runs beside dockerd in the manager: wait until it answers too.
  for ((i = 0; i < 100; i++)); do curl -sf --max-time 2 "http://$push/v2/" >/dev/null && break; sleep 0.1; done
  [[ $i -lt 100 ]] || slipway_die "the registry of $name does not answer on $push"
  cat >"$dir/env" <<EOF
SLIPWAY_SWARM_NAME=$name
SLIPWAY_SWARM_DOCKER_HOST=unix://$dir/manager/docker.sock
SLIPWAY_SWARM_MANAGER_IP=$mip
SLIPWAY_SWARM_NODES="$nodes_env"
SLIPWAY_SWARM_REGISTRY=$mip:5000
SLIPWAY_SWARM_REGISTRY_PUSH=$push
SLIPWAY_SWARM_SUBNET=$subnet
EOF
  set -a
  # shellcheck disable=SC1091
  source "$dir/env"
  set +a
  slipway_log "swarm lab $name: 3 nodes Ready ($("${m[@]}" info -f '{{.Driver}}') storage), manager $mip, registry $mip:5000 ($push from the host), in $(_slipway_since "$start")"
  cat "$dir/env"
}

# stop_test_swarm NAME — removes the lab's containers (with their volumes), its network and
# its run directory. Tolerates a lab that is partly or not at all there.
stop_test_swarm() {
  [[ $# -eq 1 ]] || slipway_die "usage: stop_test_swarm NAME"
  local name="$1"
  _swarm_name_ok "$name"
  docker ps -aq --filter "label=slipway.swarm-lab=$name" | xargs -r docker rm -f -v >/dev/null 2>&1 || true
  docker network ls -q --filter "label=slipway.swarm-lab=$name" | xargs -r docker network rm >/dev/null 2>&1 || true
  rm -rf "${SLIPWAY_SWARM_RUN_DIR:?}/$name"
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
# prints the reference nodes pull it by: MANAGER_IP:5000/REPO@sha256:…
swarm_push_image() {
  [[ $# -eq 3 ]] || slipway_die "usage: swarm_push_image NAME IMAGE REPO"
  local name="$1" image="$2" repo="$3" env push registry tag digest
  env="$SLIPWAY_SWARM_RUN_DIR/$name/env"
  [[ -f "$env" ]] || slipway_die "no swarm lab $name (start_test_swarm first)"
  push=$(sed -n 's/^SLIPWAY_SWARM_REGISTRY_PUSH=//p' "$env")
  registry=$(sed -n 's/^SLIPWAY_SWARM_REGISTRY=//p' "$env")
  tag="$push/$repo:$(docker image inspect -f '{{.Id}}' "$image" | cut -d: -f2 | cut -c1-12)"
  docker tag "$image" "$tag" || slipway_die "docker tag $image failed"
  digest=$(docker push "$tag" | sed -n 's/.* digest: \(sha256:[0-9a-f]*\) .*/\1/p' | tail -n 1)
  docker rmi "$tag" >/dev/null 2>&1 || true # the tag only: the image stays
  [[ -n "$digest" ]] || slipway_die "pushing $image to $push failed"
  printf '%s/%s@%s\n' "$registry" "$repo" "$digest"
}
