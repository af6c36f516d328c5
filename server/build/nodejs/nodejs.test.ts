// The pure parts of Node.js builds: version resolution (Heroku's resolver rules) and which
// package manager a source gets, with Heroku's refusals. Real pushes: nodejs-push.test.ts.
import { describe, expect, it } from "vitest";
import { AppError } from "@/server/errors";
import { cacheDirectories, checkSource, choosePackageManager, type SourceFacts } from "@/server/build/nodejs/package-managers";
import { builderSatisfies, DEFAULT_PNPM_RANGE, defaultNpmFor, invalidNodeRange, newestCompatible, parsePackageManager, pickRelease, resolveNode, yarnPackageFor } from "@/server/build/nodejs/versions";

const NODE_VERSIONS = ["0.10.48", "0.12.18", "4.0.0", "18.20.8", "20.0.0", "20.1.0", "20.18.3", "20.19.0", "22.11.0", "22.23.5", "24.0.0", "24.22.3", "25.1.0", "26.12.1", "27.0.0-rc.1"];
const resolve = (requested: string, allowWideRange = false) => resolveNode({ requested, versions: NODE_VERSIONS, ltsMajor: 24, allowWideRange });

describe("Node.js version resolution", () => {
  it.each([
    ["20.x", "20.19.0"],
    ["20", "20.19.0"],
    ["~20.1.0", "20.1.0"],
    ["^20.1", "20.19.0"],
    ["20.18.3", "20.18.3"],
    ["= 0.10.x", "0.10.48"],
    ["4.0.0", "4.0.0"],
    ["v22.11.0", "22.11.0"],
    ["", "24.22.3"], // missing engines.node: the LTS line
  ])("%j resolves to %s", (requested, version) => {
    expect(resolve(requested)).toEqual(expect.objectContaining({ ok: true, version }));
  });

  it("holds wide ranges to the LTS line, with Heroku's warnings, unless NODEJS_ALLOW_WIDE_RANGE", () => {
    const held = resolve(">=18");
    expect(held).toMatchObject({ ok: true, version: "24.22.3" });
    expect(held.ok && held.warnings.join("\n")).toContain("is using a wide range (>=18)");
    expect(held.ok && held.warnings.join("\n")).toContain("has been limited to the Active LTS (24.22.3) for the requested range of `>=18`");
    expect(resolve(">=18", true)).toMatchObject({ ok: true, version: "26.12.1" });
    expect(resolve("20.x")).toMatchObject({ ok: true, warnings: [] });
  });

  it("refuses an impossible range and a requirement that is not semver with Heroku's messages", () => {
    const none = resolve("0.11.333");
    expect(none.ok).toBe(false);
    expect(!none.ok && none.message).toContain("Error: No published Node.js version matches the requested range.");
    expect(!none.ok && none.message).toContain("The version requirement in your package.json (0.11.333) is a valid\nsemver range");
    expect(!none.ok && none.message).toContain('"node": "24.x"');
    expect(invalidNodeRange("stable", 24)).toContain("Error: Invalid Node.js version requirement.");
    expect(invalidNodeRange("20.x", 24)).toBeNull();
    expect(invalidNodeRange("", 24)).toBeNull();
  });

  it("uses the builder's own Node.js when it satisfies the request (no registry, no download)", () => {
    expect(builderSatisfies("", "24.22.3", 24)).toBe(true);
    expect(builderSatisfies("24.x", "24.22.3", 24)).toBe(true);
    expect(builderSatisfies(">=18", "24.22.3", 24)).toBe(true);
    expect(builderSatisfies("20.x", "24.22.3", 24)).toBe(false);
    expect(builderSatisfies("^24.23", "24.22.3", 24)).toBe(false);
    expect(builderSatisfies("", null, 24)).toBe(false);
    expect(builderSatisfies("", "22.1.0", 24)).toBe(false);
  });
});

