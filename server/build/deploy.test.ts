// git push → build → release → dynos, with the real git client, the real Engine and the
// builder image: every supported app type, the release phase, rollback, and the pushes
// that must be refused (each with its message, the previous release still serving).
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/server/db";
import { createApiKey } from "@/server/services/api-keys";
import { createApp } from "@/server/services/apps";
import { setConfigVars } from "@/server/services/config-vars";
import { rollbackRelease } from "@/server/services/deploys";
import { getBuild, listBuilds } from "@/server/services/builds";
import { currentReleaseVersion } from "@/server/services/releases";
import { createUser } from "@/server/services/users";
import { startRuntime, getRuntime } from "@/server/runtime";
import { cleanupInstallation, testRuntimeOptions, waitFor } from "@/server/testing/runtime";
import { commitAll, dynoAnswer, fixtureRepo, git, push, remoteUrl } from "@/server/testing/git-push";
import { gitRoute, serveRoutes } from "@/server/testing/route-server";

const opts = testRuntimeOptions();
let server: Awaited<ReturnType<typeof serveRoutes>>;
let userId: string;
let key: string;
const dirs: string[] = [];

beforeAll(async () => {
  await startRuntime(opts);
  server = await serveRoutes([await gitRoute()]);
  const user = await createUser({ email: `push-${Date.now()}@example.com`, password: "password1" });
  userId = user.id;
  key = (await createApiKey({ userId, description: "git" })).token;
});

