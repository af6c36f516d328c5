// The official `heroku` CLI's buildpack and release-output commands against a running
// platform (bash scripts/with-platform.sh npx vitest run server/platform-api/cli-builds.integration.test.ts):
// buildpacks, buildpacks:set/add/remove/clear (with Slipway as the CLI's buildpack
// registry) and a push built by the set buildpack; releases:output and releases:retry on
// an app with a release phase, failing and then passing. `heroku builds:cache:purge` lives
// in a plugin that CLI 11 cannot install (see the last test), so its request is sent as
// the plugin sends it.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commitAll, fixtureRepo, push, remoteUrl } from "@/server/testing/git-push";
import { api, apiOk, baseUrl, bearer, heroku, herokuBin, newUser, ok, removeHomes, routerPort, unique, viaRouter } from "@/server/testing/heroku-cli";
import { waitFor } from "@/server/testing/runtime";
import { cacheVolumeName } from "@/server/build/image";
import { docker } from "@/server/runtime/docker";

type User = Awaited<ReturnType<typeof newUser>>;

/** The CLI wraps long messages over lines starting with " › ". */
const unwrapped = (text: string) => text.replace(/\s*\n\s*›?\s*/g, " ");

describe.skipIf(!baseUrl)("the heroku CLI's buildpacks and release output commands", { timeout: 300_000 }, () => {
  let owner: User;
  const bpApp = `cli-bp-${unique()}-${unique()}`;
  const relApp = `cli-rel-${unique()}-${unique()}`;
  const dirs: string[] = [];

  beforeAll(async () => {
    expect(fs.existsSync(herokuBin), `heroku CLI not found at ${herokuBin}`).toBe(true);
    owner = await newUser("builds");
    for (const name of [bpApp, relApp]) await apiOk("POST", "/apps", owner.apiKey, { name }); // apps:create is heroku-cli's case
  });

  afterAll(async () => {
    for (const app of [bpApp, relApp]) await api("DELETE", `/apps/${app}`, bearer(owner.apiKey));
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    removeHomes();
  });

  it("buildpacks, buildpacks:set/add/remove/clear; a push builds with the set buildpack over detection", async () => {
    const apiKey = owner.apiKey;
    expect((await ok(["buildpacks", "-a", bpApp], { apiKey })).stdout.trim()).toBe(`${bpApp} has no Buildpacks.`);

    const set = await ok(["buildpacks:set", "heroku/python", "-a", bpApp], { apiKey });
    expect(set.stdout).toContain(`Buildpack set. Next release on ${bpApp} will use heroku/python.`);
    const listed = await ok(["buildpacks", "-a", bpApp], { apiKey });
    expect(listed.stdout).toContain(`=== ${bpApp} Classic Buildpack (from the Heroku Buildpack Registry)`);
    expect(listed.stdout.trim().split("\n").at(-1)).toBe("heroku/python");

    const added = await ok(["buildpacks:add", "heroku/nodejs", "-i", "1", "-a", bpApp], { apiKey });
    expect(added.stdout).toMatch(new RegExp(`Buildpack added. Next release on ${bpApp} will use:\\s+1\\. heroku/nodejs\\s+2\\. heroku/python`));

    // Refused with Slipway's word on what it builds with.
    const ruby = await heroku(["buildpacks:set", "heroku/ruby", "-i", "3", "-a", bpApp], { apiKey });
    expect(ruby.code).not.toBe(0);
    expect(unwrapped(ruby.stderr)).toContain("That buildpack is not in Slipway's buildpack registry. Slipway builds with heroku/nodejs or heroku/python");
    const byUrl = await heroku(["buildpacks:add", "https://github.com/heroku/heroku-buildpack-go", "-a", bpApp], { apiKey });
    expect(byUrl.code).not.toBe(0);
    expect(unwrapped(byUrl.stderr)).toContain("https://github.com/heroku/heroku-buildpack-go is not a buildpack Slipway can build with.");
    expect(byUrl.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);

    const removed = await ok(["buildpacks:remove", "heroku/nodejs", "-a", bpApp], { apiKey });
    expect(removed.stdout).toContain(`Buildpack removed. Next release on ${bpApp} will use heroku/python.`);
    expect((await ok(["buildpacks", "--json", "-a", bpApp], { apiKey })).stdout).toContain('"name": "heroku/python"');

    // package.json would make detection pick Node.js; the set buildpack builds it as Python.
    const dir = await fixtureRepo("python-wheel", (d) => {
      fs.writeFileSync(path.join(d, "package.json"), JSON.stringify({ name: "decoy", scripts: { start: "node server.js" } }));
      fs.writeFileSync(path.join(d, "server.js"), "");
    });
    dirs.push(dir);
    const pushed = await push(dir, remoteUrl(baseUrl!, bpApp, apiKey));
    expect(pushed.code, pushed.output).toBe(0);
    expect(pushed.output).toContain("remote: -----> Using buildpack: heroku/python");
    expect(pushed.output).toContain("remote: -----> Using Python 3.11 specified in .python-version");
    if (routerPort) await waitFor("the Python app to answer through the router", async () => (await viaRouter(`${bpApp}.localhost`)).body.startsWith("python-wheel says hello"), 30_000);

    // The release a build made shows that build's output.
    const output = await ok(["releases:output", "-a", bpApp], { apiKey });
    expect(output.stdout).toContain("-----> Using buildpack: heroku/python");
    expect(output.stdout).toContain("-----> Released v2");

    const cleared = await ok(["buildpacks:clear", "-a", bpApp], { apiKey });
    expect(cleared.stdout).toContain(`Buildpacks cleared. Next release on ${bpApp} will detect buildpacks normally.`);
    expect((await ok(["buildpacks", "-a", bpApp], { apiKey })).stdout.trim()).toBe(`${bpApp} has no Buildpacks.`);
  });

  it("releases:output shows a release's output; releases:retry runs the release phase again, failed and then passing", async () => {
    const apiKey = owner.apiKey;
    const dir = await fixtureRepo("procfile");
    dirs.push(dir);
    const pushed = await push(dir, remoteUrl(baseUrl!, relApp, apiKey));
    expect(pushed.code, pushed.output).toBe(0);
    expect(pushed.output).toContain("remote:        release phase: done");

    const v2 = await ok(["releases:output", "v2", "-a", relApp], { apiKey });
    expect(v2.stdout).toContain("-----> Running release command: node release.js");
    expect(v2.stdout).toContain("release phase: migrating for DYNO=release.");
    expect(v2.stdout).toContain("-----> Released v2");

    await ok(["config:set", "RELEASE_FAIL=1", "-a", relApp], { apiKey }); // v3: a config change, no output
    const v3 = await ok(["releases:output", "-a", relApp], { apiKey });
    expect(unwrapped(v3.stderr)).toContain("Release v3 has no release output available.");

    // Retry copies v3 (its code and config) as v4 and runs the release phase, which fails.
    const failed = await ok(["releases:retry", "-a", relApp], { apiKey });
    expect(failed.stderr).toContain(`Retrying v3 on ${relApp}... done, v4`);
    expect(failed.stdout).toContain("Running release command...");
    expect(failed.stdout).toContain("release phase: migration failed");
    expect(failed.stdout).toContain("Release command failed (exit status 3): v4 was not released; the previous release keeps serving.");
    expect((await api("GET", `/apps/${relApp}/releases/4`, bearer(apiKey))).body).toMatchObject({ status: "failed", current: false, description: "Retry of v3: Set RELEASE_FAIL config vars" });
    if (routerPort) expect((await viaRouter(`${relApp}.localhost`)).body).toBe("procfile web says hello\n");

    await ok(["config:unset", "RELEASE_FAIL", "-a", relApp], { apiKey }); // v5
    const passed = await ok(["releases:retry", "-a", relApp], { apiKey });
    expect(passed.stderr).toContain(`Retrying v5 on ${relApp}... done, v6`);
    expect(passed.stdout).toContain("release phase: done");
    expect(passed.stdout).toContain("-----> Released v6");
    const releases = await ok(["releases", "-a", relApp], { apiKey });
    expect(releases.stdout).toMatch(/v6\s+Retry of v5: Remove RELEASE_FAIL config vars/);
    expect((await api("GET", `/apps/${relApp}/releases/6`, bearer(apiKey))).body).toMatchObject({ status: "succeeded", current: true });
    // The retry's own output stays readable afterwards.
    expect((await ok(["releases:output", "v6", "-a", relApp], { apiKey })).stdout).toContain("release phase: done");

    // An app without a release phase: the CLI says so itself (it reads the formation).
    const none = await heroku(["releases:retry", "-a", bpApp], { apiKey });
    expect(none.code).not.toBe(0);
    expect(unwrapped(none.stderr)).toContain("App must have a release-phase command to use this command.");
  });

  it("builds:cache:purge's request (DELETE /apps/{app}/build-cache) purges the cache", async () => {
    // The command is in Heroku's builds plugin: npm has only heroku-builds 0.0.29, a legacy
    // plugin CLI 11 refuses ("plugin is invalid"), and @heroku-cli/heroku-builds is not
    // published. So the request is made as that plugin makes it, with the CLI's headers.
    const { id } = (await api("GET", `/apps/${bpApp}`, bearer(owner.apiKey))).body;
    const volume = docker().getVolume(cacheVolumeName(id));
    expect((await volume.inspect()).Name).toBe(cacheVolumeName(id)); // made by the push above
    const purge = await fetch(`${baseUrl}/apps/${bpApp}/build-cache`, {
      method: "DELETE",
      headers: { Accept: "application/vnd.heroku+json; version=3", ...bearer(owner.apiKey), "User-Agent": "heroku-cli/11" },
    });
    expect(purge.status).toBe(202);
    expect(purge.headers.get("content-type")).toBe("application/json");
    await expect(volume.inspect()).rejects.toMatchObject({ statusCode: 404 });
    // The next build starts with an empty cache of its own.
    const dir = await fixtureRepo("python-wheel", (d) => fs.writeFileSync(path.join(d, "NOTE"), unique()));
    dirs.push(dir);
    const again = await push(dir, remoteUrl(baseUrl!, bpApp, owner.apiKey), "main", ["--force"]);
    expect(again.code, again.output).toBe(0);
    expect((await volume.inspect()).Name).toBe(cacheVolumeName(id));
    const other = await newUser("outsider");
    expect((await api("DELETE", `/apps/${bpApp}/build-cache`, bearer(other.apiKey))).body.id).toBe("not_found");
  });
});
