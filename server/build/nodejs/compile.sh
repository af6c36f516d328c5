# shellcheck shell=bash
# The part of a Node.js build that runs inside the build container (after PRELUDE and the
# SW_* settings server/build/nodejs/plan.ts exports): Heroku's bin/compile from "Restoring
# cache" on — cache, heroku-prebuild, install, build (heroku-postbuild wins), cache save,
# prune, heroku-cleanup — with its headings and messages. What can be decided before the
# container starts (versions, downloads, refusals) was decided by plan.ts and printed already.

info() { echo "       $*"; }
warning() { echo; sed -e 's/^/ !     /' -e 's/ *$//'; echo; }
fail_with() { echo; echo "-----> Build failed"; warning; exit 1; }

export NPM_CONFIG_LOGLEVEL=${NPM_CONFIG_LOGLEVEL:-error} NODE_MODULES_CACHE=${NODE_MODULES_CACHE:-true}
export NODE_ENV=${NODE_ENV:-production} NODE_VERBOSE=${NODE_VERBOSE:-false}
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
if [ -z "$NODE_OPTIONS" ]; then export NODE_OPTIONS="--max_old_space_size=$SW_BUILD_HEAP_MB"; fi
export PATH="/app/.heroku/node/bin:/app/.heroku/yarn/bin:/app/.heroku/pnpm/bin:$PATH"

# The binaries plan.ts chose, copied from the installation's read-only toolchain folders into
# the slug (/app/.heroku, as on Heroku) so dynos run them too.
place() { # SOURCE PREFIX NAME [BIN=PATH]...
  local src=$1 prefix=$2 name=$3 b; shift 3
  mkdir -p "$prefix/lib/node_modules" "$prefix/bin"
  rm -rf "$prefix/lib/node_modules/$name"
  cp -R --preserve=mode,timestamps "$src" "$prefix/lib/node_modules/$name"
  for b in "$@"; do ln -sfn "../lib/node_modules/$name/${b#*=}" "$prefix/bin/${b%%=*}"; done
}
if [ -n "$SW_NODE_SRC" ]; then
  mkdir -p /app/.heroku/node
  cp -R --preserve=mode,timestamps "$SW_NODE_SRC/." /app/.heroku/node/
fi
# shellcheck disable=SC2086 # the bin lists are words
if [ -n "$SW_NPM_SRC" ]; then place "$SW_NPM_SRC" /app/.heroku/node npm $SW_NPM_BINS; fi
# shellcheck disable=SC2086
if [ -n "$SW_PM_SRC" ]; then place "$SW_PM_SRC" "/app/.heroku/$SW_PM_HOME" "$SW_PM_PACKAGE" $SW_PM_BINS; fi
npm_major=$(npm --version | cut -d. -f1)

# ---- Restoring cache (the app's cache volume: /cache/node, Heroku's layout and signature)
CACHE=/cache/node
rm -rf /cache/npm # where builds kept the npm cache before this layout
yarn_version=""
case "$SW_PM" in yarn | berry) yarn_version=$(yarn --version) ;; esac
signature="v2; $SW_STACK; $(node --version); $(npm --version); $yarn_version; false"
if [ "$NODE_MODULES_CACHE" != "true" ]; then cache_status=disabled
elif [ ! -d "$CACHE" ]; then cache_status=not-found
elif [ "$(cat "$CACHE/signature" 2>/dev/null)" != "$signature" ]; then cache_status=new-signature
else cache_status=valid; fi
if [ "$cache_status" != valid ]; then rm -rf "$CACHE"; fi
if [ "$cache_status" = disabled ]; then CACHE_HOME=$(mktemp -d); else CACHE_HOME=$CACHE/cache; fi
mkdir -p "$CACHE_HOME"
# Package-manager caches live in the volume itself: nothing is moved in or out.
export NPM_CONFIG_CACHE=$CACHE_HOME/npm
case "$SW_PM" in
  yarn) export YARN_CACHE_FOLDER=$CACHE_HOME/yarn ;;
  berry)
    if [ "$SW_YARN_PNP" = true ]; then export YARN_ENABLE_GLOBAL_CACHE=false # Plug'n'Play runs from .yarn/cache
    else export YARN_ENABLE_GLOBAL_CACHE=true YARN_GLOBAL_FOLDER=$CACHE_HOME/yarn-berry; fi ;;
  pnpm) export npm_config_store_dir=$CACHE_HOME/pnpm pnpm_config_store_dir=$CACHE_HOME/pnpm ;;
