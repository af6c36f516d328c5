// (Here rather than beside the pipelines service so the PostgreSQL pass of npm test, which
// runs server/services again, does not run these Docker-heavy tests twice.)
// The flow with the real Engine, real `git push` and real builds: promotion serves the
// staging build's exact image on production with production's config, runs production's
// release phase and builds nothing (two targets at once, each with its own result); a
// branch push makes a review app from app.json (add-on, postdeploy once, URL in the push)
// and deleting the branch runs pr-predestroy and removes it with its add-on.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listAddonResources } from "@/server/addons/engine";
import { removeBuildArtifacts } from "@/server/build/cleanup";
import { db } from "@/server/db";
import { startRuntime, stopRuntime } from "@/server/runtime";
import { inspectImage } from "@/server/build/images";
import { destroyAddon } from "@/server/services/addons";
import { createApiKey } from "@/server/services/api-keys";
import { setConfigVars } from "@/server/services/config-vars";
import { ensureAddonImages } from "@/server/testing/addon-images";
import { callerFor, newUser, unique } from "@/server/testing/callers";
import { commitAll, dynoAnswer, FIXTURES, fixtureRepo, git, push, remoteUrl } from "@/server/testing/git-push";
import { gitRoute, serveRoutes } from "@/server/testing/route-server";
import { cleanupInstallation, testRuntimeOptions, waitFor } from "@/server/testing/runtime";

const opts = testRuntimeOptions({ bootTimeoutMs: 20_000 });
let server: Awaited<ReturnType<typeof serveRoutes>>;
let user: Awaited<ReturnType<typeof newUser>>;
let key: string;
const dirs: string[] = [];
const appIds: string[] = [];

beforeAll(async () => {
  await db.setting.create({ data: { key: "installation_id", value: opts.installation } });
  await ensureAddonImages();
  await startRuntime(opts);
  server = await serveRoutes([await gitRoute()]);
  user = await newUser("flow");
  key = (await createApiKey({ userId: user.id, description: "git" })).token;
}, 600_000);

