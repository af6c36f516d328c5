#!/usr/bin/env bash
# Builds the Slipway stack image: a minimal Debian bookworm root file system with
# ca-certificates, nodejs, python3 and curl, plus an unprivileged user `slipway`
# (uid/gid 1000, home /app), imported into the local Docker Engine.
#
#   bash images/stack/build.sh [TAG]        (root; needs mmdebstrap and a running Engine)
#
# No registry is reachable, so the image is bootstrapped from the Debian mirror this
# machine's apt already uses (read from /etc/apt/sources.list.d/*.sources or
# /etc/apt/sources.list; override with SLIPWAY_DEBIAN_MIRROR=<url>).
set -euo pipefail

TAG="${1:-${SLIPWAY_STACK_IMAGE:-slipway/stack:bookworm}}"
SUITE=bookworm
PACKAGES="ca-certificates,nodejs,python3,curl"

# Prints "URI SUITE" for each enabled `deb` source of this machine.
apt_sources() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f "$f" ]] || continue
    awk '
      function flush() {
        if (types ~ /(^| )deb( |$)/ && enabled != "no")
          for (i = 1; i <= nu; i++) for (j = 1; j <= ns; j++) print u[i], s[j]
        types = ""; enabled = ""; nu = 0; ns = 0
      }
      /^[ \t]*$/ { flush(); next }
      /^#/ || /^[ \t]/ { next }
      {
        key = tolower($1); sub(/:$/, "", key); $1 = ""
        if (key == "types") types = $0
        else if (key == "enabled") { enabled = tolower($2) }
        else if (key == "uris") nu = split($0, u, " ")
        else if (key == "suites") ns = split($0, s, " ")
      }
      END { flush() }' "$f"
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f "$f" ]] || continue
    sed -e 's/#.*//' -e 's/\[[^]]*\]//' "$f" | awk '$1 == "deb" && NF >= 3 { print $2, $3 }'
  done
}

mirrors=()
if [[ -n "${SLIPWAY_DEBIAN_MIRROR:-}" ]]; then
  mirrors+=("deb ${SLIPWAY_DEBIAN_MIRROR%/} $SUITE main")
else
  while read -r uri suite; do
    case "$suite" in
      "$SUITE" | "$SUITE-updates" | "$SUITE-security") mirrors+=("deb ${uri%/} $suite main") ;;
    esac
  done < <(apt_sources | awk '!seen[$0]++')
fi
if ! printf '%s\n' "${mirrors[@]}" | grep -q " $SUITE main\$"; then
  echo "slipway: error: no Debian $SUITE source found in /etc/apt sources; set SLIPWAY_DEBIAN_MIRROR=<url>" >&2
  exit 1
fi

# Build in RAM when /dev/shm has room (about 1 GiB is used at peak): on this class of
# machine unpacking to disk is several times slower. (dpkg path-exclude filters were
# tried too: they saved only 14 MB and made unpacking slower.)
if [[ -z "${TMPDIR:-}" && -d /dev/shm && -w /dev/shm ]] &&
   [[ "$(df -Pk /dev/shm | awk 'NR == 2 { print $4 }')" -gt $((2 * 1024 * 1024)) ]]; then
  export TMPDIR=/dev/shm
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/slipway-stack.XXXXXX")
trap 'rm -rf "$work"' EXIT
tarball="$work/rootfs.tar"

echo "slipway: mmdebstrap $SUITE from: ${mirrors[*]}"
# The hooks expand $1 (the new root) in mmdebstrap's shell, not here.
# shellcheck disable=SC2016
mmdebstrap --variant=minbase --include="$PACKAGES" \
  --aptopt='Acquire::Languages "none"' \
  --dpkgopt=force-unsafe-io \
  --customize-hook='echo "slipway:x:1000:1000:Slipway dyno:/app:/bin/bash" >> "$1/etc/passwd"' \
  --customize-hook='echo "slipway:x:1000:" >> "$1/etc/group"' \
  --customize-hook='echo "slipway:*:19000:0:99999:7:::" >> "$1/etc/shadow"' \
  --customize-hook='mkdir -p "$1/app" && chown 1000:1000 "$1/app" && chmod 755 "$1/app"' \
  "$SUITE" "$tarball" "${mirrors[@]}"

echo "slipway: docker import $TAG ($(du -h "$tarball" | cut -f1) tarball)"
docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV LANG=C.UTF-8' \
  --change 'ENV HOME=/app' \
  --change 'WORKDIR /app' \
  --change 'USER slipway' \
  --change 'CMD ["/bin/bash"]' \
  --change "LABEL org.slipway.stack=$SUITE" \
  --message "slipway stack $SUITE ($PACKAGES)" \
  "$tarball" "$TAG" >/dev/null
echo "slipway: imported $TAG"
