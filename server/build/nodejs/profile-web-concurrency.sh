# shellcheck shell=bash
# Written by Slipway's Node.js build (Heroku's profile/WEB_CONCURRENCY.sh, cgroup v1 and v2),
# sourced at dyno start: WEB_MEMORY and WEB_CONCURRENCY from the dyno's memory.
__slipway_mem=$(cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || true)
case "$__slipway_mem" in '' | max | *[!0-9]*) __slipway_mem=512 ;; *) __slipway_mem=$((__slipway_mem / 1048576)) ;; esac
# Bound to the largest known dyno (~126 GB), as Heroku's script does.
if [ "$__slipway_mem" -gt 129024 ]; then __slipway_mem=129024; fi
export MEMORY_AVAILABLE=${MEMORY_AVAILABLE-$__slipway_mem}
if [ "$MEMORY_AVAILABLE" -gt 16384 ]; then __slipway_web=2048; else __slipway_web=512; fi
export WEB_MEMORY=${WEB_MEMORY-$__slipway_web}
if [ -z "$WEB_CONCURRENCY" ]; then
  __slipway_c=$((MEMORY_AVAILABLE / WEB_MEMORY))
  if [ "$__slipway_c" -lt 1 ] || [ "$__slipway_c" -gt 200 ]; then __slipway_c=1; fi
  export WEB_CONCURRENCY=$__slipway_c WEB_CONCURRENCY_SET_BY="heroku/nodejs"
fi
if [ "$LOG_CONCURRENCY" = "true" ]; then
  echo "Detected $MEMORY_AVAILABLE MB available memory, $WEB_MEMORY MB limit per process (WEB_MEMORY)"
  echo "Recommending WEB_CONCURRENCY=$WEB_CONCURRENCY"
fi
unset __slipway_mem __slipway_web __slipway_c