afterAll(async () => {
  for (const a of await db.addon.findMany({ select: { id: true } })) await destroyAddon({ addonId: a.id, userId: user.id }).catch(() => undefined);
  await server?.close();
  await stopRuntime();
  await cleanupInstallation(opts.installation);
  for (const id of appIds) await removeBuildArtifacts(id);
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

async function newApp(prefix: string) {
  const app = await callerFor(user.id).apps.create({ name: `${prefix}-${unique()}` });
  appIds.push(app.id);
  return app;
}

const answer = (appId: string, test: (body: string) => boolean, what: string) =>
  waitFor(what, async () => {
    const body = await dynoAnswer(opts.installation, appId);
    return body && test(body) ? body : null;
  }, 40_000);

describe("promotion", () => {
  it("serves the staging build's image on each target with the target's config and release phase, building nothing", async () => {
    const staging = await newApp("stg");
    const production = await newApp("prd");
    const mirror = await newApp("mir");
    const pipeline = `pl-${unique()}`;
    const caller = callerFor(user.id);
    await caller.pipelines.create({ name: pipeline, app: staging.name, stage: "staging" });
    await caller.pipelines.addApp({ pipeline, app: production.name, stage: "production" });
    await caller.pipelines.addApp({ pipeline, app: mirror.name, stage: "production" });
    await setConfigVars({ appId: staging.id, userId: user.id, changes: { GREETING: "staging" } });
    await setConfigVars({ appId: production.id, userId: user.id, changes: { GREETING: "production" } });
    // The mirror's release phase fails: its promotion fails, production's does not.
    await setConfigVars({ appId: mirror.id, userId: user.id, changes: { GREETING: "mirror", RELEASE_FAIL: "1" } });

    const mark = `code-${unique()}`;
    const dir = await fixtureRepo("node-zero", (d) => {
      fs.writeFileSync(path.join(d, "server.js"), `require("node:http").createServer((q, s) => s.end("${mark}\\n" + process.env.GREETING + "\\n")).listen(process.env.PORT);\n`);
      fs.copyFileSync(path.join(FIXTURES, "procfile/release.js"), path.join(d, "release.js"));
      fs.writeFileSync(path.join(d, "Procfile"), "web: node server.js\nrelease: node release.js\n");
    });
    dirs.push(dir);
    const pushed = await push(dir, remoteUrl(server.url, staging.name, key));
    expect(pushed.code, pushed.output).toBe(0);
    const stagingBody = await answer(staging.id, (b) => b.startsWith(mark), "staging to serve its build");
    expect(stagingBody).toBe(`${mark}\nstaging\n`);

    const promotion = await caller.pipelines.promote({ pipeline, source: staging.name });
    expect(promotion.targets.map((t) => t.appName).sort()).toEqual([mirror.name, production.name].sort());
    const done = await waitFor("the promotion to end", async () => {
      const p = await caller.pipelines.promotion({ pipeline, id: promotion.id });
      return p.status === "completed" ? p : null;
    }, 60_000);
    const byApp = Object.fromEntries(done.targets.map((t) => [t.appName, t]));
    expect(byApp[production.name]).toMatchObject({ status: "succeeded", releaseVersion: 3, error: null });
    expect(byApp[mirror.name]).toMatchObject({ status: "failed", error: expect.stringMatching(/Release command failed \(exit status 3\)/) });

    // The same image, pinned by id, and the same answer for the same code; production's own config.
    const [source, promoted] = await Promise.all(
      [staging.id, production.id].map((appId) => db.release.findFirstOrThrow({ where: { appId, status: "succeeded" }, orderBy: { version: "desc" }, select: { imageTag: true, commit: true, description: true, buildId: true } })),
    );
    expect(promoted.imageTag).toBe(source.imageTag);
    expect(promoted.commit).toBe(source.commit);
    expect(promoted.description).toBe(`Promote from ${staging.name} v3`);
    expect(promoted.buildId).toBeNull();
    expect(await answer(production.id, (b) => b.startsWith(mark), "production to serve the promoted image")).toBe(`${mark}\nproduction\n`);
    expect(await db.build.count({ where: { appId: { in: [production.id, mirror.id] } } })).toBe(0);
    // The mirror keeps its (codeless) release: its failed release phase released nothing.
    expect(await db.release.findFirst({ where: { appId: mirror.id, status: "failed" }, select: { description: true } })).toMatchObject({ description: `Promote from ${staging.name} v3` });

    // The pipeline page now sees staging and production as the same code.
    const overview = await caller.pipelines.get({ pipeline });
    expect(overview.diffs.find((d) => d.to === production.name)).toMatchObject({ state: "same" });
    // A new commit on staging: the page lists it as what production lacks.
    fs.appendFileSync(path.join(dir, "server.js"), "// second\n");
    await commitAll(dir, "Second change");
    expect((await push(dir, remoteUrl(server.url, staging.name, key))).code).toBe(0);
    const ahead = (await caller.pipelines.get({ pipeline })).diffs.find((d) => d.to === production.name);
    expect(ahead).toMatchObject({ state: "ahead", ahead: 1, commits: [expect.objectContaining({ message: "Second change" })] });

    // Destroying staging leaves production's image in place (it has a name of production's own).
    await caller.apps.destroy({ app: staging.name, confirm: staging.name });
    await waitFor("staging's images to be untagged", async () => {
      const image = await inspectImage(source.imageTag!);
      return image && !image.repoTags.some((t) => t.startsWith(`slipway-app/${staging.id}:`)) ? image : null;
    });
    expect((await inspectImage(source.imageTag!))?.repoTags.some((t) => t.startsWith(`slipway-app/${production.id}:promoted-`))).toBe(true);
  });
});

describe("review apps", () => {
  it("appear for a branch push with app.json applied and are gone after the branch is deleted", async () => {
    const parent = await newApp("par");
    const pipeline = `pl-${unique()}`;
    const caller = callerFor(user.id);
    await caller.pipelines.create({ name: pipeline, app: parent.name, stage: "staging" });
    const dir = await fixtureRepo("appjson-node", (d) => {
      const manifest = JSON.parse(fs.readFileSync(path.join(d, "app.json"), "utf8"));
      // A review app runs one web dyno, and says so.
      manifest.environments = { review: { formation: { web: { quantity: 1 }, worker: { quantity: 0 } }, env: { GREETING: { value: "hello review" } } } };
      fs.writeFileSync(path.join(d, "app.json"), JSON.stringify(manifest, null, 2));
    });
    dirs.push(dir);
    await git(dir, ["checkout", "-q", "-b", "feature-x"]);
    const url = remoteUrl(server.url, parent.name, key);

    // Before review apps are enabled a branch is refused, as before.
    const refused = await push(dir, url, "feature-x");
    expect(refused.code).not.toBe(0);
    expect(refused.output).toContain("Slipway deploys main or master only");

    await caller.pipelines.reviewApps.configure({ pipeline, parent: parent.name });
    const created = await push(dir, url, "feature-x");
    expect(created.code, created.output).toBe(0);
    const name = `${parent.name}-pr-feature-x`;
    expect(created.output).toContain(`remote: -----> Creating review app ${name} for branch feature-x`);
    expect(created.output).toContain("remote: -----> Running postdeploy: node postdeploy.js");
    expect(created.output).toContain("postdeploy run 1");
    expect(created.output).toMatch(new RegExp(`remote:        http://${name}\\.`));
    const app = await db.app.findUniqueOrThrow({ where: { name }, select: { id: true, ownerId: true, pipelineCoupling: { select: { stage: true } }, addons: { select: { id: true } } } });
    appIds.push(app.id);
    expect(app).toMatchObject({ ownerId: user.id, pipelineCoupling: { stage: "review" }, addons: [expect.anything()] });
    const body = JSON.parse(await answer(app.id, (b) => b.includes('"postdeployRuns"'), "the review app to answer"));
    expect(body).toMatchObject({ greeting: "hello review", postdeployRuns: "1" });
    const listed = (await caller.pipelines.get({ pipeline })).reviewApps;
    expect(listed).toEqual([expect.objectContaining({ branch: "feature-x", status: "created", app: { id: app.id, name } })]);

    // A second push updates it: no second app, no second postdeploy.
    fs.appendFileSync(path.join(dir, "server.js"), "// update\n");
    await commitAll(dir, "update");
    const updated = await push(dir, url, "feature-x");
    expect(updated.code, updated.output).toBe(0);
    expect(updated.output).toContain(`remote: -----> Updating review app ${name}`);
    expect(updated.output).not.toContain("Running postdeploy");
    expect(await db.release.count({ where: { appId: app.id, buildId: { not: null } } })).toBe(2);

    // Deleting the branch runs pr-predestroy (it counts in the same Redis) and removes app and add-on.
    const deleted = await push(dir, url, ":feature-x");
    expect(deleted.code, deleted.output).toBe(0);
    expect(deleted.output).toContain("remote: -----> Running pr-predestroy: node postdeploy.js --bye");
    expect(deleted.output).toContain("postdeploy run 2 (predestroy)");
    expect(deleted.output).toContain(`remote: -----> Destroyed ${name}`);
    expect(await db.app.count({ where: { id: app.id } })).toBe(0);
    await waitFor("the review app's add-on to be gone from the Engine", async () => {
      const left = await listAddonResources(opts.installation);
      return !left.some((r) => r.id === app.addons[0]!.id) || null;
    });
    expect((await caller.pipelines.get({ pipeline })).reviewApps).toEqual([]);
  });
});
