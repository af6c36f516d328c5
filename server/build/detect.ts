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
 * and each must suit the source; otherwise the first type that recognises it wins.
 */
export function detect(root: string, options: { buildpacks?: readonly string[] } = {}): Detected {
  const procfile = has(root, "Procfile") ? parseProcfile(fs.readFileSync(path.join(root, "Procfile"), "utf8")) : null;
  if (options.buildpacks?.length) return detectSet(root, options.buildpacks, procfile);
  if (has(root, "Dockerfile")) return { buildpack: "dockerfile", buildpacks: ["dockerfile"], setNames: null, procfile, defaults: {} };
  if (has(root, "package.json")) return { ...nodejs(root), buildpacks: ["nodejs"], setNames: null, procfile };
  if (isPython(root)) return { buildpack: "python", buildpacks: ["python"], setNames: null, procfile, defaults: {} };
  if (has(root, "index.html")) return { buildpack: "static", buildpacks: ["static"], setNames: null, procfile, defaults: { web: "node /app/.slipway/static-server.js" } };
  throw new AppError("BAD_REQUEST", `No app type detected. ${SUPPORTED}`);
}

const isPython = (root: string) => has(root, "requirements.txt") || has(root, "pyproject.toml");

function nodejs(root: string): Pick<Detected, "buildpack" | "defaults" | "packageJson"> {
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
  return { buildpack: "nodejs", defaults: web ? { web } : {}, packageJson: pkg ?? {} };
}

const SUITS: Record<SettableBuildpack, (root: string) => boolean> = {
  nodejs: (root) => has(root, "package.json"),
  python: isPython,
};

/** Like Heroku's bin/detect of a buildpack that was set: a source it cannot build fails the build. */
function detectSet(root: string, names: readonly string[], procfile: ProcessTypes | null): Detected {
  const buildpacks: SettableBuildpack[] = [];
  let defaults: ProcessTypes = {};
  let packageJson: Detected["packageJson"];
  for (const name of names) {
    const known = settableBuildpack(name);
    if (!known) throw new AppError("BAD_REQUEST", `This app's buildpack ${name} is not one Slipway has. Set another (heroku buildpacks:set) or clear them to detect the app type.`);
    if (!SUITS[known.buildpack](root)) {
      throw new AppError(
        "BAD_REQUEST",
        `App not compatible with buildpack: ${name}\nThe ${known.label} buildpack builds apps with ${known.detects} at the root, and this source has none.\nAdd it, or change the app's buildpacks (heroku buildpacks:set, or clear them to detect the app type).`,
      );
    }
    if (known.buildpack === "nodejs") {
      const node = nodejs(root);
      packageJson = node.packageJson;
      defaults = { ...defaults, ...node.defaults };
    }
    buildpacks.push(known.buildpack);
  }
  return { buildpack: buildpacks.at(-1)!, buildpacks, setNames: [...names], procfile, defaults, ...(packageJson ? { packageJson } : {}) };
}
