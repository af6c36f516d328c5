// Real `git push` builds of Python apps and of apps whose buildpacks were set, with the
// real git client, the real Engine and the builder image: the Python version file honoured
// (and refused when it names another Python, the previous release still serving), pip
// installing a wheel the app ships, pip failing clearly and quickly when the configured
// index is unreachable, a set buildpack overriding detection, and two buildpacks in one build.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { setBuildpacks } from "@/server/services/buildpacks";
import { listBuilds } from "@/server/services/builds";
import { currentReleaseVersion } from "@/server/services/releases";
import { commitAll, dynoAnswer, push } from "@/server/testing/git-push";
import { pushPlatform } from "@/server/testing/push-platform";
import { waitFor } from "@/server/testing/runtime";
import { withSettings } from "@/server/testing/settings";

const platform = pushPlatform("py-push");
const { opts, newApp, repo } = platform;

const answer = (appId: string, expected: string) =>
  waitFor(`web.1 to answer ${expected}`, async () => {
    const a = await dynoAnswer(opts.installation, appId);
    return a?.includes(expected) ? a : null;
  }, 30_000);

const write = (dir: string, file: string, text: string) => fs.writeFileSync(path.join(dir, file), text);

describe("Python builds", () => {
  it("honours .python-version naming the stack's Python, installs the app's wheel with pip, and refuses another Python while the running release keeps serving", async () => {
    const app = await newApp("py-version");
    const url = platform.remote(app.name);
    const dir = await repo("python-wheel");
    const ok = await push(dir, url);
    expect(ok.code, ok.output).toBe(0);
    expect(ok.output).toContain("remote: -----> Python app detected");
    expect(ok.output).toContain("remote: -----> Using Python 3.11 specified in .python-version");
    expect(ok.output).toMatch(/remote: -----> Using Python 3\.11\.\d+ from the stack/);
    expect(ok.output).toContain("remote: -----> Installing requirements with pip");
    expect(ok.output).toMatch(/remote:\s+Successfully installed greeting-1\.0/);
    expect(ok.output).toContain("remote: -----> Released v2");
    expect(await answer(app.id, "python-wheel says hello on Python 3.11.")).toMatch(/^python-wheel says hello on Python 3\.11\.\d+\n$/);

    // runtime.txt wins over .python-version, as on Heroku; it names a Python the stack lacks.
    write(dir, "runtime.txt", "python-3.12.7\n");
    await commitAll(dir, "ask for 3.12");
    const refused = await push(dir, url);
    expect(refused.code).not.toBe(0);
    expect(refused.output).toContain("remote:  !     Error: The requested Python version is not available on this stack.");
    expect(refused.output).toContain("remote:  !     The app asks for Python 3.12.7 (in runtime.txt), but the bookworm stack has Python 3.11 only:");
    expect(refused.output).toContain("remote:  !     To build on this stack, update runtime.txt so it contains: python-3.11");
    expect(refused.output).toContain("remote:  !     Build failed.");
    expect(await currentReleaseVersion(app.id)).toBe(2);
    expect(await dynoAnswer(opts.installation, app.id)).toMatch(/^python-wheel says hello/);
    expect((await listBuilds({ appId: app.id }))[0]).toMatchObject({ status: "failed", buildpack: "python" });
  });

  it("fails within its timeouts, saying the index is unreachable, when pip cannot reach the installation's index", async () => {
    const app = await newApp("py-index");
    const dir = await repo("python", (d) => write(d, "requirements.txt", "six==1.16.0\n"));
    const started = Date.now();
    // `.invalid` never resolves (RFC 2606): no index answers, whatever this machine reaches.
    const r = await withSettings({ SLIPWAY_PIP_INDEX_URL: "http://user:secret@pypi.invalid/simple/" }, () => push(dir, platform.remote(app.name)));
    const seconds = (Date.now() - started) / 1000;
    expect(r.code).not.toBe(0);
    expect(r.output).toContain("remote: -----> Installing requirements with pip");
    expect(r.output).toContain("remote:  !     Error: pip could not reach the Python package index.");
    expect(r.output).toContain("remote:  !     Index: http://pypi.invalid/simple/ (SLIPWAY_PIP_INDEX_URL)");
    expect(r.output).toContain("PIP_DEFAULT_TIMEOUT=10 s, PIP_RETRIES=1");
    expect(r.output).not.toContain("secret");
    expect(r.output).toContain("The build failed (exit status 1)");
    console.log(`pip with an unreachable index failed the push in ${seconds.toFixed(1)} s`);
    expect(await currentReleaseVersion(app.id)).toBe(1);
  });
});