afterAll(async () => {
  await server?.close();
  await getRuntime()?.close();
  (globalThis as { slipwayRuntime?: unknown }).slipwayRuntime = undefined;
  await cleanupInstallation(opts.installation);
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

async function newApp(prefix: string) {
  return createApp({ userId, name: `${prefix}-${Date.now().toString(36)}` });
}

async function repo(fixture: string, edit?: (dir: string) => void) {
  const dir = await fixtureRepo(fixture, edit);
  dirs.push(dir);
  return dir;
}

const answer = (appId: string, expected: string | RegExp, dyno = "web.1") =>
  waitFor(`${dyno} to answer ${expected}`, async () => {
    const a = await dynoAnswer(opts.installation, appId, dyno);
    return a && (typeof expected === "string" ? a.includes(expected) : expected.test(a)) ? a : null;
  }, 30_000);

describe("git push", () => {
  it("builds a zero-dependency Node app, streams the build and serves it", async () => {
    const app = await newApp("push-node");
    const dir = await repo("node-zero");
    const r = await push(dir, remoteUrl(server.url, app.name, key));
    expect(r.output).toContain("remote: -----> Building on the Slipway");
    expect(r.output).toContain("remote: -----> Node.js app detected");
    expect(r.output).toContain("remote:        Default types for buildpack -> web");
    expect(r.output).toMatch(/remote: -----> Released v2/);
    expect(r.output).toContain(`remote:        http://${app.name}.`);
    expect(r.code).toBe(0);
    expect(await answer(app.id, "hello from node-zero")).toBe("hello from node-zero\n");

    const [build] = await listBuilds({ appId: app.id });
    expect(build).toMatchObject({ status: "succeeded", sourceKind: "git", buildpack: "nodejs", release: { version: 2 } });
    expect(build.description).toMatch(/^Deploy [0-9a-f]{7}$/);
    expect((await getBuild({ appId: app.id, buildId: build.id })).output).toContain("-----> Released v2");

    // A second push (a new commit) is a fast-forward and deploys v3; the first keeps serving until then.
    fs.writeFileSync(path.join(dir, "server.js"), fs.readFileSync(path.join(dir, "server.js"), "utf8").replace("node-zero", "node-zero v2"));
    await commitAll(dir, "v2");
    const second = await push(dir, remoteUrl(server.url, app.name, key));
    expect(second.code).toBe(0);
    expect(second.output).toContain("Released v3");
    expect(await answer(app.id, "node-zero v2")).toBe("hello from node-zero v2\n");

    // A rewritten history is refused without --force (git's own check) and deploys with it.
    const other = await repo("node-zero", (d) => fs.writeFileSync(path.join(d, "extra.txt"), "x"));
    const refused = await push(other, remoteUrl(server.url, app.name, key));
    expect(refused.code).not.toBe(0);
    expect(refused.output).toMatch(/\[rejected\].*main -> main \((fetch first|non-fast-forward)\)/);
    expect(await currentReleaseVersion(app.id)).toBe(3);
    const forced = await push(other, remoteUrl(server.url, app.name, key), "main", ["--force"]);
    expect(forced.code).toBe(0);
    expect(forced.output).toContain("Released v4");

    // Rollback to v2: the old image and the old config come back as v5.
    await setConfigVars({ appId: app.id, userId, changes: { GREETING: "hi" } }); // v5
    expect(await answer(app.id, "hi from node-zero")).toBeTruthy();
    const rolled = await rollbackRelease({ appId: app.id, userId, version: 2 });
    expect(rolled).toMatchObject({ version: 6, description: "Rollback to v2", rollbackOf: 2 });
    expect(await answer(app.id, /^hello from node-zero\n$/)).toBe("hello from node-zero\n");
    await expect(rollbackRelease({ appId: app.id, userId, version: 1 })).rejects.toThrow("v1 has no code");
  });

  it("refuses bad pushes with a message and keeps the previous release serving", async () => {
    const app = await newApp("push-bad");
    const url = remoteUrl(server.url, app.name, key);
    const good = await repo("node-zero");
    expect((await push(good, url)).code).toBe(0);
    await answer(app.id, "hello from node-zero");

    const badProcfile = await repo("node-zero", (d) => fs.writeFileSync(path.join(d, "Procfile"), "web: node server.js\nthis line is wrong\n"));
    const r1 = await push(badProcfile, url, "main", ["--force"]);
    expect(r1.code).not.toBe(0);
    expect(r1.output).toContain("Procfile is invalid");
    expect(r1.output).toContain('line 2: expected "<process type>: <command>"');
    expect(r1.output).toMatch(/\[remote rejected\] main -> main \(pre-receive hook declined\)/);

    const nothing = await repo("node-zero", (d) => {
      fs.rmSync(path.join(d, "package.json"));
      fs.renameSync(path.join(d, "server.js"), path.join(d, "main.go"));
    });
    const r2 = await push(nothing, url, "main", ["--force"]);
    expect(r2.code).not.toBe(0);
    expect(r2.output).toContain("No app type detected. Slipway builds apps with one of: a Dockerfile; Node.js");

    const crashingBuild = await repo("node-zero", (d) =>
      fs.writeFileSync(path.join(d, "package.json"), JSON.stringify({ name: "x", scripts: { start: "node server.js", build: "exit 7" } })),
    );
    const r3 = await push(crashingBuild, url, "main", ["--force"]);
    expect(r3.code).not.toBe(0);
    expect(r3.output).toContain("The build failed (exit status 7)");

    const r4 = await push(good, url, "main:feature");
    expect(r4.code).not.toBe(0);
    expect(r4.output).toContain("Pushed to feature: Slipway deploys main or master only.");

    const r5 = await push(good, remoteUrl(server.url, "no-such-app-here", key));
    expect(r5.code).not.toBe(0);
    expect(r5.output).toContain("Couldn't find app no-such-app-here");

    const r6 = await push(good, remoteUrl(server.url, app.name, "not-a-key"));
    expect(r6.code).not.toBe(0);
    expect(r6.output).toMatch(/Authentication failed|Invalid credentials/);

    // Nothing above moved the app: v2 is current and still answers; failed builds are listed.
    expect(await currentReleaseVersion(app.id)).toBe(2);
    expect(await dynoAnswer(opts.installation, app.id)).toBe("hello from node-zero\n");
    const builds = await listBuilds({ appId: app.id });
    expect(builds.filter((b) => b.status === "failed").map((b) => b.error?.replace(/[.:;][\s\S]*$/, ""))).toEqual([
      "The build failed (exit status 7)",
      "No app type detected",
      "Procfile is invalid",
    ]);
  });
});
