// First-load JavaScript per App Router page, as the browser downloads it on a full page load:
// the build's root main files plus every chunk the page's client reference manifest lists
// for the page and its layouts (entryJSFiles), each gzipped once (level 9, like `next build`
// used to print). Read from a finished `next build` (.next/).
import fs from "node:fs";
import path from "node:path";
import vm from "node:vm";
import zlib from "node:zlib";

type Manifest = { entryJSFiles?: Record<string, string[]> };

function walk(dir: string, out: string[] = []): string[] {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(p, out);
    else if (entry.name === "page_client-reference-manifest.js") out.push(p);
  }
  return out;
}

export function firstLoadJs(nextDir: string, routePrefix = "") {
  const buildManifest = path.join(nextDir, "build-manifest.json");
  const appDir = path.join(nextDir, "server", "app");
  if (!fs.existsSync(buildManifest) || !fs.existsSync(appDir)) return null;
  const { rootMainFiles = [] } = JSON.parse(fs.readFileSync(buildManifest, "utf8")) as { rootMainFiles?: string[] };
  const gzipped = new Map<string, number>();
  const sizeOf = (file: string) => {
    let size = gzipped.get(file);
    if (size === undefined) {
      const full = path.join(nextDir, file.replace(/^\/?_next\//, ""));
      size = fs.existsSync(full) ? zlib.gzipSync(fs.readFileSync(full), { level: 9 }).length : 0;
      gzipped.set(file, size);
    }
    return size;
  };
  const pages: { route: string; gzip: number; files: number }[] = [];
  for (const file of walk(appDir)) {
    const sandbox = { globalThis: {} as { __RSC_MANIFEST?: Record<string, Manifest> } };
    vm.runInNewContext(fs.readFileSync(file, "utf8"), sandbox);
    for (const [key, manifest] of Object.entries(sandbox.globalThis.__RSC_MANIFEST ?? {})) {
      const route = key.replace(/\/page$/, "").replace(/\/\([^)]+\)/g, "") || "/";
      if (!route.startsWith(routePrefix)) continue;
      const files = new Set<string>(rootMainFiles);
      for (const list of Object.values(manifest.entryJSFiles ?? {})) for (const f of list) files.add(f);
      const gzip = [...files].filter((f) => f.endsWith(".js")).reduce((sum, f) => sum + sizeOf(f), 0);
      pages.push({ route, gzip, files: files.size });
    }
  }
  pages.sort((a, b) => a.route.localeCompare(b.route));
  return { builtAt: fs.statSync(buildManifest).mtime.toISOString(), pages };
}
