// git push → build → release → dynos, with the real git client, the real Engine and the
// builder image: every supported app type, the release phase, rollback, and the pushes
// that must be refused (each with its message, the previous release still serving).
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/server/db";
import { createApiKey } from "@/server/services/api-keys";
import { createApp, destroyApp } from "@/server/services/apps";
import { removeBuildArtifacts } from "@/server/build/cleanup";
import { gitRoot } from "@/server/build/git";
import { cacheVolumeName } from "@/server/build/image";
import { docker } from "@/server/runtime/docker";
import { setConfigVars } from "@/server/services/config-vars";
import { updateFormation } from "@/server/services/formation";
import { rollbackRelease } from "@/server/services/deploys";
import { getBuild, listBuilds } from "@/server/services/builds";
import { currentReleaseVersion } from "@/server/services/releases";
import { createUser } from "@/server/services/users";
import { startRuntime, getRuntime } from "@/server/runtime";
import { cleanupInstallation, testRuntimeOptions, waitFor } from "@/server/testing/runtime";
import { commitAll, dynoAnswer, fixtureRepo, git, push, remoteUrl } from "@/server/testing/git-push";
import { gitRoute, serveRoutes, uploadRoute } from "@/server/testing/route-server";

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
  for (const id of appIds) await removeBuildArtifacts(id);
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const appIds: string[] = [];
async function newApp(prefix: string) {
  const app = await createApp({ userId, name: `${prefix}-${Date.now().toString(36)}` });
  appIds.push(app.id);
  return app;
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

    // Destroying the app removes its repository, build cache and images once its dynos are gone.
    const images = () => docker().listImages({ filters: { reference: [`slipway-app/${app.id}`] } });
    expect((await images()).length).toBeGreaterThan(0);
    await destroyApp({ appId: app.id, appName: app.name, confirm: app.name });
    await waitFor("the app's images to be removed", async () => ((await images()).length === 0 ? true : null), 30_000);
    expect(fs.existsSync(path.join(gitRoot(), `${app.id}.git`))).toBe(false);
    await expect(docker().getVolume(cacheVolumeName(app.id)).inspect()).rejects.toMatchObject({ statusCode: 404 });
  });
});