describe("buildpacks set on the app", () => {
  it("builds with the set buildpack instead of what detection picks, and fails clearly when the source does not suit it", async () => {
    const app = await newApp("bp-set");
    const url = platform.remote(app.name);
    // A Dockerfile would win detection; the app's buildpack wins over it.
    const dir = await repo("python-wheel", (d) => write(d, "Dockerfile", "FROM scratch\n"));
    await setBuildpacks({ appId: app.id, userId: platform.userId, buildpacks: ["heroku/python"] });
    const r = await push(dir, url);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain("remote: -----> Using buildpack: heroku/python");
    expect(r.output).toContain("remote: -----> Python app detected");
    expect(r.output).not.toContain("Determining which buildpack");
    await answer(app.id, "python-wheel says hello");

    await setBuildpacks({ appId: app.id, userId: platform.userId, buildpacks: ["heroku/nodejs"] });
    await commitAll(dir, "again");
    const refused = await push(dir, url);
    expect(refused.code).not.toBe(0);
    expect(refused.output).toContain("remote:  !     App not compatible with buildpack: heroku/nodejs");
    expect(refused.output).toContain("remote:  !     The Node.js buildpack builds apps with package.json at the root, and this source has none.");
    expect(await currentReleaseVersion(app.id)).toBe(2);
  });

  it("runs two buildpacks in order in one build: Node.js builds an asset, Python serves it", async () => {
    const app = await newApp("bp-multi");
    const dir = await repo("python-wheel", (d) => {
      write(d, "package.json", JSON.stringify({ name: "multi", private: true, scripts: { build: "node build.js" } }));
      write(d, "build.js", 'require("node:fs").writeFileSync("built.txt", "built by node " + process.version + "\\n");\n');
      write(d, "app.py", fs.readFileSync(path.join(d, "app.py"), "utf8").replace('body = f"{MESSAGE}', 'body = open("built.txt").read().encode() + f"{MESSAGE}'));
    });
    await setBuildpacks({ appId: app.id, userId: platform.userId, buildpacks: ["heroku/nodejs", "heroku/python"] });
    const r = await push(dir, platform.remote(app.name));
    expect(r.code, r.output).toBe(0);
    const lines = r.output.split("\n");
    const at = (text: string) => lines.findIndex((l) => l.includes(text));
    expect(at("-----> Using buildpacks:")).toBeGreaterThan(-1);
    expect(lines[at("-----> Using buildpacks:") + 1]).toMatch(/1\. heroku\/nodejs\s*$/);
    expect(lines[at("-----> Using buildpacks:") + 2]).toMatch(/2\. heroku\/python\s*$/);
    expect(at("-----> Node.js app detected")).toBeLessThan(at("-----> Python app detected"));
    expect(at("-----> Python app detected")).toBeLessThan(at("Successfully installed greeting-1.0"));
    expect(await answer(app.id, "built by node")).toMatch(/^built by node v\d+\.\d+\.\d+\npython-wheel says hello on Python 3\.11/);
    expect((await listBuilds({ appId: app.id }))[0]).toMatchObject({ status: "succeeded", buildpack: "nodejs,python" });
  });
});
