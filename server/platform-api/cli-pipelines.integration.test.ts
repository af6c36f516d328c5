// The official `heroku` CLI's pipeline commands against a running platform
// (bash scripts/with-platform.sh npx vitest run server/platform-api/cli-pipelines.integration.test.ts):
// pipelines, pipelines:create/add/update/info/promote/diff/rename/transfer/remove/destroy and
// reviewapps:enable/disable, with a real push to staging and a real promotion to production.
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, apiOk, baseUrl, bearer, heroku, herokuBin, newUser, ok, removeHomes, routerPort, trpc, unique, viaRouter } from "@/server/testing/heroku-cli";
import { fixtureRepo, push, remoteUrl } from "@/server/testing/git-push";

type User = Awaited<ReturnType<typeof newUser>>;

describe.skipIf(!baseUrl)("the heroku CLI's pipeline commands", { timeout: 300_000 }, () => {
  let owner: User, stranger: User;
  const tag = `${unique()}${unique()}`.slice(0, 8);
  const staging = `clip-${tag}-stg`;
  const production = `clip-${tag}-prd`;
  const pipeline = `clip-${tag}`;
  const renamed = `clip-${tag}-new`;
  const team = `clip-team-${tag}`;
  const dirs: string[] = [];

  beforeAll(async () => {
    expect(fs.existsSync(herokuBin), `heroku CLI not found at ${herokuBin}`).toBe(true);
    [owner, stranger] = await Promise.all([newUser("pipes"), newUser("stranger")]);
    await trpc(owner.apiKey, "teams.create", { name: team });
    // Through the API: apps:create and config:set are heroku-cli's cases.
    for (const [app, greeting] of [[staging, "staging"], [production, "production"]]) {
      await apiOk("POST", "/apps", owner.apiKey, { name: app });
      await apiOk("PATCH", `/apps/${app}/config-vars`, owner.apiKey, { GREETING: greeting });
    }
  });

  afterAll(async () => {
    for (const app of [staging, production]) await api("DELETE", `/apps/${app}`, bearer(owner.apiKey));
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    removeHomes();
  });

  it("pipelines:create and pipelines:add couple apps to stages; pipelines and pipelines:info list them", async () => {
    const created = await ok(["pipelines:create", pipeline, "-a", staging, "-s", "staging"], { apiKey: owner.apiKey });
    expect(created.stderr).toContain(`Creating ${pipeline} pipeline... done`);
    expect(created.stderr).toContain(`Adding ${staging} to ${pipeline} pipeline as staging... done`);
    await ok(["pipelines:add", pipeline, "-a", production, "-s", "development"], { apiKey: owner.apiKey });
    const moved = await ok(["pipelines:update", "-a", production, "-s", "production"], { apiKey: owner.apiKey });
    expect(moved.stderr).toContain(`Changing ${production} to production... done`);

    expect((await ok(["pipelines"], { apiKey: owner.apiKey })).stdout).toContain(pipeline);
    const info = await ok(["pipelines:info", pipeline], { apiKey: owner.apiKey });
    expect(info.stdout).toContain(`owner: ${owner.email}`);
    expect(info.stdout).toMatch(new RegExp(`${staging}\\s+staging`));
    expect(info.stdout).toMatch(new RegExp(`${production}\\s+production`));
    expect((await ok(["apps:info", "-a", production], { apiKey: owner.apiKey })).stdout).toMatch(new RegExp(`Pipeline:\\s+${pipeline} - production`));

    // Someone else finds no such pipeline, and cannot add to it.
    const hidden = await heroku(["pipelines:info", pipeline], { apiKey: stranger.apiKey });
    expect(hidden.code).not.toBe(0);
    expect(hidden.stderr).toContain("Pipeline not found");
  });

  it("pipelines:promote releases staging's build on production with production's config; pipelines:diff needs GitHub", async () => {
    const dir = await fixtureRepo("node-zero");
    dirs.push(dir);
    const pushed = await push(dir, remoteUrl(baseUrl!, staging, owner.apiKey));
    expect(pushed.code, pushed.output).toBe(0);

    const promoted = await ok(["pipelines:promote", "-a", staging], { apiKey: owner.apiKey });
    expect(promoted.stdout).toContain(`Fetching apps from ${pipeline}...`);
    expect(promoted.stdout).toContain("Starting promotion to production...");
    expect(promoted.stdout).toContain("Promotion successful");
    expect(promoted.stdout).toMatch(new RegExp(`${production}:\\s+succeeded`));
    const releases = await ok(["releases", "-a", production], { apiKey: owner.apiKey });
    expect(releases.stdout).toMatch(new RegExp(`v\\d+\\s+Promote from ${staging} v\\d+`));
    const stagingBuilds = await api("GET", `/apps/${staging}/builds`, bearer(owner.apiKey));
    expect((await api("GET", `/apps/${production}/builds`, bearer(owner.apiKey))).body).toEqual([]);
    if (routerPort) {
      const host = `${production}.localhost`;
      let answer = await viaRouter(host);
      for (let i = 0; i < 100 && answer.body !== "production from node-zero\n"; i++) {
        await new Promise((r) => setTimeout(r, 300));
        answer = await viaRouter(host);
      }
      expect(answer).toEqual({ status: 200, body: "production from node-zero\n" });
    }
    // Promoting from production has nowhere to go.
    const nowhere = await heroku(["pipelines:promote", "-a", production], { apiKey: owner.apiKey });
    expect(nowhere.code).not.toBe(0);
    expect(nowhere.stderr).toContain(`Cannot promote ${production} from 'production' stage`);

    // pipelines:diff reads each app's slug (its commit) from here, then asks Heroku's GitHub
    // service, which a self-hosted platform cannot answer: the CLI says so.
    const [latest] = (await api("GET", `/apps/${production}/releases`, { ...bearer(owner.apiKey), Range: "version ..; max=1, order=desc" })).body as unknown as { slug: { id: string } }[];
    const slug = await api("GET", `/apps/${production}/slugs/${latest!.slug.id}`, bearer(owner.apiKey));
    expect(slug.body.commit).toBe((stagingBuilds.body as unknown as { source_blob: { version: string } }[])[0]!.source_blob.version);
    const diff = await heroku(["pipelines:diff", "-a", staging], { apiKey: owner.apiKey });
    expect(diff.code).not.toBe(0);
    expect(diff.stderr).toContain(`${staging} does not seem to be connected to GitHub`);
  });

  it("reviewapps:enable and reviewapps:disable set review apps up with the staging app as parent", async () => {
    const enabled = await ok(["reviewapps:enable", "-p", pipeline, "--autodestroy"], { apiKey: owner.apiKey });
    expect(enabled.stdout).toContain("Enabling auto destroy...");
    expect(enabled.stderr).toContain("Configuring pipeline... done");
    const id = (await api("GET", `/pipelines/${pipeline}`, bearer(owner.apiKey))).body.id as string;
    const config = await api("GET", `/pipelines/${id}/review-app-config`, bearer(owner.apiKey));
    expect(config.body).toMatchObject({ parent_app: { name: staging }, destroy_stale_apps: true });
    await ok(["reviewapps:disable", "-p", pipeline], { apiKey: owner.apiKey });
    expect((await api("GET", `/pipelines/${id}/review-app-config`, bearer(owner.apiKey))).status).toBe(404);
  });

  it("pipelines:rename, pipelines:transfer, pipelines:remove and pipelines:destroy", async () => {
    const refused = await heroku(["pipelines:rename", pipeline, renamed], { apiKey: stranger.apiKey });
    expect(refused.code).not.toBe(0);
    await ok(["pipelines:rename", pipeline, renamed], { apiKey: owner.apiKey });
    expect((await ok(["pipelines"], { apiKey: owner.apiKey })).stdout).toContain(renamed);

    const moved = await ok(["pipelines:transfer", team, "-p", renamed, "--confirm", renamed], { apiKey: owner.apiKey });
    expect(moved.stderr).toContain(`Transferring ${renamed} pipeline to the ${team} team... done`);
    const info = await ok(["pipelines:info", renamed], { apiKey: owner.apiKey });
    expect(info.stdout).toContain(`owner: ${team} (team)`);
    expect((await ok(["apps:info", "-a", staging], { apiKey: owner.apiKey })).stdout).toMatch(new RegExp(`Owner:\\s+${team}`));

    const removed = await ok(["pipelines:remove", "-a", production], { apiKey: owner.apiKey });
    expect(removed.stderr).toContain(`Removing ${production}... done`);
    expect((await ok(["pipelines:info", renamed], { apiKey: owner.apiKey })).stdout).not.toContain(production);
    const destroyed = await ok(["pipelines:destroy", renamed], { apiKey: owner.apiKey });
    expect(destroyed.stderr).toContain(`Destroying ${renamed} pipeline... done`);
    expect((await ok(["pipelines"], { apiKey: owner.apiKey })).stdout).not.toContain(renamed);
    // The apps are still there.
    expect((await api("GET", `/apps/${staging}`, bearer(owner.apiKey))).status).toBe(200);
  });
});
