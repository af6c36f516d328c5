// git push → build → release → dynos, with the real git client, the real Engine and the
// builder image: every supported app type, the release phase, rollback, and the pushes
// that must be refused (each with its message, the previous release still serving).
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { db } from "@/server/db";
import { createApiKey } from "@/server/services/api-keys";
import { destroyApp } from "@/server/services/apps";
import { gitRoot } from "@/server/build/git";
import { cacheVolumeName } from "@/server/build/image";
import { docker } from "@/server/runtime/docker";
import { setConfigVars } from "@/server/services/config-vars";
import { updateFormation } from "@/server/services/formation";
import { rollbackRelease } from "@/server/services/deploys";
import { createBuild, getBuild, listBuilds } from "@/server/services/builds";
import { liveBuildLog, retireBuildLog } from "@/server/build/output";
import { buildDir, failInterruptedBuilds } from "@/server/build/pipeline";
import { createCaller } from "@/server/trpc/root";
import { currentReleaseVersion } from "@/server/services/releases";
import { installationId } from "@/server/services/settings";
import { createUser } from "@/server/services/users";
import { pushPlatform } from "@/server/testing/push-platform";
import { waitFor } from "@/server/testing/runtime";
import { commitAll, dynoAnswer, git, push, remoteUrl } from "@/server/testing/git-push";
import { serveRoutes, uploadRoute } from "@/server/testing/route-server";
import { withSettings } from "@/server/testing/settings";

const platform = pushPlatform("push");
const { opts, newApp, repo } = platform;

const answer = (appId: string, expected: string | RegExp, dyno = "web.1") =>
  waitFor(`${dyno} to answer ${expected}`, async () => {
    const a = await dynoAnswer(opts.installation, appId, dyno);
    return a && (typeof expected === "string" ? a.includes(expected) : expected.test(a)) ? a : null;
  }, 30_000);

