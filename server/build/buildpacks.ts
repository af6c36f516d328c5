import "server-only";
// Buildpack steps as bash scripts run inside a build container (the builder image, user
// slipway, the source in /app, a per-app cache volume on /cache). Their output is the
// build log users see: `-----> ` headings and indented tool output, like Heroku's.
import fs from "node:fs";
import path from "node:path";
import type { Buildpack, Detected } from "@/server/build/detect";
import { platformSymlink, writePlatformFile } from "@/server/build/platform-files";
import { pythonPlan } from "@/server/build/python";

const PRELUDE = String.raw`
set -eo pipefail
indent() { sed -u 's/^/       /'; }
step() { echo "-----> $*"; }
cd /app
`;

const NODE = String.raw`
export NPM_CONFIG_CACHE=/cache/npm npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
export npm_config_loglevel=warn NODE_ENV=production
step "Using Node.js $(node --version) and npm $(npm --version)"
# Like Heroku's "Restoring cache": say whether this build starts from the app's npm cache.
cached=$( (find /cache/npm/_cacache/content-v2 -type f 2>/dev/null || true) | wc -l)
if [ "$cached" -gt 0 ]; then
  step "Restoring the npm cache ($cached packages from earlier builds)"
else
  step "No npm cache yet: packages are downloaded and kept for the next build"
fi
if [ -f package-lock.json ] || [ -f npm-shrinkwrap.json ]; then
  step "Installing dependencies with npm ci"
  # The lockfile pins every version, so a cached tarball is used without asking the registry.
  npm ci --include=dev --no-progress --prefer-offline 2>&1 | indent
else
  step "Installing dependencies with npm install (no package-lock.json)"
  npm install --include=dev --no-progress 2>&1 | indent
fi
if node -e 'process.exit(require("./package.json").scripts?.build ? 0 : 1)'; then
  step "Running the build script"
  npm run build 2>&1 | indent
fi
if [ -d node_modules ]; then
  step "Pruning devDependencies"
  npm prune --omit=dev --no-progress 2>&1 | indent
fi
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

export type BuildPlan = {
  /** What runs in the build container, or null when there is nothing to run (the source
   * is committed as it is: no process starts, which keeps small deploys quick). */
  script: string | null;
  /** Lines printed from the platform side when no script runs. */
  notes: string[];
};

/**
 * What a buildpack will do with this source. Skips the container run when there is no work:
 * a Node app without dependencies or a build script, a static site (its server is added
 * here), a Python app without requirements.
 */
export function buildPlan(detected: Detected, sourceDir: string): BuildPlan {
  if (detected.buildpack === "nodejs") {
    const pkg = detected.packageJson ?? {};
    const hasDeps = Object.keys(pkg.dependencies ?? {}).length + Object.keys(pkg.devDependencies ?? {}).length > 0;
    if (!hasDeps && !pkg.scripts?.build) {
      return { script: null, notes: ["-----> Installing dependencies", "       package.json declares no dependencies and no build script: nothing to install"] };
    }
    return { script: PRELUDE + NODE, notes: [] };
  }
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
  const base = ["WORKDIR /app", "USER slipway", "ENV HOME=/app", 'CMD ["/bin/bash"]'];
  const path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  if (buildpack === "nodejs") return [...base, "ENV NODE_ENV=production", `ENV PATH=/app/node_modules/.bin:${path}`];
  if (buildpack === "python") return [...base, "ENV PYTHONUNBUFFERED=1", `ENV PATH=/app/.venv/bin:/app/.slipway/bin:${path}`];
  return base;
}
