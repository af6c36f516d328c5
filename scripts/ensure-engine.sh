#!/usr/bin/env bash
# Brings up what the runtime needs: a Docker Engine that answers and the stack image.
#   bash scripts/ensure-engine.sh            (root on Debian installs/starts what is missing)
#   SLIPWAY_REBUILD_STACK=1 bash scripts/ensure-engine.sh   rebuild the stack image
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ensure_docker
if [[ -n "${SLIPWAY_REBUILD_STACK:-}" ]] && docker image inspect "$SLIPWAY_STACK_IMAGE" >/dev/null 2>&1; then
  slipway_log "removing $SLIPWAY_STACK_IMAGE to rebuild it"
  docker image rm "$SLIPWAY_STACK_IMAGE" >/dev/null
fi
ensure_builder_image
slipway_log "engine ready: $(docker version --format 'Docker {{.Server.Version}} (API {{.Server.APIVersion}})'), image $SLIPWAY_STACK_IMAGE"
