// Node.js builds as Heroku's buildpack does them, through real `git push`es of the fixtures
// in server/build/fixtures (node-engines, node-hooks, node-yarn, node-yarn-berry, node-pnpm) to the real Engine
// and builder image: engines.node downloaded once per installation and run by the dyno,
// Heroku's refusals (impossible range, several lockfiles, an out-of-sync lockfile) with the
// previous release still serving, yarn 1 and pnpm, the lifecycle scripts in order with
// config vars, devDependencies pruned, the build cache restored, the dyno's runtime settings,
// yarn and pnpm workspaces. The apps build at the same time (the build queue runs two at once).
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, it } from "vitest";
import { dataDir, env, toolchainDir } from "@/server/env";
import { setConfigVars } from "@/server/services/config-vars";
import { currentReleaseVersion } from "@/server/services/releases";
import { docker } from "@/server/runtime/docker";
import { pushPlatform } from "@/server/testing/push-platform";
import { waitFor } from "@/server/testing/runtime";
import { commitAll, dynoAnswer, push } from "@/server/testing/git-push";

const started = Date.now();

beforeAll(async () => {
  const labels = (await docker().getImage(env().SLIPWAY_BUILDER_IMAGE).inspect()).Config?.Labels ?? {};
  if (!labels["org.slipway.node"]) {
    throw new Error(`${env().SLIPWAY_BUILDER_IMAGE} predates Node.js builds (no org.slipway.node label): scripts/ensure-engine.sh rebuilds it`);
  }
});

const platform = pushPlatform("node-push");
const { opts, repo } = platform;