describe("npm, yarn and pnpm versions", () => {
  const npm = [
    { version: "8.19.4", engines: { node: "^12.13.0 || ^14.15.0 || >=16.0.0" } },
    { version: "9.9.4", engines: { node: "^14.17.0 || ^16.13.0 || >=18.0.0" } },
    { version: "10.9.2", engines: { node: "^18.17.0 || >=20.5.0" } },
    { version: "11.21.3", engines: { node: "^20.17.0 || >=22.9.0" } },
    { version: "12.2.3", engines: { node: "^22.22.2 || ^24.15.0 || >=26.0.0" } },
  ];

  it("gives a downloaded Node.js the newest npm of the major its release bundles that accepts it", () => {
    expect(defaultNpmFor("20.19.0", npm)).toBe("10.9.2");
    expect(defaultNpmFor("24.22.3", npm)).toBe("11.21.3");
    expect(defaultNpmFor("16.20.2", npm)).toBe("8.19.4");
    expect(defaultNpmFor("18.0.0", npm)).toBe("9.9.4"); // npm 10 wants 18.17+
  });

  it("picks pnpm and yarn releases by range, dist-tag, or what the Node.js accepts", () => {
    const pnpm = [
      { version: "10.34.8", engines: { node: ">=18.12" } },
      { version: "11.2.0", engines: { node: ">=22.13" } },
      { version: "12.25.1", engines: { node: ">=18" } },
      { version: "9.15.9", engines: { node: ">=18.12" } },
      { version: "8.15.9", engines: { node: ">=16.14" } },
    ];
    expect(newestCompatible(pnpm, "*", "20.19.0")).toBe("12.25.1");
    expect(newestCompatible(pnpm, "<12", "20.19.0")).toBe("10.34.8"); // pnpm 11 crashes on Node 20 and says so
    expect(newestCompatible(pnpm, DEFAULT_PNPM_RANGE, "24.22.3")).toBe("10.34.8");
    expect(newestCompatible(pnpm, DEFAULT_PNPM_RANGE, "16.20.2")).toBe("8.15.9");
    expect(pickRelease(["1.22.19", "1.22.22"], { latest: "1.22.22" }, "1.22.x")).toBe("1.22.22");
    expect(pickRelease(["1.22.19", "1.22.22"], { latest: "1.22.22" }, "latest")).toBe("1.22.22");
    expect(pickRelease(["1.22.19"], {}, "2.x")).toBeNull();
    expect(parsePackageManager("yarn@1.22.22+sha512.a6b2f7906b721bba3d67d4aff083df04dad64c399707841b7acf00f6b133b7ac24255f2652fa22ae3534329dc6180534e98d17432037ff6fd140556e2bb3137e")).toEqual({ name: "yarn", version: "1.22.22" });
    expect(parsePackageManager("pnpm@10.34.8")).toEqual({ name: "pnpm", version: "10.34.8" });
    expect(parsePackageManager("nonsense")).toBeNull();
    expect(yarnPackageFor("1.22.22")).toBe("yarn");
    expect(yarnPackageFor("4.5.0")).toBe("@yarnpkg/cli-dist");
  });
});

function facts(over: Partial<SourceFacts["has"]> = {}, pkg: SourceFacts["packageJson"] = {}, extra: Partial<SourceFacts> = {}): SourceFacts {
  return {
    packageJson: pkg,
    has: { packageLock: false, shrinkwrap: false, yarnLock: false, pnpmLock: false, yarnrcYml: false, dotHerokuFile: false, dotHerokuNodeFile: false, ...over },
    yarnLockIsBerry: false,
    yarnPath: null,
    yarnNodeLinker: null,
    ...extra,
  };
}
const refusal = (f: SourceFacts) => {
  try {
    checkSource(f);
    choosePackageManager(f);
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return (err as AppError).message;
  }
  return null;
};

