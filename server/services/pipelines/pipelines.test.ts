// Pipelines' rules through the dashboard's door (tRPC callers) and the Platform API's:
// ownership follows a user or team, couplings keep a pipeline's apps with its owner, each
// refusal says why, promotions check every side before anything runs, transfers move the
// apps too, and review apps are configured from an app of the pipeline. No Engine here:
// real promotions and review apps are in promotion.test.ts and review-apps.test.ts.
import { describe, expect, it } from "vitest";
import { db } from "@/server/db";
import { handlePlatformRequest } from "@/server/platform-api/handle";
import { createApiKey } from "@/server/services/api-keys";
import { destroyStaleReviewApps, reviewAppName } from "@/server/services/pipelines/review-apps";
import { callerFor, errorOf, newUser, unique } from "@/server/testing/callers";

type User = Awaited<ReturnType<typeof newUser>>;

async function teamOf(admin: User, people: [User, "admin" | "member" | "viewer"][] = []) {
  const team = await callerFor(admin.id).teams.create({ name: `pt-${unique()}` });
  for (const [user, role] of people) await db.teamMember.create({ data: { teamId: team.id, userId: user.id, role } });
  return team;
}

const teamApp = (user: User, team: string, prefix = "pa") => callerFor(user.id).apps.create({ name: `${prefix}-${unique()}`, team });