afterAll(() => {
  // The Node.js releases this run downloaded (into the test's throwaway data dir: ~150 MB).
  if (toolchainDir().startsWith(dataDir() + path.sep)) fs.rmSync(toolchainDir(), { recursive: true, force: true });
  console.log(`Node.js push suite: ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

async function newApp(prefix: string) {
  const app = await platform.newApp(prefix);
  return { ...app, url: platform.remote(app.name) };
}

/** The build's output as the app's owner reads it: git's "remote: " prefixes dropped. */
async function deploy(dir: string, url: string) {
  const r = await push(dir, url);
  const text = r.output.replace(/^remote: ?/gm, "").replace(/[ \t]+$/gm, "");
  if (process.env.SHOW_BUILD_OUTPUT) console.log(text);
  return { code: r.code, raw: r.output, text };
}

type Report = { fixture: string; node: string; nodeEnv: string; nodeOptions: string; webConcurrency: string; devDependency: boolean; ms: number | null; hooks: string[]; greeting: string | null };

/** What the app's web.1 reports once the given release's dyno answers. */
const report = (appId: string, release: number) =>
  waitFor(`web.1 of v${release} to answer`, async () => {
    const a = await dynoAnswer(opts.installation, appId, "web.1", release);
    return a ? (JSON.parse(a) as Report) : null;
  }, 60_000);

/** Each of `lines` appears in `text`, in this order. */
function inOrder(text: string, lines: string[]) {
  let at = 0;
  for (const line of lines) {
    const i = text.indexOf(line, at);
    if (i < 0) throw new Error(`expected ${JSON.stringify(line)} after position ${at} in:\n${text}`);
    at = i + line.length;
  }
}

const edit = (dir: string, file: string, change: (s: string) => string) =>
  fs.writeFileSync(path.join(dir, file), change(fs.readFileSync(path.join(dir, file), "utf8")));

describe.concurrent("Node.js builds through git push", { timeout: 240_000 }, () => {
  it("installs the engines.node version into the image once per installation, and refuses an impossible range", async ({ expect }) => {
    const app = await newApp("node-engines");
    const dir = await repo("node-engines");
    const first = await deploy(dir, app.url);
    expect(first.code, first.text).toBe(0);
    inOrder(first.text, [
      "-----> Creating runtime environment",
      "       NODE_ENV=production",
      "-----> Installing binaries",
      "       engines.node (package.json):   20.x",
      "       engines.npm (package.json):    unspecified (use default)",
      "       Resolving node version 20.x...",
      "       Downloading and installing node 20.",
      "       Using default npm version: 10.",
      "-----> Installing dependencies",
      "-----> Build",
      "-----> Pruning devDependencies",
      "-----> Released v2",
    ]);
    const running = await report(app.id, 2);
    expect(running.node).toMatch(/^v20\./);
    expect(running.nodeEnv).toBe("production");
    // standard-1x: 512 MB, of which V8 may take 3/4; Heroku's WEB_CONCURRENCY for 512 MB.
    expect(running.nodeOptions).toBe("--max-old-space-size=384");
    expect(running.webConcurrency).toBe("1");

    // A second app wanting Node.js 20 takes it from the installation's folder.
    const other = await newApp("node-engines-2");
    const second = await deploy(await repo("node-engines"), other.url);
    expect(second.code, second.text).toBe(0);
    expect(second.text).toMatch(/ {7}Installing node 20\.\d+\.\d+ \(downloaded before for this installation\)\.\.\./);
    expect(second.text).not.toContain("Downloading and installing node");
    expect((await report(other.id, 2)).node).toBe(running.node);

    // A range no release matches: Heroku's message, and v2 keeps serving.
    edit(dir, "package.json", (s) => s.replace('"20.x"', '"0.11.333"'));
    await commitAll(dir, "impossible engines.node");
    const refused = await deploy(dir, app.url);
    expect(refused.code).not.toBe(0);
    inOrder(refused.text, [
      "       Resolving node version 0.11.333...",
      " !     Error: No published Node.js version matches the requested range.",
      " !     The version requirement in your package.json (0.11.333) is a valid",
      ' !       "node": "24.x"',
      " !     Build failed.",
    ]);

    // An npm version that does not exist: said before anything is installed.
    edit(dir, "package.json", (s) => s.replace('"0.11.333"', '"20.x", "npm": "999.x"'));
    await commitAll(dir, "impossible engines.npm");
    const noNpm = await deploy(dir, app.url);
    expect(noNpm.code).not.toBe(0);
    inOrder(noNpm.text, ["       Bootstrapping npm 999.x (replacing 10.", " !     Unable to install npm 999.x.", " !     Does npm 999.x exist?"]);
    expect(await currentReleaseVersion(app.id)).toBe(2);
    expect((await report(app.id, 2)).node).toBe(running.node);
  });

  it("runs heroku-prebuild, install, heroku-postbuild, prune and heroku-cleanup in order with the config vars, and restores the cache", async ({ expect }) => {
    const app = await newApp("node-hooks");
    await setConfigVars({ appId: app.id, userId: platform.userId, changes: { BUILD_GREETING: "hello-from-config" } }); // v2
    const dir = await repo("node-hooks");
    const first = await deploy(dir, app.url);
    expect(first.code, first.text).toBe(0);
    inOrder(first.text, [
      "       engines.npm (package.json):    10.9.x",
      "       Using node 24.",
      "       Bootstrapping npm 10.9.x (replacing 11.",
      "       npm 10.9.",
      "-----> Prebuild",
      "       Running heroku-prebuild",
      "hook heroku-prebuild ran",
      "-----> Installing dependencies",
      "       Installing node modules",
      "-----> Build",
      '       Detected both "build" and "heroku-postbuild" scripts',
      "       Running heroku-postbuild",
      "hook heroku-postbuild ran",
      "-----> Caching build",
      "       - npm cache",
      "-----> Pruning devDependencies",
      "-----> Cleanup",
      "       Running heroku-cleanup",
      "hook heroku-cleanup ran",
      "-----> Released v3",
    ]);
    expect(first.text).not.toContain("-----> Restoring cache"); // nothing cached yet: Heroku says nothing
    expect(first.text).not.toContain("hook build ran"); // heroku-postbuild replaces build
    const v3 = await report(app.id, 3);
    expect(v3.hooks).toEqual([
      "heroku-prebuild NODE_ENV=production BUILD_GREETING=hello-from-config dev=false",
      "heroku-postbuild NODE_ENV=production BUILD_GREETING=hello-from-config dev=true",
      "heroku-cleanup NODE_ENV=production BUILD_GREETING=hello-from-config dev=false",
    ]);
    expect(v3).toMatchObject({ devDependency: false, ms: 3_600_000 });

    // Second push: the npm cache comes back; NPM_CONFIG_PRODUCTION=false keeps devDependencies.
    await setConfigVars({ appId: app.id, userId: platform.userId, changes: { NPM_CONFIG_PRODUCTION: "false" } }); // v4
    await commitAll(dir, "again");
    const second = await deploy(dir, app.url);
    expect(second.code, second.text).toBe(0);
    inOrder(second.text, ["       NPM_CONFIG_PRODUCTION=false", "-----> Restoring cache", "       - npm cache", "-----> Pruning devDependencies", "       Skipping because NPM_CONFIG_PRODUCTION is 'false'", "-----> Released v5"]);
    expect((await report(app.id, 5)).devDependency).toBe(true);

    // package.json changed without its lockfile: npm ci refuses, and Heroku says how to fix it.
    const stale = await repo("node-hooks", (d) => edit(d, "package.json", (s) => s.replace('"ms": "2.1.3"', '"ms": "2.1.2"')));
    const outOfSync = await push(stale, app.url, "main", ["--force"]);
    expect(outOfSync.code).not.toBe(0);
    expect(outOfSync.output).toContain("remote:  !     Error: npm lockfile is not in sync.");
    expect(outOfSync.output).toContain("run `npm install` locally in your app directory to regenerate the");

    // A yarn.lock beside package-lock.json: refused before installing anything.
    const twoLocks = await repo("node-hooks", (d) => fs.copyFileSync(path.join(process.cwd(), "server/build/fixtures/node-yarn/yarn.lock"), path.join(d, "yarn.lock")));
    const refused = await push(twoLocks, app.url, "main", ["--force"]);
    const text = refused.output;
    expect(refused.code).not.toBe(0);
    expect(text).toContain("remote:  !     Error: Multiple lockfiles found.");
    expect(text).toContain("remote:  !     Multiple package managers (npm,Yarn) have created lockfiles for this application,");
    expect(text).toContain("remote:  !     $ git rm yarn.lock");
    expect(text).not.toContain("-----> Installing dependencies");
    expect(await currentReleaseVersion(app.id)).toBe(5);
    expect((await report(app.id, 5)).devDependency).toBe(true);
  });

  it("installs with yarn 1 named by packageManager, and the dyno runs yarn from the slug", async ({ expect }) => {
    const app = await newApp("node-yarn");
    const r = await deploy(await repo("node-yarn"), app.url);
    expect(r.code, r.text).toBe(0);
    inOrder(r.text, [
      "       engines.yarn (package.json):   unspecified (use default)",
      "       packageManager (package.json): yarn@1.22.22",
      "       Downloading and installing yarn (1.22.22)",
      "       Installed yarn 1.22.22",
      "-----> Installing dependencies",
      "       Installing node modules (yarn.lock)",
      "-----> Build",
      "       Running build (yarn)",
      "yarn build ran",
      "-----> Pruning devDependencies",
      "-----> Caching build",
      "       - yarn cache",
      "       Procfile declares types -> web",
    ]);
    const running = await report(app.id, 2); // answered through `web: yarn start`
    expect(running).toMatchObject({ fixture: "node-yarn", devDependency: false, ms: 3_600_000 });
  });

  it("installs a Yarn 4 workspace named by packageManager, and prunes it", async ({ expect }) => {
    const app = await newApp("node-berry");
    const r = await deploy(await repo("node-yarn-berry"), app.url);
    expect(r.code, r.text).toBe(0);
    inOrder(r.text, [
      "       packageManager (package.json): yarn@4.18.1",
      "       Downloading and installing yarn (4.18.1)",
      "       Using yarn 4.18.1",
      "-----> Installing dependencies",
      "       Running 'yarn install' with yarn.lock",
      "-----> Caching build",
      "       - yarn cache",
      "-----> Pruning devDependencies",
      "       Running 'yarn workspaces focus --all --production'",
    ]);
    expect(await report(app.id, 2)).toMatchObject({ devDependency: false, ms: 3_600_000, greeting: "hello from the node-yarn-berry workspace" });
  });

  it("installs a pnpm workspace found by its lockfile, warning that no version was named", async ({ expect }) => {
    const app = await newApp("node-pnpm");
    const r = await deploy(await repo("node-pnpm"), app.url);
    expect(r.code, r.text).toBe(0);
    inOrder(r.text, [
      "       engines.pnpm (package.json):   unspecified (use default)",
      "       Downloading and installing pnpm (",
      " !     Default pnpm version used",
      "-----> Installing dependencies",
      "       Running 'pnpm install' with pnpm-lock.yaml",
      "-----> Caching build",
      "       - pnpm cache",
      "-----> Pruning devDependencies",
    ]);
    expect(await report(app.id, 2)).toMatchObject({ fixture: "node-pnpm", devDependency: false, ms: 3_600_000, greeting: "hello from the node-pnpm workspace" });
  });

  it("warns, in Heroku's words, when nothing says how to start the app", async ({ expect }) => {
    const app = await newApp("node-nostart");
    const r = await deploy(
      await repo("node-zero", (d) => {
        fs.renameSync(path.join(d, "server.js"), path.join(d, "app.js"));
        edit(d, "package.json", (s) => s.replace('"scripts": { "start": "node server.js" }', '"scripts": {}'));
      }),
      app.url,
    );
    expect(r.code, r.text).toBe(0);
    inOrder(r.text, [" !     This app may not specify any way to start a node process", " !     https://devcenter.heroku.com/articles/nodejs-support#default-web-process-type"]);
    expect(r.text).toContain("No process types");
  });
});
