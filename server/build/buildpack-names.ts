// The buildpacks an app can be set to (`heroku buildpacks:set heroku/python`), by the
// names Heroku's registry gives them, and the other spellings the CLI and app.json use for
// the same buildpack (its registry URN, the registry's tarball URL, the GitHub repository).
// Pure data and functions: the dashboard imports it too.

/** A language Slipway builds (server/build/detect.ts), set by name instead of detected. */
export type SettableBuildpack = "nodejs" | "python";

export const SETTABLE_BUILDPACKS: { name: string; buildpack: SettableBuildpack; label: string; detects: string }[] = [
  { name: "heroku/nodejs", buildpack: "nodejs", label: "Node.js", detects: "package.json" },
  { name: "heroku/python", buildpack: "python", label: "Python", detects: "requirements.txt or pyproject.toml" },
];

export const MAX_BUILDPACKS = SETTABLE_BUILDPACKS.length;

export const BUILDPACK_HELP = `Slipway builds with ${SETTABLE_BUILDPACKS.map((b) => b.name).join(" or ")} (or, with no buildpack set, detects the app type: a Dockerfile, Node.js, Python or a static site).`;

/**
 * The registry name a spelling stands for, or null when it is not one of ours:
 * `heroku/nodejs`, `urn:buildpack:heroku/nodejs`,
 * `https://buildpack-registry.s3.amazonaws.com/buildpacks/heroku/nodejs.tgz`,
 * `https://codon-buildpacks.s3.amazonaws.com/buildpacks/heroku/nodejs.tgz`,
 * `https://github.com/heroku/heroku-buildpack-nodejs(.git)(#ref)`.
 */
export function buildpackName(spelling: string): string | null {
  const s = spelling.trim().toLowerCase();
  const patterns = [
    /^(?:urn:buildpack:)?heroku\/([a-z0-9_-]+)$/,
    /^https:\/\/(?:buildpack-registry|codon-buildpacks)\.s3\.amazonaws\.com\/buildpacks\/heroku\/([a-z0-9_-]+)\.tgz$/,
    /^(?:https?|git):\/\/github\.com\/heroku\/heroku-buildpack-([a-z0-9_-]+?)(?:\.git)?\/?(?:#[\w./-]*)?$/,
  ];
  for (const pattern of patterns) {
    const m = pattern.exec(s);
    const name = m && `heroku/${m[1]}`;
    if (name && SETTABLE_BUILDPACKS.some((b) => b.name === name)) return name;
  }
  return null;
}

export function settableBuildpack(name: string) {
  return SETTABLE_BUILDPACKS.find((b) => b.name === name) ?? null;
}