esac
zero_install=false
if [ "$SW_PM" = berry ] && [ -n "$(ls -A /app/.yarn/cache 2>/dev/null)" ]; then zero_install=true; fi

restore_default() {
  case "$SW_PM" in
    yarn | berry)
      if [ "$zero_install" = true ]; then info "- yarn cache is checked into source control and cannot be cached"
      elif [ -n "$(ls -A "$CACHE_HOME/yarn" "$CACHE_HOME/yarn-berry" 2>/dev/null)" ]; then info "- yarn cache"
      else info "- yarn cache (not cached - skipping)"; fi ;;
    pnpm) if [ -d "$CACHE_HOME/pnpm" ]; then info "- pnpm cache"; else info "- pnpm cache (not cached - skipping)"; fi ;;
    *)
      if [ "$SW_NPM_CI" = true ]; then
        if [ -d "$CACHE_HOME/npm" ]; then info "- npm cache"; else info "- npm cache (not cached - skipping)"; fi
      elif [ -e /app/node_modules ]; then info "- node_modules is checked into source control and cannot be cached"
      elif [ -e "$CACHE_HOME/node_modules" ]; then info "- node_modules"; cp -R --preserve=mode,timestamps "$CACHE_HOME/node_modules" /app/node_modules
      else info "- node_modules (not cached - skipping)"; fi ;;
  esac
}
restore_custom() {
  local dir
  info "Loading from cacheDirectories (package.json):"
  while IFS= read -r dir; do
    if [ "$SW_PM" = pnpm ] && [[ "$dir" =~ ^node_modules(/|$) ]]; then info "- $dir (skipping because pnpm is used)"
    elif [ -e "/app/$dir" ]; then info "- $dir (exists - skipping)"
    elif [ -e "$CACHE_HOME/custom/$dir" ]; then
      info "- $dir"; mkdir -p "$(dirname "/app/$dir")"; cp -R --preserve=mode,timestamps "$CACHE_HOME/custom/$dir" "/app/$dir"
    else info "- $dir (not cached - skipping)"; fi
  done <<<"$SW_CACHE_DIRS"
}
case "$cache_status" in
  disabled) step "Restoring cache"; info "Caching has been disabled because NODE_MODULES_CACHE=$NODE_MODULES_CACHE" ;;
  valid) step "Restoring cache"; if [ -z "$SW_CACHE_DIRS" ]; then restore_default; else restore_custom; fi ;;
  new-signature)
    step "Restoring cache"
    if [ -z "$SW_CACHE_DIRS" ]; then
      info "Cached directories were not restored due to a change in version of node, npm, yarn or stack"
      info "Module installation may take longer for this build"
    else
      info "Invalidating cache due to a change in version of node, npm, yarn or stack"
      info "Will not restore the following directories for this build:"
      while IFS= read -r d; do info "  $d"; done <<<"$SW_CACHE_DIRS"
    fi ;;
esac

run_script() { # NAME [build]: through the app's package manager, as Heroku runs lifecycle scripts
  local cmd
  case "$SW_PM" in
    yarn | berry) info "Running $1 (yarn)"; cmd=(yarn run "$1") ;;
    pnpm) info "Running $1"; cmd=(pnpm run --if-present "$1") ;;
    *) info "Running $1"; cmd=(npm run "$1" --if-present) ;;
  esac
  if [ -n "$2" ] && [ -n "$NODE_BUILD_FLAGS" ]; then
    info "Running with $NODE_BUILD_FLAGS flags"
    # shellcheck disable=SC2206 # the flags are words
    cmd+=(-- $NODE_BUILD_FLAGS)
  fi
  "${cmd[@]}" 2>&1 | indent
}

if [ "$SW_PREBUILD" = true ]; then step "Prebuild"; run_script heroku-prebuild; fi