describe("every app type, the release phase and tarball uploads", () => {
  it.each([
    ["node-dep", "Node.js", /node-dep says 2 days = 172800000 ms \(built at build time\)/, "build script ran"],
    ["python", "Python", /python says hello/, "No requirements to install"],
    ["static", "Static site", /static site says hello/, "Serving the files in / with Slipway's static server"],
    ["dockerfile", "Dockerfile", /dockerfile says hello/, "Default types for buildpack -> web"],
  ])("deploys the %s fixture", async (fixture, detected, expected, step) => {
    const app = await newApp(`push-${fixture}`);
    const dir = await repo(fixture);
    const r = await push(dir, remoteUrl(server.url, app.name, key));
    expect(r.output).toContain(`-----> ${detected} app detected`);
    expect(r.output).toContain(step);
    expect(r.code, r.output).toBe(0);
    await answer(app.id, expected);
    if (fixture !== "node-dep") return;

    // The second push starts from the npm cache the first one filled (counted in the cache volume).
    expect(r.output).toContain("-----> No npm cache yet");
    await commitAll(dir, "again");
    const again = await push(dir, remoteUrl(server.url, app.name, key));
    expect(again.code, again.output).toBe(0);
    const restored = /-----> Restoring the npm cache \((\d+) packages from earlier builds\)/.exec(again.output);
    expect(restored, again.output).not.toBeNull();
    expect(Number(restored![1])).toBeGreaterThan(0);
  }, 180_000);

  it("runs release: before the release goes live, and a failing one keeps the old release", async () => {
    const app = await newApp("push-procfile");
    const url = remoteUrl(server.url, app.name, key);
    const dir = await repo("procfile");
    const r = await push(dir, url);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain("Procfile declares types -> web, worker, release");
    expect(r.output).toContain("-----> Running release command: node release.js");
    expect(r.output).toMatch(/release phase: migrating for DYNO=release\.\d+\s/); // Heroku names it release.N, not run.N
    expect(r.output).toContain("Released v2");
    await answer(app.id, "procfile web says hello");
    // Like Heroku, only web starts scaled to 1; the worker waits to be scaled (release is no dyno).
    const formation = await db.formation.findMany({ where: { appId: app.id }, orderBy: { type: "asc" } });
    expect(formation.map((f) => [f.type, f.quantity])).toEqual([["web", 1], ["worker", 0]]);
    await updateFormation({ appId: app.id, updates: [{ type: "worker", quantity: 1 }] });
    await waitFor("worker.1 to run", async () =>
      (await db.dyno.findFirst({ where: { appId: app.id, name: "worker.1", state: "up" } })) ? true : null,
    );

    await setConfigVars({ appId: app.id, userId, changes: { RELEASE_FAIL: "1" } }); // v3, itself not gated
    fs.writeFileSync(path.join(dir, "server.js"), fs.readFileSync(path.join(dir, "server.js"), "utf8").replace("procfile web", "new web"));
    await commitAll(dir, "new web");
    const failed = await push(dir, url);
    expect(failed.code).not.toBe(0);
    expect(failed.output).toContain("release phase: migration failed");
    expect(failed.output).toContain("Release command failed (exit status 3): v4 was not released; the previous release keeps serving.");
    const v4 = await db.release.findFirst({ where: { appId: app.id, version: 4 } });
    expect(v4?.status).toBe("failed");
    expect(await currentReleaseVersion(app.id)).toBe(3);
    expect(await dynoAnswer(opts.installation, app.id)).toBe("procfile web says hello\n");

    // The next config change carries the code of v3 (the last that went live), not v4's.
    const v3 = await db.release.findFirstOrThrow({ where: { appId: app.id, version: 3 } });
    const { release: v5 } = await setConfigVars({ appId: app.id, userId, changes: { AFTER_FAIL: "1" } });
    expect(v5?.version).toBe(5);
    const row = await db.release.findFirstOrThrow({ where: { appId: app.id, version: 5 }, select: { imageTag: true, buildId: true, status: true } });
    expect(row).toEqual({ imageTag: v3.imageTag, buildId: v3.buildId, status: "succeeded" });
    expect(row.imageTag).not.toBe(v4?.imageTag);
    // v5's own dyno comes up with the old code, never "new web".
    const v5Answer = await waitFor("v5's web.1 to answer", () => dynoAnswer(opts.installation, app.id, "web.1", 5), 30_000);
    expect(v5Answer).toBe("procfile web says hello\n");
  });

  it("takes a .tar.gz upload and refuses a hostile one", async () => {
    const uploads = await serveRoutes([await uploadRoute()]);
    try {
      const app = await newApp("upload");
      const dir = await repo("static");
      const tgz = await git(dir, ["archive", "--format=tar.gz", "-o", "source.tar.gz", "HEAD"]);
      expect(tgz.code).toBe(0);
      const post = (body: Buffer, who = key) =>
        fetch(`${uploads.url}/api/apps/${app.name}/builds`, { method: "POST", body: new Uint8Array(body), headers: { Authorization: `Bearer ${who}` } });
      const res = await post(fs.readFileSync(path.join(dir, "source.tar.gz")));
      expect(res.status).toBe(201);
      const { id } = (await res.json()) as { id: string };
      const done = await waitFor("the upload's build", async () => {
        const b = await getBuild({ appId: app.id, buildId: id });
        return b.status === "succeeded" || b.status === "failed" ? b : null;
      }, 60_000);
      expect(done).toMatchObject({ status: "succeeded", sourceKind: "tarball", release: { version: 2 } });
      expect(done.sourceVersion).toMatch(/^[0-9a-f]{64}$/);
      await answer(app.id, /static site says hello/);

      const evil = await post(await hostileTarball());
      expect(evil.status).toBe(400);
      expect(await evil.json()).toEqual({ error: { code: "BAD_REQUEST", message: "The source archive was refused: ../../escape.txt leaves the source tree (..)." } });
      expect((await post(Buffer.from("x"), "wrong")).status).toBe(401);
      expect((await listBuilds({ appId: app.id })).length).toBe(1); // the refused one left nothing
    } finally {
      await uploads.close();
    }
  });
});

async function hostileTarball(): Promise<Buffer> {
  const { default: tar } = await import("tar-stream");
  const zlib = await import("node:zlib");
  const pack = tar.pack();
  pack.entry({ name: "index.html" }, "<h1>hi</h1>");
  pack.entry({ name: "../../escape.txt" }, "gotcha");
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return zlib.gzipSync(Buffer.concat(chunks));
}