async function api(user: User, method: string, path: string, body?: unknown) {
  const key = (await createApiKey({ userId: user.id, description: "pipelines test" })).token;
  const res = await handlePlatformRequest(
    new Request(`http://localhost/api/v3${path}`, {
      method,
      headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json", Accept: "application/vnd.heroku+json; version=3.pipelines" },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
  );
  return { status: res.status, body: (await res.json()) as any };
}

describe("pipelines follow their owner", () => {
  it("a team's members create and shape its pipelines, viewers look, admins rename and destroy, outsiders see nothing", async () => {
    const [admin, member, viewer, outsider] = [await newUser("adm"), await newUser("mem"), await newUser("vie"), await newUser("out")];
    const team = await teamOf(admin, [[member, "member"], [viewer, "viewer"]]);
    const staging = await teamApp(admin, team.name, "stg");
    const name = `pl-${unique()}`;

    expect((await errorOf(callerFor(viewer.id).pipelines.create({ name, team: team.name }))).code).toBe("FORBIDDEN");
    expect((await errorOf(callerFor(outsider.id).pipelines.create({ name, team: team.name }))).code).toBe("NOT_FOUND");
    const created = await callerFor(member.id).pipelines.create({ name, team: team.name, app: staging.name, stage: "staging" });
    expect(created).toMatchObject({ name, teamId: team.id, ownerId: null });
    expect((await errorOf(callerFor(member.id).pipelines.create({ name, team: team.name }))).message).toMatch(/already taken/);

    const seen = await callerFor(viewer.id).pipelines.get({ pipeline: name });
    expect(seen.stages.staging.map((a) => a.name)).toEqual([staging.name]);
    expect((await callerFor(viewer.id).pipelines.list()).map((p) => p.name)).toContain(name);
    expect((await callerFor(outsider.id).pipelines.list()).map((p) => p.name)).not.toContain(name);
    expect((await errorOf(callerFor(outsider.id).pipelines.get({ pipeline: name }))).code).toBe("NOT_FOUND");

    const production = await teamApp(admin, team.name, "prd");
    expect((await errorOf(callerFor(viewer.id).pipelines.addApp({ pipeline: name, app: production.name, stage: "production" }))).code).toBe("FORBIDDEN");
    await callerFor(member.id).pipelines.addApp({ pipeline: name, app: production.name, stage: "production" });
    await callerFor(member.id).pipelines.moveApp({ pipeline: name, app: production.name, stage: "development" });
    expect((await callerFor(member.id).pipelines.get({ pipeline: name })).stages.development.map((a) => a.name)).toEqual([production.name]);

    const renamed = `pl-${unique()}`;
    expect((await errorOf(callerFor(member.id).pipelines.rename({ pipeline: name, name: renamed }))).message).toMatch(/an admin of its team/);
    await callerFor(admin.id).pipelines.rename({ pipeline: name, name: renamed });
    expect((await errorOf(callerFor(member.id).pipelines.destroy({ pipeline: renamed, confirm: renamed }))).code).toBe("FORBIDDEN");
    expect((await errorOf(callerFor(admin.id).pipelines.destroy({ pipeline: renamed, confirm: "nope" }))).code).toBe("BAD_REQUEST");
    await callerFor(admin.id).pipelines.destroy({ pipeline: renamed, confirm: renamed });
    // The apps stay, out of any pipeline.
    expect(await db.pipelineCoupling.count({ where: { appId: { in: [staging.id, production.id] } } })).toBe(0);
    expect(await db.app.count({ where: { id: { in: [staging.id, production.id] } } })).toBe(2);

    const kinds = (await db.activityEvent.findMany({ where: { teamId: team.id, kind: { startsWith: "pipeline." } }, select: { kind: true } })).map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(["pipeline.created", "pipeline.app_added", "pipeline.app_moved", "pipeline.renamed", "pipeline.destroyed"]));
  });

  it("keeps a pipeline's apps with its owner, one pipeline per app, and hides apps the caller cannot see", async () => {
    const [alice, bob, admin, member] = [await newUser("alice"), await newUser("bob"), await newUser("adm"), await newUser("mem")];
    const personal = `pp-${unique()}`;
    const mine = await callerFor(alice.id).apps.create({ name: `mine-${unique()}` });
    const theirs = await callerFor(bob.id).apps.create({ name: `theirs-${unique()}` });
    await callerFor(bob.id).access.add({ app: theirs.name, email: alice.email, permissions: ["deploy"] });
    await callerFor(alice.id).pipelines.create({ name: personal, app: mine.name, stage: "staging" });
    // Alice may deploy Bob's app, but it is Bob's: it cannot join Alice's pipeline.
    expect((await errorOf(callerFor(alice.id).pipelines.addApp({ pipeline: personal, app: theirs.name, stage: "production" }))).message).toMatch(/a pipeline's apps belong to the pipeline's owner/);
    expect((await errorOf(callerFor(bob.id).pipelines.get({ pipeline: personal }))).code).toBe("NOT_FOUND");
    // Already in a pipeline.
    const other = `pp-${unique()}`;
    await callerFor(alice.id).pipelines.create({ name: other });
    expect((await errorOf(callerFor(alice.id).pipelines.addApp({ pipeline: other, app: mine.name, stage: "production" }))).message).toMatch(/already in pipeline/);
    // The dashboard's create-with-app makes both or neither.
    const both = `pp-${unique()}`;
    expect((await errorOf(callerFor(alice.id).pipelines.create({ name: both, app: theirs.name, stage: "staging" }))).code).toBe("UNPROCESSABLE_CONTENT");
    expect(await db.pipeline.count({ where: { name: both } })).toBe(0);

    // A locked team app is left out of the pipeline for a member without a grant.
    const team = await teamOf(admin, [[member, "member"]]);
    const open = await teamApp(admin, team.name, "open");
    const locked = await teamApp(admin, team.name, "lock");
    const tp = `pl-${unique()}`;
    await callerFor(admin.id).pipelines.create({ name: tp, team: team.name, app: open.name, stage: "staging" });
    await callerFor(admin.id).pipelines.addApp({ pipeline: tp, app: locked.name, stage: "production" });
    await db.app.update({ where: { id: locked.id }, data: { locked: true } });
    const view = await callerFor(member.id).pipelines.get({ pipeline: tp });
    expect(view.stages.production).toEqual([]);
    const couplings = await api(member, "GET", `/pipelines/${tp}/pipeline-couplings`);
    expect(couplings.body.map((c: { app: { name: string } }) => c.app.name)).toEqual([open.name]);
    // …and they cannot change its coupling (no deploy on it).
    expect((await errorOf(callerFor(member.id).pipelines.removeApp({ pipeline: tp, app: locked.name }))).code).toBe("NOT_FOUND");
    expect((await errorOf(callerFor(admin.id).pipelines.addApp({ pipeline: tp, app: open.name, stage: "testing" as never }))).code).toBe("BAD_REQUEST");
  });
});

describe("the Platform API's pipeline doors", () => {
  it("answers the CLI's calls: create, find by name, couplings, the apps filter, users, rename, destroy", async () => {
    const [admin, member, stranger] = [await newUser("adm"), await newUser("mem"), await newUser("str")];
    const team = await teamOf(admin, [[member, "member"]]);
    const app = await teamApp(admin, team.name, "stg");
    const hidden = await callerFor(stranger.id).apps.create({ name: `hid-${unique()}` });
    const name = `pl-${unique()}`;

    const me = await api(member, "GET", "/users/~");
    expect(me.body).toMatchObject({ id: member.id, email: member.email });
    // Another person only if the caller shares a team with them: no door says which emails have accounts.
    expect((await api(member, "GET", `/users/${admin.email}`)).body).toMatchObject({ id: admin.id });
    expect((await api(member, "GET", `/users/${stranger.email}`)).status).toBe(404);

    const teamInfo = await api(member, "GET", `/teams/${team.name}`);
    const created = await api(member, "POST", "/pipelines", { name, owner: { id: teamInfo.body.id, type: "team" }, generation: { name: "cedar" } });
    expect(created).toMatchObject({ status: 201, body: { name, owner: { id: team.id, type: "team" }, generation: { name: "cedar" } } });
    expect((await api(member, "POST", "/pipelines", { name: `pl-${unique()}`, owner: { id: admin.id, type: "user" } })).status).toBe(403);
    const coupling = await api(member, "POST", "/pipeline-couplings", { app: app.name, pipeline: created.body.id, stage: "staging" });
    expect(coupling).toMatchObject({ status: 201, body: { stage: "staging", app: { id: app.id }, pipeline: { id: created.body.id, name } } });

    expect((await api(member, "GET", `/pipelines?eq[name]=${name}`)).body).toEqual([expect.objectContaining({ id: created.body.id, name })]);
    expect((await api(stranger, "GET", `/pipelines?eq[name]=${name}`)).body).toEqual([]);
    expect((await api(member, "GET", `/apps/${app.name}/pipeline-couplings`)).body).toMatchObject({ id: coupling.body.id, pipeline: { name } });
    const filtered = await api(member, "POST", "/filters/apps", { in: { id: [app.id, hidden.id] } });
    expect(filtered.body.map((a: { name: string }) => a.name)).toEqual([app.name]);
    // Someone who cannot see the coupling's pipeline cannot change it.
    expect((await api(stranger, "PATCH", `/pipeline-couplings/${coupling.body.id}`, { stage: "production" })).status).toBe(404);
    expect((await api(member, "PATCH", `/pipeline-couplings/${coupling.body.id}`, { stage: "production" })).body.stage).toBe("production");

    expect((await api(member, "PATCH", `/pipelines/${created.body.id}`, { name: `pl-${unique()}` })).status).toBe(403);
    expect((await api(admin, "PATCH", `/pipelines/${created.body.id}`, { name: "Bad Name" })).status).toBe(422);
    expect((await api(member, "DELETE", `/pipeline-couplings/${coupling.body.id}`)).status).toBe(200);
    expect((await api(admin, "DELETE", `/pipelines/${created.body.id}`, { name })).status).toBe(200);
    expect((await api(admin, "GET", `/pipelines/${name}`)).status).toBe(404);
    expect((await api(member, "GET", "/account/features/dashboard-repositories-api")).body.enabled).toBe(true);
  });
});

describe("promotions", () => {
  it("checks the pipeline, the source and every target before anything runs", async () => {
    const [admin, member, viewer, outsider] = [await newUser("adm"), await newUser("mem"), await newUser("vie"), await newUser("out")];
    const team = await teamOf(admin, [[member, "member"], [viewer, "viewer"]]);
    const staging = await teamApp(admin, team.name, "stg");
    const production = await teamApp(admin, team.name, "prd");
    const elsewhere = await teamApp(admin, team.name, "oth");
    const name = `pl-${unique()}`;
    await callerFor(admin.id).pipelines.create({ name, team: team.name, app: staging.name, stage: "staging" });
    await callerFor(admin.id).pipelines.addApp({ pipeline: name, app: production.name, stage: "production" });
    const promote = (user: User, targets?: string[]) => callerFor(user.id).pipelines.promote({ pipeline: name, source: staging.name, targets });

    // A viewer sees the pipeline but may not deploy production.
    expect((await errorOf(promote(viewer))).message).toMatch(/needs the deploy permission/);
    expect((await errorOf(promote(outsider))).code).toBe("NOT_FOUND");
    // Production is locked and the member holds no grant: it is not even visible to them.
    await db.app.update({ where: { id: production.id }, data: { locked: true } });
    expect((await errorOf(promote(member))).code).toBe("NOT_FOUND");
    await db.app.update({ where: { id: production.id }, data: { locked: false } });
    expect((await errorOf(promote(member, [elsewhere.name]))).message).toMatch(/is not in pipeline/);
    expect((await errorOf(promote(member, [staging.name]))).message).toMatch(/from an app to itself/);
    expect((await errorOf(callerFor(member.id).pipelines.promote({ pipeline: name, source: production.name }))).message).toMatch(/from its production stage/);
    // Staging has only its initial release: nothing to promote.
    expect((await errorOf(promote(member))).message).toMatch(/has no release with code to promote/);
    expect(await db.pipelinePromotion.count({ where: { pipeline: { name } } })).toBe(0);

    // Another person's promotion is theirs to read.
    const promotion = await db.pipelinePromotion.create({ data: { pipelineId: (await db.pipeline.findUniqueOrThrow({ where: { name } })).id, sourceAppId: staging.id, sourceAppName: staging.name, sourceVersion: 1 } });
    expect((await api(outsider, "GET", `/pipeline-promotions/${promotion.id}/promotion-targets`)).status).toBe(404);
    expect((await api(viewer, "GET", `/pipeline-promotions/${promotion.id}/promotion-targets`)).status).toBe(200);
  });
});

describe("pipeline transfers", () => {
  it("moves the pipeline and its apps into a team, and a team pipeline only to one of its admins", async () => {
    const [owner, admin, member] = [await newUser("own"), await newUser("adm"), await newUser("mem")];
    const team = await teamOf(admin, [[owner, "member"], [member, "member"]]);
    const app = await callerFor(owner.id).apps.create({ name: `pa-${unique()}` });
    const name = `pp-${unique()}`;
    await callerFor(owner.id).pipelines.create({ name, app: app.name, stage: "production" });
    expect((await errorOf(callerFor(owner.id).pipelines.transfer({ pipeline: name, to: member.email }))).message).toMatch(/cannot be given to another person/);

    await callerFor(owner.id).pipelines.transfer({ pipeline: name, to: team.name });
    expect(await db.pipeline.findUniqueOrThrow({ where: { name }, select: { teamId: true, ownerId: true } })).toEqual({ teamId: team.id, ownerId: null });
    expect(await db.app.findUniqueOrThrow({ where: { id: app.id }, select: { teamId: true } })).toEqual({ teamId: team.id });

    // Now a team pipeline: only admins transfer it, and only to an admin.
    expect((await errorOf(callerFor(owner.id).pipelines.transfer({ pipeline: name, to: owner.email }))).code).toBe("FORBIDDEN");
    expect((await errorOf(callerFor(admin.id).pipelines.transfer({ pipeline: name, to: member.email }))).message).toMatch(/not an admin/);
    // Through the CLI's door.
    const moved = await api(admin, "POST", "/pipeline-transfers", { pipeline: { id: (await db.pipeline.findUniqueOrThrow({ where: { name } })).id }, new_owner: { id: admin.email, type: "user" } });
    expect(moved.status).toBe(201);
    expect(await db.app.findUniqueOrThrow({ where: { id: app.id }, select: { ownerId: true, teamId: true } })).toEqual({ ownerId: admin.id, teamId: null });
    expect(await db.pipeline.findUniqueOrThrow({ where: { name }, select: { ownerId: true } })).toEqual({ ownerId: admin.id });
  });
});

describe("review apps", () => {
  it("names review apps after the parent and the branch, within 30 characters", () => {
    expect(reviewAppName("shop-staging", "feature-x")).toBe("shop-staging-pr-feature-x");
    expect(reviewAppName("shop", "Feature/Login_Page")).toBe("shop-pr-feature-login-page");
    const long = reviewAppName("a-rather-long-parent-app", "feature/with-a-long-name");
    expect(long.length).toBeLessThanOrEqual(30);
    expect(long).toMatch(/^a-rather-long-parent-app-p[a-z-]*-[0-9a-f]{4}$|^a-rather-long-parent-app-[0-9a-f]{4}$/);
    expect(reviewAppName("a-rather-long-parent-app", "feature/with-a-long-name")).toBe(long);
    expect(reviewAppName("a-rather-long-parent-app", "feature/with-a-long-nam")).not.toBe(long);
  });

  it("are enabled from an app of the pipeline the caller may deploy, through the CLI's calls", async () => {
    const [admin, member, viewer] = [await newUser("adm"), await newUser("mem"), await newUser("vie")];
    const team = await teamOf(admin, [[member, "member"], [viewer, "viewer"]]);
    const staging = await teamApp(admin, team.name, "stg");
    const production = await teamApp(admin, team.name, "prd");
    const outside = await teamApp(admin, team.name, "oth");
    const name = `pl-${unique()}`;
    await callerFor(admin.id).pipelines.create({ name, team: team.name, app: production.name, stage: "production" });
    await callerFor(admin.id).pipelines.addApp({ pipeline: name, app: staging.name, stage: "staging" });

    // reviewapps:enable: GET /pipelines/NAME, the feature, the "repository", then POST the config.
    const pipeline = await api(member, "GET", `/pipelines/${name}`);
    const repo = await api(member, "GET", `/pipelines/${pipeline.body.id}/repo`);
    expect(repo.body.full_name).toBe(staging.name); // staging before production
    expect((await api(viewer, "POST", `/pipelines/${pipeline.body.id}/review-app-config`, { pipeline: pipeline.body.id, repo: repo.body.full_name })).status).toBe(403);
    expect((await api(member, "POST", `/pipelines/${pipeline.body.id}/review-app-config`, { repo: outside.name })).body.message).toMatch(/is not an app of/);
    const enabled = await api(member, "POST", `/pipelines/${pipeline.body.id}/review-app-config`, { pipeline: pipeline.body.id, repo: repo.body.full_name });
    expect(enabled).toMatchObject({ status: 201, body: { parent_app: { name: staging.name }, destroy_stale_apps: false, stale_days: 5 } });
    const patched = await api(member, "PATCH", `/pipelines/${pipeline.body.id}/review-app-config`, { repo: staging.name, destroy_stale_apps: true });
    expect(patched.body).toMatchObject({ destroy_stale_apps: true });
    // The parent stays in the pipeline while review apps are on.
    expect((await errorOf(callerFor(admin.id).pipelines.removeApp({ pipeline: name, app: staging.name }))).message).toMatch(/parent of/);
    expect((await api(member, "DELETE", `/pipelines/${pipeline.body.id}/review-app-config`, {})).status).toBe(200);
    expect((await api(member, "GET", `/pipelines/${pipeline.body.id}/review-app-config`)).status).toBe(404);
  });

  it("destroys review apps with no push for the pipeline's days, when auto-destroy is on", async () => {
    const owner = await newUser("own");
    const parent = await callerFor(owner.id).apps.create({ name: `par-${unique()}` });
    const name = `pp-${unique()}`;
    await callerFor(owner.id).pipelines.create({ name, app: parent.name, stage: "staging" });
    await callerFor(owner.id).pipelines.reviewApps.configure({ pipeline: name, parent: parent.name, destroyStaleApps: true, staleDays: 2 });
    const pipeline = await db.pipeline.findUniqueOrThrow({ where: { name } });
    const make = async (branch: string, daysAgo: number) => {
      const app = await callerFor(owner.id).apps.create({ name: reviewAppName(parent.name, branch) });
      await db.pipelineCoupling.create({ data: { pipelineId: pipeline.id, appId: app.id, stage: "review" } });
      await db.reviewApp.create({ data: { pipelineId: pipeline.id, appId: app.id, branch, status: "created", lastPushAt: new Date(Date.now() - daysAgo * 86_400_000) } });
      return app;
    };
    const stale = await make("old", 3);
    const fresh = await make("new", 1);
    expect(await destroyStaleReviewApps()).toBeGreaterThanOrEqual(1);
    expect(await db.app.count({ where: { id: stale.id } })).toBe(0);
    expect(await db.app.count({ where: { id: fresh.id } })).toBe(1);
    const overview = await callerFor(owner.id).pipelines.get({ pipeline: name });
    expect(overview.reviewApps.map((r) => r.branch)).toEqual(["new"]);
    expect(await db.activityEvent.count({ where: { kind: "review_app.destroyed", appName: stale.name } })).toBe(1);

    // The dashboard's Destroy: not for someone who cannot see the pipeline; the owner may.
    const outsider = await newUser("out");
    expect((await errorOf(callerFor(outsider.id).pipelines.reviewApps.destroy({ pipeline: name, reviewApp: fresh.name }))).code).toBe("NOT_FOUND");
    await callerFor(owner.id).pipelines.reviewApps.disable({ pipeline: name });
    await callerFor(owner.id).pipelines.reviewApps.destroy({ pipeline: name, reviewApp: fresh.name });
    expect(await db.app.count({ where: { id: fresh.id } })).toBe(0);
  });
});