# ---- Installing dependencies
step "Installing dependencies"
case "$SW_PM" in
  npm)
    if [ "$npm_major" -ge 7 ]; then dev=(--include=dev --prefer-offline); else dev=(--production=false); fi
    if [ "$NPM_CONFIG_PRODUCTION" = true ]; then dev=(); fi
    if [ "$SW_NPM_CI" = true ]; then info "Installing node modules"; install=(npm ci "${dev[@]}")
    else info "Installing node modules (package.json)"; install=(npm install "${dev[@]}"); fi ;;
  yarn)
    info "Installing node modules (yarn.lock)"
    install=(yarn install "--production=${YARN_PRODUCTION:-false}" --frozen-lockfile --ignore-engines --prefer-offline) ;;
  berry) info "Running 'yarn install' with yarn.lock"; install=(yarn install --immutable) ;;
  pnpm)
    if [ "$SW_PNPM_FROZEN" = true ]; then info "Running 'pnpm install' with pnpm-lock.yaml"; install=(pnpm install --prod=false --frozen-lockfile)
    else info "Running 'pnpm install' (no pnpm-lock.yaml)"; install=(pnpm install --prod=false); fi ;;
esac
install_log=$(mktemp)
if [ "$SW_HAS_DEPS" != true ]; then
  # Nothing for the package manager to do (it would only say so, slowly).
  info "package.json declares no dependencies: nothing to install"
elif ! "${install[@]}" 2>&1 | tee "$install_log" | indent; then
  status=${PIPESTATUS[0]}
  if grep -qiE 'npm (ERR!|error) code EUSAGE' "$install_log" && grep -qi 'Please update your lock file' "$install_log"; then
    fail_with <<'EOF'
Error: npm lockfile is not in sync.

This error occurs when the contents of `package.json` contains a different
set of dependencies than the contents of `package-lock.json`. This can happen
when a package is added, modified, or removed but the lockfile was not updated.

To fix this, run `npm install` locally in your app directory to regenerate the
lockfile, commit the changes to `package-lock.json`, and redeploy.
EOF
  elif grep -qi 'Your lockfile needs to be updated' "$install_log"; then
    fail_with <<'EOF'
Outdated Yarn lockfile

Your application's yarn.lock does not match the dependencies in
package.json. The yarn.lock records the exact modules Yarn installed,
and the build fails when the two drift apart to prevent subtle bugs
and security issues.

This commonly happens when another tool modifies package.json without
running yarn install — for example, using npm to add a dependency, or
editing a version requirement by hand.

To fix, run yarn install in your project directory and commit the
updated yarn.lock:

$ yarn install
$ git add yarn.lock
$ git commit -m "Updated Yarn lockfile"
$ git push heroku main
EOF
  elif grep -qi 'YN0028' "$install_log"; then
    fail_with <<'EOF'
Yarn lockfile is not in sync

Your application's yarn.lock does not match the dependencies in
package.json, and yarn install was run with --immutable so it refused
to modify the lockfile. The build fails when the two drift apart to
prevent subtle bugs and security issues.

To fix, run yarn install in your project directory and commit the
updated yarn.lock:

$ yarn install
$ git add yarn.lock
$ git commit -m "Updated Yarn lockfile"
$ git push heroku main
EOF
  elif grep -qi 'ERR_PNPM_OUTDATED_LOCKFILE' "$install_log"; then
    fail_with <<'EOF'
Error: pnpm lockfile is not in sync.

This error occurs when the contents of `package.json` contains a different
set of dependencies than the contents of `pnpm-lock.yaml`. This can happen
when a package is added, modified, or removed but the lockfile was not updated.

To fix this, run `pnpm install` locally in your app directory to regenerate the
lockfile, commit the changes to `pnpm-lock.yaml`, and redeploy.
EOF
  fi
  exit "$status"
fi
rm -f "$install_log"

# ---- Build
step "Build"
if [ "$SW_BUILD_BOTH" = true ]; then info 'Detected both "build" and "heroku-postbuild" scripts'; fi
if [ -n "$SW_BUILD_SCRIPT" ]; then run_script "$SW_BUILD_SCRIPT" build; fi

