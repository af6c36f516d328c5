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

export function detect(root: string): Detected {
  const procfile = has(root, "Procfile") ? parseProcfile(fs.readFileSync(path.join(root, "Procfile"), "utf8")) : null;
  if (has(root, "Dockerfile")) return { buildpack: "dockerfile", procfile, defaults: {} };
  if (has(root, "package.json")) {
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
    return { buildpack: "nodejs", procfile, defaults, packageJson: pkg ?? {} };
  }
  if (has(root, "requirements.txt") || has(root, "pyproject.toml")) return { buildpack: "python", procfile, defaults: {} };
  if (has(root, "index.html")) return { buildpack: "static", procfile, defaults: { web: "node /app/.slipway/static-server.js" } };
  throw new AppError("BAD_REQUEST", `No app type detected. ${SUPPORTED}`);
}
