import "server-only";
// Which buildpack builds a source tree, in Heroku's spirit: the app's own buildpacks when
// it has set some, else the first that recognises the source, in the order Dockerfile →
// Node.js → Python → static site.
import fs from "node:fs";
import path from "node:path";
import { AppError } from "@/server/errors";
import { parseProcfile, type ProcessTypes } from "@/server/build/procfile";
import { settableBuildpack, type SettableBuildpack } from "@/server/build/buildpack-names";

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
  /** The buildpack that builds the app; with several set, the last (Heroku's "primary"). */
  buildpack: Buildpack;
  /** Every buildpack the build runs, in order: the app's own list, or the one detected. */
  buildpacks: Buildpack[];
  /** Registry names when the app's buildpacks were set (`heroku buildpacks:set`); null when detected. */
  setNames: string[] | null;
  /** From the Procfile, if there is one (validated). */
  procfile: ProcessTypes | null;
  /** Process types the buildpack offers when the Procfile does not name them. */
  defaults: ProcessTypes;
  packageJson?: { scripts?: Record<string, string>; dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
};

const has = (root: string, name: string) => fs.existsSync(path.join(root, name));

/**
 * With `buildpacks` (the app's own list, see services/buildpacks.ts) those run, in order,
 * and each must suit the source. Otherwise `forced` (app.json's `buildpacks`, for one build)
 * must find what it builds: a forced Node.js build of a tree without package.json fails with
 * that, rather than building something else. Otherwise the first type that recognises the
 * tree wins.
 */
export function detect(root: string, options: { buildpacks?: readonly string[]; forced?: Buildpack | null } = {}): Detected {
  const procfile = has(root, "Procfile") ? parseProcfile(fs.readFileSync(path.join(root, "Procfile"), "utf8")) : null;
  if (options.buildpacks?.length) return detectSet(root, options.buildpacks, procfile);
  const forced = options.forced;
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
  const one = { buildpacks: [buildpack], setNames: null, procfile };
  if (buildpack === "dockerfile") return { buildpack, ...one, defaults: {} };
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
    return { buildpack, ...one, defaults, packageJson: pkg ?? {} };
  }
  if (buildpack === "python") return { buildpack, ...one, defaults: {} };
  return { buildpack, ...one, defaults: { web: "node /app/.slipway/static-server.js" } };
}

/** Like Heroku's bin/detect of a buildpack that was set: a source it cannot build fails the build. */
function detectSet(root: string, names: readonly string[], procfile: ProcessTypes | null): Detected {
  const buildpacks: SettableBuildpack[] = [];
  let defaults: ProcessTypes = {};
  let packageJson: Detected["packageJson"];
  for (const name of names) {
    const known = settableBuildpack(name);
    if (!known) throw new AppError("BAD_REQUEST", `This app's buildpack ${name} is not one Slipway has. Set another (heroku buildpacks:set) or clear them to detect the app type.`);
    if (!MARKERS[known.buildpack].some((m) => has(root, m))) {
      throw new AppError(
        "BAD_REQUEST",
        `App not compatible with buildpack: ${name}\nThe ${known.label} buildpack builds apps with ${known.detects} at the root, and this source has none.\nAdd it, or change the app's buildpacks (heroku buildpacks:set, or clear them to detect the app type).`,
      );
    }
    const one = detectAs(root, known.buildpack, procfile);
    if (one.packageJson) packageJson = one.packageJson;
    defaults = { ...defaults, ...one.defaults };
    buildpacks.push(known.buildpack);
  }
  return { buildpack: buildpacks.at(-1)!, buildpacks, setNames: [...names], procfile, defaults, ...(packageJson ? { packageJson } : {}) };
}