cache_build() {
  [ "$cache_status" = disabled ] && return 0
  step "Caching build"
  local dir
  if [ -n "$SW_CACHE_DIRS" ]; then
    info "Saving cacheDirectories (package.json):"
    while IFS= read -r dir; do
      if [ "$SW_PM" = pnpm ] && [[ "$dir" =~ ^node_modules(/|$) ]]; then info "- $dir (skipping because pnpm is used)"
      elif [ -e "/app/$dir" ]; then
        info "- $dir"; rm -rf "$CACHE_HOME/custom/$dir"; mkdir -p "$(dirname "$CACHE_HOME/custom/$dir")"
        cp -R --preserve=mode,timestamps "/app/$dir" "$CACHE_HOME/custom/$dir"
      else info "- $dir (nothing to cache)"; fi
    done <<<"$SW_CACHE_DIRS"
    if [ "$SW_PM" = pnpm ] && [ -d "$CACHE_HOME/pnpm" ]; then info "- pnpm store (included because pnpm is used)"; fi
  else
    case "$SW_PM" in
      yarn | berry)
        if [ "$zero_install" = true ]; then info "- yarn cache is checked into source control and cannot be cached"
        elif [ "$SW_PM" = berry ] && [ "$SW_YARN_PNP" = true ]; then info "- yarn cache is part of the app (Plug'n'Play) and not cached separately"
        else info "- yarn cache"; fi ;;
      pnpm) info "- pnpm cache" ;;
      *)
        if [ "$SW_NPM_CI" = true ]; then
          if [ -d "$CACHE_HOME/npm" ]; then info "- npm cache"; else info "- npm cache (nothing to cache)"; fi
        elif [ -e /app/node_modules ]; then
          info "- node_modules"; rm -rf "$CACHE_HOME/node_modules"; cp -R --preserve=mode,timestamps /app/node_modules "$CACHE_HOME/node_modules"
        else info "- node_modules (nothing to cache)"; fi ;;
    esac
  fi
  echo "$signature" >"$CACHE/signature"
}

prune() {
  step "Pruning devDependencies"
  if [ "$NODE_ENV" = test ]; then info "Skipping because NODE_ENV is 'test'"; return 0; fi
  if [ "$NODE_ENV" != production ]; then info "Skipping because NODE_ENV is not 'production'"; return 0; fi
  if [ "$SW_HAS_DEPS" != true ]; then info "Skipping because package.json declares no dependencies"; return 0; fi
  case "$SW_PM" in
    npm)
      if [ -n "$NPM_CONFIG_PRODUCTION" ]; then info "Skipping because NPM_CONFIG_PRODUCTION is '$NPM_CONFIG_PRODUCTION'"; return 0; fi
      if [ "$npm_major" -ge 7 ]; then npm prune --omit=dev 2>&1 | indent; else npm prune --production 2>&1 | indent; fi ;;
    yarn)
      if [ -n "$YARN_PRODUCTION" ]; then info "Skipping because YARN_PRODUCTION is '$YARN_PRODUCTION'"; return 0; fi
      yarn install --frozen-lockfile --ignore-engines --ignore-scripts --prefer-offline 2>&1 | indent ;;
    berry)
      if [ "$YARN2_SKIP_PRUNING" = true ]; then info "Skipping because YARN2_SKIP_PRUNING is '$YARN2_SKIP_PRUNING'"; return 0; fi
      if [ "$(echo "$yarn_version" | cut -d. -f1)" -ge 4 ]; then
        info "Running 'yarn workspaces focus --all --production'"
        yarn workspaces focus --all --production 2>&1 | indent
      else
        info "Skipping: Yarn $yarn_version prunes only with a plugin (Yarn 4 has 'yarn workspaces focus' built in)"
      fi ;;
    pnpm)
      if [ "$PNPM_SKIP_PRUNING" = true ]; then info "Skipping because PNPM_SKIP_PRUNING is '$PNPM_SKIP_PRUNING'"; return 0; fi
      if [ -f /app/pnpm-workspace.yaml ]; then
        # Heroku's way for workspaces: drop every project's node_modules, install production only.
        find /app -path /app/.heroku -prune -o -name node_modules -type d -prune -exec rm -rf {} +
        pnpm install --prod --frozen-lockfile --offline 2>&1 | indent
      else
        pnpm prune --prod 2>&1 | indent
      fi ;;
  esac
}

if [ "$SW_PM" = yarn ] && [ -z "$SW_CACHE_DIRS" ]; then prune; cache_build; else cache_build; prune; fi

if [ "$SW_CLEANUP" = true ]; then step "Cleanup"; run_script heroku-cleanup; fi

if [ ! -e /app/Procfile ] && [ "$SW_HAS_START" != true ] && [ ! -e /app/server.js ]; then
  warning <<'EOF'
This app may not specify any way to start a node process

https://devcenter.heroku.com/articles/nodejs-support#default-web-process-type
EOF
fi