describe("lockfiles and package managers", () => {
  it("refuses lockfiles of several managers with Heroku's guidance", () => {
    const msg = refusal(facts({ packageLock: true, yarnLock: true }));
    expect(msg).toContain("Error: Multiple lockfiles found.");
    expect(msg).toContain("Multiple package managers (npm,Yarn) have created lockfiles for this application,");
    expect(msg).toContain('If you use npm:\n$ git rm yarn.lock\n$ git commit -m "Remove unused lockfiles"');
    expect(msg).toContain("If you use Yarn:\n$ git rm package-lock.json");
    expect(refusal(facts({ packageLock: true, yarnLock: true, pnpmLock: true }))).toContain("Multiple package managers (npm,pnpm,Yarn)");
    expect(refusal(facts({ yarnLock: true, shrinkwrap: true }))).toContain("Error: Multiple lockfiles conflicting with npm-shrinkwrap.json.");
  });

  it("refuses two package managers declared in package.json, io.js, and a checked-in .heroku file", () => {
    const msg = refusal(facts({}, { engines: { npm: "10.x" }, packageManager: "pnpm@10.0.0" }));
    expect(msg).toContain("Multiple package managers declared in package.json");
    expect(msg).toContain("- npm version detected in engines.npm (10.x)\n- pnpm version declared in packageManager (pnpm@10.0.0)");
    expect(refusal(facts({}, { engines: { iojs: "3.x" } }))).toContain("Error: io.js is no longer supported.");
    expect(refusal(facts({ dotHerokuFile: true }))).toContain("Error: The directory .heroku could not be created.");
    expect(refusal(facts({}, { engines: { yarn: "1.x" }, packageManager: "yarn@1.22.22" }))).toBeNull(); // one manager, two fields: a warning only
  });

  it("chooses by lockfile first, then packageManager, then engines", () => {
    expect(choosePackageManager(facts({ packageLock: true }))).toEqual({ name: "npm", useCi: true });
    expect(choosePackageManager(facts())).toEqual({ name: "npm", useCi: false });
    expect(choosePackageManager(facts({ yarnLock: true }))).toEqual({ name: "yarn", berry: false, range: "1.22.x", source: "default" });
    expect(choosePackageManager(facts({ yarnLock: true }, { packageManager: "yarn@1.22.22+sha512.abc" }))).toMatchObject({ name: "yarn", berry: false, range: "1.22.22", source: "packageManager" });
    expect(choosePackageManager(facts({ pnpmLock: true }))).toEqual({ name: "pnpm", range: null, source: "default", frozen: true });
    expect(choosePackageManager(facts({}, { packageManager: "pnpm@10.34.8" }))).toEqual({ name: "pnpm", range: "10.34.8", source: "packageManager", frozen: false });
    expect(choosePackageManager(facts({}, { engines: { yarn: "1.22.x" } }))).toMatchObject({ name: "yarn", range: "1.22.x", source: "engines.yarn" });
    expect(choosePackageManager(facts({ packageLock: true }, { engines: { yarn: "1.22.x" } }))).toMatchObject({ name: "npm" }); // the lockfile decides
  });

  it("runs Yarn 2+ from packageManager or from the release its .yarnrc.yml names, and says what is missing otherwise", () => {
    const berry = { yarnLockIsBerry: true };
    expect(choosePackageManager(facts({ yarnLock: true }, { packageManager: "yarn@4.5.0" }, berry))).toEqual({ name: "yarn", berry: true, range: "4.5.0", package: "@yarnpkg/cli-dist", source: "packageManager", pnp: true });
    expect(choosePackageManager(facts({ yarnLock: true, yarnrcYml: true }, {}, { ...berry, yarnPath: ".yarn/releases/yarn-4.5.0.cjs", yarnNodeLinker: "node-modules" }))).toEqual({
      name: "yarn", berry: true, range: "1.22.x", package: "yarn", source: "yarnPath", pnp: false,
    });
    expect(refusal(facts({ yarnLock: true }, {}, berry))).toContain("The 'yarnrc.yml' file is not found");
    expect(refusal(facts({ yarnLock: true, yarnrcYml: true }, {}, berry))).toContain("The 'yarnPath' could not be read from the 'yarnrc.yml' file");
  });

  it("keeps cacheDirectories inside the app", () => {
    expect(cacheDirectories({ cacheDirectories: ["./.next/cache/", "node_modules", "/etc", "../up", "a/../../b"] })).toEqual([".next/cache", "node_modules"]);
    expect(cacheDirectories({ cache_directories: ["bower_components"] })).toEqual(["bower_components"]);
  });
});