describe("git push", () => {
  it("builds a zero-dependency Node app, streams the build and serves it", async () => {
    const app = await newApp("push-node");
    const dir = await repo("node-zero");
    const r = await push(dir, platform.remote(app.name));
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
    // What the build left carries its app and installation (swept by installation on a shared Engine).
    const mine = { "slipway.managed": "1", "slipway.installation": await installationId(), "slipway.app-id": app.id };
    const images = await docker().listImages({ filters: { reference: [`slipway-app/${app.id}`] } });
    expect(images.map((i) => i.Labels)).toEqual([expect.objectContaining(mine)]);
    expect((await docker().getVolume(cacheVolumeName(app.id)).inspect()).Labels).toEqual(mine);

    // As after a restart: the live log is gone, and the page's subscription serves the stored output.
    retireBuildLog(build.id, 0);
    await waitFor("the live log to be dropped", async () => (liveBuildLog(build.id) ? null : true));
    const events: unknown[] = [];
    const caller = createCaller({ identity: { userId: platform.userId, via: "session" } });
    for await (const ev of await caller.builds.output({ app: app.name, id: build.id })) events.push(ev);
    // Through createCaller a tracked event is tRPC's [id, data] tuple.
    const texts = events.map((e) => (e as [string, { type: string; text?: string }])[1]);
    expect(texts.filter((d) => d.type === "output").map((d) => d.text).join("")).toContain("-----> Released v2");
    expect(texts.at(-1)).toMatchObject({ type: "end", status: "succeeded", release: { version: 2 } });

    // A second push (a new commit) is a fast-forward and deploys v3; the first keeps serving until then.
    fs.writeFileSync(path.join(dir, "server.js"), fs.readFileSync(path.join(dir, "server.js"), "utf8").replace("node-zero", "node-zero v2"));
    await commitAll(dir, "v2");
    const second = await push(dir, platform.remote(app.name));
    expect(second.code).toBe(0);
    expect(second.output).toContain("Released v3");
    expect(await answer(app.id, "node-zero v2")).toBe("hello from node-zero v2\n");

    // A rewritten history is refused without --force (git's own check) and deploys with it.
    const other = await repo("node-zero", (d) => fs.writeFileSync(path.join(d, "extra.txt"), "x"));
    const refused = await push(other, platform.remote(app.name));
    expect(refused.code).not.toBe(0);
    expect(refused.output).toMatch(/\[rejected\].*main -> main \((fetch first|non-fast-forward)\)/);
    expect(await currentReleaseVersion(app.id)).toBe(3);
    const forced = await push(other, platform.remote(app.name), "main", ["--force"]);
    expect(forced.code).toBe(0);
    expect(forced.output).toContain("Released v4");

    // Rollback to v2: the old image and the old config come back as v5.
    await setConfigVars({ appId: app.id, userId: platform.userId, changes: { GREETING: "hi" } }); // v5
    expect(await answer(app.id, "hi from node-zero")).toBeTruthy();
    const rolled = await rollbackRelease({ appId: app.id, userId: platform.userId, version: 2 });
    expect(rolled).toMatchObject({ version: 6, description: "Rollback to v2", rollbackOf: 2 });
    expect(await answer(app.id, /^hello from node-zero\n$/)).toBe("hello from node-zero\n");
    await expect(rollbackRelease({ appId: app.id, userId: platform.userId, version: 1 })).rejects.toThrow("v1 has no code");
  });

  it("refuses bad pushes with a message and keeps the previous release serving", async () => {
    const app = await newApp("push-bad");
    const url = platform.remote(app.name);
    const good = await repo("node-zero");
    const viaMaster = await push(good, url, "main:master"); // Heroku deploys master too
    expect(viaMaster.code, viaMaster.output).toBe(0);
    expect(viaMaster.output).toContain("Released v2");
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

    const r5 = await push(good, platform.remote("no-such-app-here"));
    expect(r5.code).not.toBe(0);
    expect(r5.output).toContain("Couldn't find app no-such-app-here");

    const r6 = await push(good, remoteUrl(platform.url, app.name, "not-a-key"));
    expect(r6.code).not.toBe(0);
    expect(r6.output).toMatch(/Authentication failed|Invalid credentials/);

    // Signed in, but the app is someone else's: refused as if it did not exist.
    const stranger = await createUser({ email: `stranger-${Date.now()}@example.com`, password: "password1" });
    const strangerKey = (await createApiKey({ userId: stranger.id, description: "git" })).token;
    const r7 = await push(good, remoteUrl(platform.url, app.name, strangerKey), "main", ["--force"]);
    expect(r7.code).not.toBe(0);
    expect(r7.output).toContain(`Couldn't find app ${app.name}, or you don't have access to it.`);

    // A commit with no files: said in git's words, not the upload's.
    const empty = await repo("node-zero", (d) => {
      for (const f of fs.readdirSync(d)) fs.rmSync(path.join(d, f), { recursive: true });
    });
    const r8 = await push(empty, url, "main", ["--force"]);
    expect(r8.code).not.toBe(0);
    expect(r8.output).toContain("remote:  !     The push was refused: the pushed commit has no files.");

    // FROM an image this machine does not have (no registry is reachable to pull it).
    const absentBase = await repo("dockerfile", (d) => fs.writeFileSync(path.join(d, "Dockerfile"), "FROM nosuch/base:1\nCMD [\"true\"]\n"));
    const r9 = await push(absentBase, url, "main", ["--force"]);
    expect(r9.code).not.toBe(0);
    expect(r9.output).toContain("Dockerfile line 1 (FROM nosuch/base:1): nosuch/base:1 is not on this machine.");

    // Nothing above moved the app: v2 is current and still answers; failed builds are listed.
    expect(await currentReleaseVersion(app.id)).toBe(2);
    expect(await dynoAnswer(opts.installation, app.id)).toBe("hello from node-zero\n");
    const builds = await listBuilds({ appId: app.id });
    expect(builds.filter((b) => b.status === "failed").map((b) => b.error?.replace(/[.:;][\s\S]*$/, ""))).toEqual([
      "Dockerfile line 1 (FROM nosuch/base",
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
  }, 120_000); // about a dozen pushes, three of them full builds

  it("ends builds a restart interrupted, with a message, keeping their output", async () => {
    const app = await newApp("restart");
    const row = await db.build.create({
      data: { appId: app.id, userId: platform.userId, sourceKind: "git", sourceVersion: "a".repeat(40), status: "building", output: "-----> Building on the Slipway bookworm stack\n" },
    });
    fs.mkdirSync(path.join(buildDir(row.id), "src"), { recursive: true });
    await failInterruptedBuilds();
    const after = await getBuild({ appId: app.id, buildId: row.id });
    expect(after).toMatchObject({ status: "failed", error: "The platform restarted while this build was in progress; deploy again." });
    expect(after.finishedAt).toBeInstanceOf(Date);
    expect(after.output).toBe("-----> Building on the Slipway bookworm stack\n\n !     The platform restarted while this build was in progress; deploy again.\n");
    expect(fs.existsSync(buildDir(row.id))).toBe(false);
  });

  it("stops a build at the time limit; a second build for the app is visibly queued meanwhile", async () => {
    const app = await newApp("push-slow");
    const slow = await repo("node-zero", (d) =>
      fs.writeFileSync(path.join(d, "package.json"), JSON.stringify({ name: "slow", scripts: { start: "node server.js", build: "sleep 300" } })),
    );
    // (A missing CA bundle is said in the output too.)
    await withSettings({ SLIPWAY_BUILD_TIMEOUT_SECONDS: "5", SLIPWAY_BUILD_CA_BUNDLE: "/nonexistent/ca.crt" }, async () => {
      const pushing = push(slow, platform.remote(app.name));
      const first = await waitFor("the pushed build to start", async () => (await listBuilds({ appId: app.id })).find((b) => b.status === "building") ?? null, 30_000);
      // A second source for the same app (one with no app type, so it fails quickly once it runs).
      const { build: second, log } = await createBuild({
        appId: app.id,
        userId: platform.userId,
        sourceKind: "tarball",
        sourceVersion: null,
        source: Readable.from([await tarballOf({ "README.md": "nothing to run" })]),
      });
      expect(second.status).toBe("queued");
      expect(log.text).toContain("-----> Build queued: waiting for the build ahead of it...");
      expect((await listBuilds({ appId: app.id })).map((b) => [b.id, b.status])).toEqual([
        [second.id, "queued"],
        [first.id, "building"],
      ]);

      const r = await pushing;
      expect(r.code).not.toBe(0);
      expect(r.output).toContain("remote:  !     The build timed out after 5 seconds (SLIPWAY_BUILD_TIMEOUT_SECONDS).");
      expect(r.output).toContain("Warning: the CA bundle /nonexistent/ca.crt (SLIPWAY_BUILD_CA_BUNDLE) does not exist");
      const next = await waitFor("the queued build to run", async () => {
        const b = await getBuild({ appId: app.id, buildId: second.id });
        return b.status === "failed" ? b : null;
      });
      expect(next.error).toContain("No app type detected");
    });
    // The timed-out build's container is gone.
    const left = await docker().listContainers({ all: true, filters: { label: [`slipway.app-id=${app.id}`] } });
    expect(left).toEqual([]);
  });

  it("refuses a push over the size limit with a message git prints, chunked or not", async () => {
    const app = await newApp("push-big");
    const url = platform.remote(app.name);
    // Random bytes do not compress: the pack stays over the 1 MiB limit set below.
    const big = await repo("node-zero", (d) => fs.writeFileSync(path.join(d, "blob.bin"), crypto.randomBytes(3 * 1024 * 1024)));
    await withSettings({ SLIPWAY_MAX_SOURCE_MB: "1" }, async () => {
      // Over git's http.postBuffer (1 MiB by default) the body goes chunked, its size unknown up front.
      const chunked = await push(big, url);
      expect(chunked.code).not.toBe(0);
      expect(chunked.output).toContain("remote: The push is larger than this platform's 1 MiB limit (SLIPWAY_MAX_SOURCE_MB); nothing was changed.");
      // With a larger postBuffer it is one body with a Content-Length: refused before reading it.
      const sized = await git(big, ["-c", "http.postBuffer=33554432", "push", url, "main"]);
      expect(sized.code).not.toBe(0);
      expect(sized.output).toContain("The push is larger than this platform's 1 MiB limit (SLIPWAY_MAX_SOURCE_MB)");
    });
    expect(await listBuilds({ appId: app.id })).toEqual([]);
    expect((await git(big, ["ls-remote", url])).output.trim()).toBe(""); // the branch did not move
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
    const r = await push(dir, platform.remote(app.name));
    expect(r.output).toContain(`-----> ${detected} app detected`);
    expect(r.output).toContain(step);
    expect(r.code, r.output).toBe(0);
    await answer(app.id, expected);
    if (fixture !== "node-dep") return;

    // The first push fills the app's build cache and the second restores it, in Heroku's words.
    const text = (o: string) => o.replace(/^remote: ?/gm, "").replace(/[ \t]+$/gm, ""); // git pads remote lines
    expect(text(r.output)).not.toContain("-----> Restoring cache");
    expect(text(r.output)).toMatch(/-----> Caching build\n {7}- npm cache\n/);
    await commitAll(dir, "again");
    const again = await push(dir, platform.remote(app.name));
    expect(again.code, again.output).toBe(0);
    expect(text(again.output)).toMatch(/-----> Restoring cache\n {7}- npm cache\n/);
  }, 180_000);

  it("runs release: before the release goes live, and a failing one keeps the old release", async () => {
    const app = await newApp("push-procfile");
    const url = platform.remote(app.name);
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

    await setConfigVars({ appId: app.id, userId: platform.userId, changes: { RELEASE_FAIL: "1" } }); // v3, itself not gated
    fs.writeFileSync(path.join(dir, "server.js"), fs.readFileSync(path.join(dir, "server.js"), "utf8").replace("procfile web", "new web"));
    await commitAll(dir, "new web");
    const failed = await push(dir, url);
    expect(failed.code).not.toBe(0);
    expect(failed.output).toContain("release phase: migration failed");
    expect(failed.output).toContain("Release command failed (exit status 3): v4 was not released; the previous release keeps serving.");
    const v4 = await db.release.findFirst({ where: { appId: app.id, version: 4 } });
    expect(v4?.status).toBe("failed");
    expect(await currentReleaseVersion(app.id)).toBe(3);
    // v3's web.1 (the config change restarted it) answers with the old code. Awaited: on a
    // busy machine CI once asked while it still booted (or past the 2 s a try allows).
    expect(await waitFor("v3's web.1 to answer", () => dynoAnswer(opts.installation, app.id, "web.1", 3), 30_000)).toBe("procfile web says hello\n");

    // The next config change carries the code of v3 (the last that went live), not v4's.
    const v3 = await db.release.findFirstOrThrow({ where: { appId: app.id, version: 3 } });
    const { release: v5 } = await setConfigVars({ appId: app.id, userId: platform.userId, changes: { AFTER_FAIL: "1" } });
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
      const post = (body: Buffer, who = platform.key) =>
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

      // Over the cap: refused by its Content-Length, and (chunked, size unknown) once it is read.
      await withSettings({ SLIPWAY_MAX_SOURCE_MB: "1" }, async () => {
        const big = await tarballOf({ "big.txt": "x".repeat(2 * 1024 * 1024) });
        const sized = await post(big);
        expect(sized.status).toBe(413);
        expect(await sized.json()).toEqual({ error: { code: "PAYLOAD_TOO_LARGE", message: "The upload is larger than the 1 MiB limit (SLIPWAY_MAX_SOURCE_MB)." } });
        const chunked = await fetch(`${uploads.url}/api/apps/${app.name}/builds`, {
          method: "POST",
          body: Readable.toWeb(Readable.from([big.subarray(0, 1024 * 1024), big.subarray(1024 * 1024)])) as ReadableStream,
          headers: { Authorization: `Bearer ${platform.key}` },
          duplex: "half",
        } as RequestInit);
        expect(chunked.status).toBe(413);
        expect(((await chunked.json()) as { error: { code: string } }).error.code).toBe("PAYLOAD_TOO_LARGE");
      });
      expect((await listBuilds({ appId: app.id })).length).toBe(1); // the refused one left nothing
    } finally {
      await uploads.close();
    }
  });
});

async function tarballOf(files: Record<string, string>): Promise<Buffer> {
  const { default: tar } = await import("tar-stream");
  const pack = tar.pack();
  for (const [name, body] of Object.entries(files)) pack.entry({ name }, body);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

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
