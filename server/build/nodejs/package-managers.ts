// Which package manager installs a Node.js app, and the package.json mistakes Heroku refuses
// before installing anything (lib/package_manager.sh: fail_multiple_lockfiles,
// fail_conflicting_metadata). Pure: the caller reads the source tree into a SourceFacts.
import { AppError } from "@/server/errors";
import {
  conflictingMetadata,
  dotHeroku,
  iojsUnsupported,
  MISSING_YARN_PATH,
  MISSING_YARNRC_YML,
  multipleLockfiles,
  SHRINKWRAP_CONFLICT,
  type LockfileManager,
} from "@/server/build/nodejs/messages";
import { parsePackageManager, yarnPackageFor } from "@/server/build/nodejs/versions";

export type PackageJson = {
  engines?: { node?: string; npm?: string; yarn?: string; pnpm?: string; iojs?: string };
  packageManager?: string;
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  cacheDirectories?: string[];
  cache_directories?: string[];
  workspaces?: unknown;
};

export type SourceFacts = {
  packageJson: PackageJson;
  /** Lockfiles and other files at the root of the source that matter here. */
  has: { packageLock: boolean; shrinkwrap: boolean; yarnLock: boolean; pnpmLock: boolean; yarnrcYml: boolean; dotHerokuFile: boolean; dotHerokuNodeFile: boolean };
  /** yarn.lock in Yarn 2+'s format (it has a __metadata entry). */
  yarnLockIsBerry: boolean;
  /** yarnPath from .yarnrc.yml, when that file names one that exists. */
  yarnPath: string | null;
  /** nodeLinker from .yarnrc.yml (Yarn 2+: "pnp" unless it says otherwise). */
  yarnNodeLinker: string | null;
};

export type PackageManagerPlan =
  | { name: "npm"; useCi: boolean }
  | { name: "yarn"; berry: false; range: string; source: "packageManager" | "engines.yarn" | "default" }
  | { name: "yarn"; berry: true; range: string; package: "yarn" | "@yarnpkg/cli-dist"; source: "packageManager" | "engines.yarn" | "yarnPath"; pnp: boolean }
  | { name: "pnpm"; range: string | null; source: "packageManager" | "engines.pnpm" | "default"; frozen: boolean };

/** The refusals Heroku makes before anything is installed, in its order. */
export function checkSource(facts: SourceFacts): void {
  const fail = (message: string) => {
    throw new AppError("BAD_REQUEST", message);
  };
  if (facts.has.dotHerokuFile) fail(dotHeroku(".heroku"));
  if (facts.has.dotHerokuNodeFile) fail(dotHeroku(".heroku/node"));
  const managers: LockfileManager[] = [];
  if (facts.has.packageLock) managers.push("npm");
  if (facts.has.pnpmLock) managers.push("pnpm");
  if (facts.has.yarnLock) managers.push("Yarn");
  if (managers.length > 1) fail(multipleLockfiles(managers));
  if (managers.length > 0 && facts.has.shrinkwrap) fail(SHRINKWRAP_CONFLICT);
  const fields = declaredManagers(facts.packageJson);
  if (new Set(fields.map((f) => f.manager)).size > 1) fail(conflictingMetadata(fields.map((f) => f.text)));
  const iojs = facts.packageJson.engines?.iojs;
  if (iojs) fail(iojsUnsupported(iojs));
}

function declaredManagers(pkg: PackageJson): { manager: string; text: string }[] {
  const e = pkg.engines ?? {};
  const out: { manager: string; text: string }[] = [];
  if (e.npm) out.push({ manager: "npm", text: `npm version detected in engines.npm (${e.npm})` });
  if (e.yarn) out.push({ manager: "yarn", text: `yarn version declared in engines.yarn (${e.yarn})` });
  if (e.pnpm) out.push({ manager: "pnpm", text: `pnpm version declared in engines.pnpm (${e.pnpm})` });
  const pm = pkg.packageManager ?? "";
  if (pm.startsWith("yarn")) out.push({ manager: "yarn", text: `yarn version declared in packageManager (${pm})` });
  else if (pm.startsWith("pnpm")) out.push({ manager: "pnpm", text: `pnpm version declared in packageManager (${pm})` });
  return out;
}

/**
 * The lockfile decides, as on Heroku; without one, `packageManager`, then engines.yarn /
 * engines.pnpm name the manager (Heroku's classic buildpack would install with npm there and
 * only download the named tool — Heroku's newer Node.js builds pick the named one, as here).
 */
export function choosePackageManager(facts: SourceFacts): PackageManagerPlan {
  const pkg = facts.packageJson;
  const declared = parsePackageManager(pkg.packageManager);
  const engines = pkg.engines ?? {};
  const useYarn = facts.has.yarnLock || (!facts.has.pnpmLock && !facts.has.packageLock && (declared?.name === "yarn" || (!declared && !!engines.yarn)));
  const usePnpm = facts.has.pnpmLock || (!facts.has.yarnLock && !facts.has.packageLock && (declared?.name === "pnpm" || (!declared && !!engines.pnpm)));
  if (useYarn) {
    const range = declared?.name === "yarn" ? declared.version : engines.yarn || "";
    const source = declared?.name === "yarn" ? ("packageManager" as const) : engines.yarn ? ("engines.yarn" as const) : null;
    const berry = facts.yarnLockIsBerry || (!!range && yarnPackageFor(range) === "@yarnpkg/cli-dist");
    if (!berry) return { name: "yarn", berry: false, range: range || "1.22.x", source: source ?? "default" };
    const pnp = (facts.yarnNodeLinker ?? "pnp") === "pnp";
    if (range && yarnPackageFor(range) === "@yarnpkg/cli-dist") {
      return { name: "yarn", berry: true, range, package: "@yarnpkg/cli-dist", source: source!, pnp };
    }
    // Yarn 2+ without a version to install: Yarn 1 starts it from the release checked in at yarnPath.
    if (!facts.has.yarnrcYml) throw new AppError("BAD_REQUEST", MISSING_YARNRC_YML);
    if (!facts.yarnPath) throw new AppError("BAD_REQUEST", MISSING_YARN_PATH);
    return { name: "yarn", berry: true, range: range || "1.22.x", package: "yarn", source: "yarnPath", pnp };
  }
  if (usePnpm) {
    const range = declared?.name === "pnpm" ? declared.version : engines.pnpm || null;
    const source = declared?.name === "pnpm" ? ("packageManager" as const) : engines.pnpm ? ("engines.pnpm" as const) : ("default" as const);
    return { name: "pnpm", range, source, frozen: facts.has.pnpmLock };
  }
  return { name: "npm", useCi: facts.has.packageLock || facts.has.shrinkwrap };
}

/** Whether the app has anything for a package manager to install. */
export function hasDependencies(pkg: PackageJson): boolean {
  const count = (o?: Record<string, string>) => Object.keys(o ?? {}).length;
  return count(pkg.dependencies) + count(pkg.devDependencies) + count(pkg.optionalDependencies) > 0 || pkg.workspaces !== undefined;
}

/** cacheDirectories (or the older cache_directories) from package.json: relative paths inside the app only. */
export function cacheDirectories(pkg: PackageJson): string[] {
  const list = Array.isArray(pkg.cacheDirectories) && pkg.cacheDirectories.length ? pkg.cacheDirectories : Array.isArray(pkg.cache_directories) ? pkg.cache_directories : [];
  return list.filter((d): d is string => typeof d === "string").map((d) => d.replace(/^\.\/+/, "").replace(/\/+$/, "")).filter((d) => d && !d.startsWith("/") && !d.split("/").includes(".."));
}
