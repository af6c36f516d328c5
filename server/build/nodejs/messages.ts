// Heroku's Node.js buildpack messages (heroku/heroku-buildpack-nodejs: lib/runtimes/nodejs.sh,
// lib/package_manager.sh, lib/package_managers/*.sh), word for word where a user may have
// searched for them; "git push heroku main" reads "git push" here. Pure strings: the build
// prints them (a failure through AppError, so the pipeline frames it with " !     ").

const NODE_DOCS = "https://devcenter.heroku.com/articles/nodejs-support#specifying-a-node-js-version";

export function noVersionResolved(requested: string, ltsMajor: number): string {
  return `Error: No published Node.js version matches the requested range.

The version requirement in your package.json (${requested}) is a valid
semver range, but it does not match any Node.js version available on Heroku.

We recommend requesting a major version range so you automatically receive
security and bug-fix updates for that release line, for example:

"engines": {
  "node": "${ltsMajor}.x"
}

${NODE_DOCS}`;
}

export function invalidSemverRequirement(requested: string, ltsMajor: number): string {
  return `Error: Invalid Node.js version requirement.

The version requirement in your package.json (${requested}) is not a
valid semantic version range, so we can't determine which Node.js version to
install.

We recommend requesting a major version range so you automatically receive
security and bug-fix updates for that release line, for example:

"engines": {
  "node": "${ltsMajor}.x"
}

${NODE_DOCS}`;
}

export function wideRangeWarning(requested: string, ltsRange: string): string {
  return `The requested Node.js version is using a wide range (${requested}) that can resolve to a Node.js major version
higher than you intended. Limiting the requested range to a major LTS range like \`${ltsRange}\` is recommended.
https://devcenter.heroku.com/articles/nodejs-support#specifying-a-node-js-version`;
}

export function ltsUpperBoundWarning(requested: string, version: string): string {
  return `The resolved Node.js version has been limited to the Active LTS (${version}) for the requested range of \`${requested}\`.
To opt-out of this behavior, set the following config var: \`NODEJS_ALLOW_WIDE_RANGE=true\`
https://devcenter.heroku.com/articles/nodejs-support#supported-node-js-versions`;
}

export function iojsUnsupported(requested: string): string {
  return `Error: io.js is no longer supported.

Your package.json requests an io.js version:

"engines": {
  "iojs": "${requested}"
}

io.js merged back into Node.js in 2015 and has been unsupported for many years.
It likely contains security vulnerabilities that have since been patched in Node.js.

To fix this, remove the "iojs" entry under "engines" in your package.json.`;
}

export function dotHeroku(path: string): string {
  return `Error: The directory ${path} could not be created.

It looks like a .heroku file is checked into this project. The Node.js
buildpack uses the hidden directory .heroku to store binaries like the
node runtime and npm. You should remove the .heroku file or ignore it
by adding it to .slugignore.`;
}

export const LOCKFILES = { npm: "package-lock.json", pnpm: "pnpm-lock.yaml", Yarn: "yarn.lock" } as const;
export type LockfileManager = keyof typeof LOCKFILES;

export function multipleLockfiles(managers: LockfileManager[]): string {
  const steps = managers
    .map((keep) => {
      const remove = managers.filter((m) => m !== keep).map((m) => LOCKFILES[m]);
      return `If you use ${keep}:\n$ git rm ${remove.join(" ")}\n$ git commit -m "Remove unused lockfiles"\n$ git push heroku main\n`;
    })
    .join("\n");
  return `Error: Multiple lockfiles found.

Multiple package managers (${managers.join(",")}) have created lockfiles for this application,
but only one can be used to install dependencies. This usually happens when a project standardizes on one
package manager, but a dependency is later added with a different one and the extra lockfile is committed.
Installing dependencies with the wrong package manager can result in missing packages or subtle, hard to
debug bugs in production.

Only one of the following package manager lockfiles is supported at a time:
- ${LOCKFILES.npm} (npm)
- ${LOCKFILES.Yarn} (Yarn)
- ${LOCKFILES.pnpm} (pnpm)

Keep the lockfile for the package manager you use and delete the rest, then commit and redeploy:

${steps}
To stop the extra lockfiles from being committed again, add them to your .gitignore file.`;
}

