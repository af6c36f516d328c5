# shellcheck shell=bash
# Written by Slipway's Node.js build (Heroku's profile/nodejs.sh), sourced at dyno start.
export NODE_HOME="$HOME/.heroku/node"
export NODE_ENV=${NODE_ENV:-production}

# V8's heap limit sized to the dyno: --max-old-space-size at 3/4 of the container's memory
# limit (512 MB → 384, 1 GB → 768, 2.5 GB → 1920), so a growing heap meets V8's collector and
# at worst a JavaScript heap error, not the kernel's kill of the whole dyno (R15). A limit
# already in NODE_OPTIONS (a config var) wins; Node.js before 8 reads no NODE_OPTIONS.
__slipway_node_major=@NODE_MAJOR@
__slipway_mem=$(cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || true)
case "$__slipway_mem" in
  '' | max | *[!0-9]*) ;;
  *)
    __slipway_mem=$((__slipway_mem / 1048576))
    if [ "$__slipway_node_major" -ge 8 ] && [ "$__slipway_mem" -gt 0 ] && [ "$__slipway_mem" -lt 1048576 ]; then
      case " $NODE_OPTIONS " in
        *max-old-space-size* | *max_old_space_size*) ;;
        *) export NODE_OPTIONS="${NODE_OPTIONS:+$NODE_OPTIONS }--max-old-space-size=$((__slipway_mem * 3 / 4))" ;;
      esac
    fi
    ;;
esac
unset __slipway_mem __slipway_node_major
