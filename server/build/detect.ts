import "server-only";
// Which buildpack builds a source tree, in Heroku's spirit: the first that recognises it
// wins, in the order Dockerfile → Node.js → Python → static site.
import fs from "node:fs";
import path from "node:path";
import { AppError } from "@/server/errors";
import { parseProcfile, type ProcessTypes } from "@/server/build/procfile";

export type Buildpack = "dockerfile" | "nodejs" | "python" | "static";

export const BUILDPACK_NAMES: Record<Buildpack, string> = {
  dockerfile: "Dockerfile",
  nodejs: "Node.js",
  python: "Python",
  static: "Static site",
};

export const SUPPORTED =
  "Slipway builds apps with one of: a Dockerfile; Node.js (package.json); Python (requirements.txt or pyproject.toml); a static site (index.html).";

export type Detected = {
  buildpack: Buildpack;
  /** From the Procfile, if there is one (validated). */
  procfile: ProcessTypes | null;
  /** Process types the buildpack offers when the Procfile does not name them. */
  defaults: ProcessTypes;
  packageJson?: { scripts?: Record<string, string>; dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
};

const has = (root: string, name: string) => fs.existsSync(path.join(root, name));

/**
 * The first buildpack that recognises the tree, or `forced` (app.json's `buildpacks`), which
 * must then find what it builds: a forced Node.js build of a tree without package.json fails
 * with that, rather than building something else.
 */
export function detect(root: string, forced?: Buildpack | null): Detected {
  const procfile = has(root, "Procfile") ? parseProcfile(fs.readFileSync(path.join(root, "Procfile"), "utf8")) : null;
  if (forced) {
    const marker = MARKERS[forced];
    if (!marker.some((m) => has(root, m))) {
      throw new AppError("BAD_REQUEST", `app.json asks for the ${BUILDPACK_NAMES[forced]} buildpack, but the source has no ${marker.join(" or ")}.`);
    }
    return detectAs(root, forced, procfile);
  }
  for (const bp of ORDER) if (MARKERS[bp].some((m) => has(root, m))) return detectAs(root, bp, procfile);
  throw new AppError("BAD_REQUEST", `No app type detected. ${SUPPORTED}`);
}

const ORDER: Buildpack[] = ["dockerfile", "nodejs", "python", "static"];
const MARKERS: Record<Buildpack, string[]> = {
  dockerfile: ["Dockerfile"],
  nodejs: ["package.json"],
  python: ["requirements.txt", "pyproject.toml"],
  static: ["index.html"],
};

function detectAs(root: string, buildpack: Buildpack, procfile: ProcessTypes | null): Detected {
  if (buildpack === "dockerfile") return { buildpack, procfile, defaults: {} };
  if (buildpack === "nodejs") {
    let pkg: Detected["packageJson"];
    try {
      pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
    } catch (err) {
      throw new AppError("BAD_REQUEST", `package.json is not valid JSON: ${(err as Error).message}`);
    }
    // Heroku's default is `npm start`. We run what npm would run (the start script, or
    // `node server.js` without one): the dyno boots without npm's second of start-up, and
    // SIGTERM reaches the app instead of npm. With pre/post hooks, npm itself runs it.
    const scripts = pkg?.scripts ?? {};
    const web = scripts.prestart || scripts.poststart ? "npm start" : scripts.start || (has(root, "server.js") ? "node server.js" : null);
    const defaults: ProcessTypes = web ? { web } : {};
    return { buildpack, procfile, defaults, packageJson: pkg ?? {} };
  }
  if (buildpack === "python") return { buildpack, procfile, defaults: {} };
  return { buildpack, procfile, defaults: { web: "node /app/.slipway/static-server.js" } };
}