export const SHRINKWRAP_CONFLICT = `Error: Multiple lockfiles conflicting with npm-shrinkwrap.json.

Your application has multiple lockfiles defined which conflicts with the
shrinkwrap file you've been using. Only one lockfile can be used
to install dependencies. Installing dependencies using the wrong lockfile
can result in missing packages or subtle bugs in production.

Please make sure there is only one of the following files in your
application directory, then commit and redeploy:

- yarn.lock
- pnpm-lock.yaml
- package-lock.json
- npm-shrinkwrap.json

To stop the extra lockfiles from being committed again, add them to your .gitignore file.`;

export function conflictingMetadata(fields: string[]): string {
  return `Multiple package managers declared in package.json

Installing dependencies using the wrong package manager can result in missing packages or subtle bugs
in production. Only one of the following fields should be used, all others should be removed:

${fields.map((f) => `- ${f}`).join("\n")}`;
}

export function multipleVersionsDeclared(tool: "pnpm" | "Yarn", packageManager: string, engine: string): string {
  const field = tool === "pnpm" ? "engines.pnpm" : "engines.yarn";
  return `Multiple ${tool} versions declared

The package.json file indicates the target version of ${tool} to install in two fields:
- "packageManager": "${packageManager}"
- "${field}": "${engine}"

If both fields are present, then "packageManager" will take precedence and "${packageManager}" will be installed.

To ensure we install the version of ${tool} you want, remove one of these fields.`;
}

export function defaultPnpmVersion(version: string): string {
  return `Default pnpm version used

A pnpm lockfile (pnpm-lock.yaml) was detected but no specific version of pnpm was defined in package.json in either of the following fields:
- "packageManager"
- "engines.pnpm"

Without a specific version defined, this build will use "pnpm@${version}" by default. We highly recommend setting an explicit version
of pnpm to improve the reliability of your builds.`;
}

export function npmInstallFailed(version: string): string {
  return `Unable to install npm ${version}.
Does npm ${version} exist?
Is npm ${version} compatible with this Node.js version?`;
}

export function yarnInstallFailed(version: string): string {
  return `Unable to install yarn ${version}.
Does yarn ${version} exist? (https://help.heroku.com/8MEL050H)
Is ${version} valid semver? (https://help.heroku.com/0ZIOF3ST)
Is yarn ${version} compatible with this Node.js version?`;
}

export function pnpmInstallFailed(version: string): string {
  return `Unable to install pnpm ${version}.
Does pnpm ${version} exist?
Is pnpm ${version} compatible with this Node.js version?`;
}

export const MISSING_YARNRC_YML = `The 'yarnrc.yml' file is not found

It looks like the 'yarnrc.yml' file is missing from this project. Please
make sure this file is checked into version control and made available to
Heroku.

To generate 'yarnrc.yml', make sure Yarn 2 is installed on your local
machine and set the version in your project directory with:

 $ yarn set version berry

Read more at the Yarn docs: https://yarnpkg.com/getting-started/install#per-project-install
https://devcenter.heroku.com/articles/nodejs-support`;

export const MISSING_YARN_PATH = `The 'yarnPath' could not be read from the 'yarnrc.yml' file

It looks like 'yarnrc.yml' is missing the 'yarnPath' value, which is needed
to identify the location of yarn for this build.

To regenerate 'yarnrc.yml' with the 'yarnPath' value set, make sure Yarn 2
is installed on your local machine and set the version in your project
directory with:

 $ yarn set version berry

Read more at the Yarn docs: https://yarnpkg.com/getting-started/install#per-project-install
https://devcenter.heroku.com/articles/nodejs-support`;

export const NO_START = `This app may not specify any way to start a node process

https://devcenter.heroku.com/articles/nodejs-support#default-web-process-type`;

/** Heroku's `output::warning`: a blank line, the text with " !     " before each line, a blank line. */
export function warningBlock(text: string): string {
  return `\n${text
    .split("\n")
    .map((l) => ` !     ${l}`.trimEnd())
    .join("\n")}\n\n`;
}
