import "server-only";
// Buildpack steps as bash scripts run inside a build container (the builder image, user
// slipway, the source in /app, a per-app cache volume on /cache). Their output is the
// build log users see: `-----> ` headings and indented tool output, like Heroku's.
import fs from "node:fs";
import path from "node:path";
import type { Buildpack, Detected } from "@/server/build/detect";
import { platformSymlink, writePlatformFile } from "@/server/build/platform-files";
import { pythonPlan } from "@/server/build/python";

export const PRELUDE = String.raw`
set -eo pipefail
indent() { sed -u 's/^/       /'; }
step() { echo "-----> $*"; }
# The app's config vars, as Heroku gives them to buildpacks (its ENV_DIR), minus the names
# that would break the build environment. Files, not the container's env: that would be
# committed into the image. Read, then removed before anything of the app's runs.
if [ -d /tmp/slipway-env ]; then
  for __f in /tmp/slipway-env/*; do
    [ -f "$__f" ] || continue
    __n=$(basename "$__f")
    case "$__n" in PATH | GIT_DIR | CPATH | CPPATH | LD_PRELOAD | LIBRARY_PATH | LANG | BUILD_DIR | HOME) continue ;; esac
    export "$__n=$(cat "$__f")"
  done
  rm -rf /tmp/slipway-env
  unset __f __n
fi
cd /app
`;

/** A small, dependency-free static file server for static sites (index.html, 404.html). */
const STATIC_SERVER = String.raw`
const http = require("node:http");
const fs = require("node:fs");
const path = require("node:path");
const root = "/app";
const types = { ".html": "text/html; charset=utf-8", ".css": "text/css", ".js": "text/javascript", ".mjs": "text/javascript",
  ".json": "application/json", ".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
  ".gif": "image/gif", ".webp": "image/webp", ".ico": "image/x-icon", ".txt": "text/plain; charset=utf-8",
  ".woff": "font/woff", ".woff2": "font/woff2", ".wasm": "application/wasm", ".xml": "application/xml" };
function send(res, status, file, head) {
  fs.stat(file, (err, st) => {
    if (err || !st.isFile()) return res.writeHead(status === 200 ? 404 : status, { "Content-Type": "text/plain" }).end("Not found\n");
    res.writeHead(status, { "Content-Type": types[path.extname(file)] || "application/octet-stream", "Content-Length": st.size });
    if (head) return res.end();
    fs.createReadStream(file).pipe(res);
  });
}
http.createServer((req, res) => {
  if (req.method !== "GET" && req.method !== "HEAD") return res.writeHead(405, { Allow: "GET, HEAD" }).end();
  let p;
  try { p = decodeURIComponent(new URL(req.url, "http://x").pathname); } catch { return res.writeHead(400).end(); }
  const file = path.join(root, path.normalize(p));
  if (!file.startsWith(root + "/") && file !== root) return res.writeHead(403).end();
  if (file.startsWith(root + "/.slipway") || file.includes("/.git/")) return res.writeHead(404).end("Not found\n");
  fs.stat(file, (err, st) => {
    if (!err && st.isDirectory()) return send(res, 200, path.join(file, "index.html"), req.method === "HEAD");
    if (!err) return send(res, 200, file, req.method === "HEAD");
    const notFound = path.join(root, "404.html");
    fs.access(notFound, (e) => (e ? res.writeHead(404, { "Content-Type": "text/plain" }).end("Not found\n") : send(res, 404, notFound, req.method === "HEAD")));
  });
}).listen(Number(process.env.PORT) || 5000, () => console.log("static server listening on " + (process.env.PORT || 5000)));
`;

/** Where every buildpack image keeps PROFILE_LOADER (written by the build, read through BASH_ENV). */
export const PROFILE_LOADER_PATH = ".slipway/profile.sh";

/**
 * Read by bash before a dyno's command: sources /app/.profile.d/*.sh like Heroku's dyno
 * start, so buildpacks and apps can set what depends on the dyno (its memory) rather than on
 * the build. Nested bash scripts of the app do not read it again.
 */
export const PROFILE_LOADER = String.raw`unset BASH_ENV
for __slipway_profile in /app/.profile.d/*.sh; do
  if [ -r "$__slipway_profile" ]; then . "$__slipway_profile"; fi
done
unset __slipway_profile
`;

export type BuildPlan = {
  /** What runs in the build container, or null when there is nothing to run (the source
   * is committed as it is: no process starts, which keeps small deploys quick). */
  script: string | null;
  /** Lines printed from the platform side when no script runs. */
  notes: string[];
};

/**
 * What the Python and static buildpacks will do with this source (Node.js builds are planned
 * by server/build/nodejs/plan.ts). Skips the container run when there is no work: a static
 * site (its server is added here), a Python app without requirements.
 */
export function buildPlan(detected: Detected, sourceDir: string): BuildPlan {
  if (detected.buildpack === "python") {
    const plan = pythonPlan(sourceDir);
    return { ...plan, script: plan.script && PRELUDE + plan.script };
  }
  if (detected.buildpack === "static") {
    writePlatformFile(sourceDir, ".slipway/static-server.js", STATIC_SERVER.trimStart());
    return { script: null, notes: ["-----> Serving the files in / with Slipway's static server"] };
  }
  throw new Error(`no buildpack plan for ${detected.buildpack}`);
}

/** Image settings per buildpack, applied when the build container is committed. */
export function imageChanges(buildpack: Exclude<Buildpack, "dockerfile">): string[] {
  // BASH_ENV: dynos run their command with `bash -c`, which first reads this file; it sources
  // /app/.profile.d/*.sh as Heroku's dyno start does (see PROFILE_LOADER).
  const base = ["WORKDIR /app", "USER slipway", "ENV HOME=/app", 'CMD ["/bin/bash"]', `ENV BASH_ENV=/app/${PROFILE_LOADER_PATH}`];
  const path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  if (buildpack === "nodejs") {
    // Heroku's order: the slug's own Node.js and package managers first, node_modules/.bin last.
    return [...base, "ENV NODE_ENV=production", `ENV PATH=/app/.heroku/node/bin:/app/.heroku/yarn/bin:/app/.heroku/pnpm/bin:${path}:/app/bin:/app/node_modules/.bin`];
  }
  if (buildpack === "python") return [...base, "ENV PYTHONUNBUFFERED=1", `ENV PATH=/app/.venv/bin:/app/.slipway/bin:${path}`];
  return base;
}
