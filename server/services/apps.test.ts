import { describe, expect, it } from "vitest";
import { db } from "@/server/db";
import { AppError } from "@/server/errors";
import { findAppForUser } from "@/server/services/access";
import { createApp, destroyApp, listApps, renameApp } from "@/server/services/apps";
import { getConfigVars, setConfigVars } from "@/server/services/config-vars";
import { listReleases } from "@/server/services/releases";
import { addTeamMember, createTeam } from "@/server/services/teams";
import { createUser } from "@/server/services/users";

const unique = () => Math.random().toString(36).slice(2, 8);

async function user() {
  return createUser({ email: `u-${unique()}@example.com`, password: "correct horse" });
}

async function expectAppError(p: Promise<unknown>, code: string, field?: string) {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(AppError);
  expect((err as AppError).code).toBe(code);
  if (field) expect((err as AppError).details?.fieldErrors?.[field]).toBeTruthy();
}

describe("apps", () => {
  it("creates an app with release v1 and a random name when none is given", async () => {
    const u = await user();
    const app = await createApp({ userId: u.id });
    expect(app.name).toMatch(/^[a-z]+-[a-z]+-\d{4}$/);
    const releases = await listReleases({ appId: app.id });
    expect(releases.map((r) => [r.version, r.description, r.current])).toEqual([[1, "Initial release", true]]);
  });

  it("enforces Heroku's name rules and uniqueness with field errors", async () => {
    const u = await user();
    await expectAppError(createApp({ userId: u.id, name: "1abc" }), "BAD_REQUEST", "name");
    await expectAppError(createApp({ userId: u.id, name: "ab" }), "BAD_REQUEST", "name");
    await expectAppError(createApp({ userId: u.id, name: "Has_Caps" }), "BAD_REQUEST", "name");
    await expectAppError(createApp({ userId: u.id, name: "a".repeat(31) }), "BAD_REQUEST", "name");
    const name = `app-${unique()}`;
    await createApp({ userId: u.id, name });
    await expectAppError(createApp({ userId: u.id, name }), "BAD_REQUEST", "name");
  });

  it("lets team members create team apps and refuses viewers", async () => {
    const [admin, member, viewer, outsider] = [await user(), await user(), await user(), await user()];
    const team = await createTeam({ userId: admin.id, name: `team-${unique()}` });
    await addTeamMember({ teamId: team.id, email: member.email, role: "member" });
    await addTeamMember({ teamId: team.id, email: viewer.email, role: "viewer" });
    const made = await createApp({ userId: member.id, name: `mem-${unique()}`, teamName: team.name });
    expect(made.team?.name).toBe(team.name);
    await expectAppError(createApp({ userId: viewer.id, name: `view-${unique()}`, teamName: team.name }), "FORBIDDEN");
    await expectAppError(createApp({ userId: outsider.id, name: `out-${unique()}`, teamName: team.name }), "NOT_FOUND");
  });

  it("hides other users' apps as NOT_FOUND and lets team members in", async () => {
    const [alice, bob, carol] = [await user(), await user(), await user()];
    const app = await createApp({ userId: alice.id, name: `priv-${unique()}` });
    await expectAppError(findAppForUser({ userId: bob.id, app: app.name, operation: "app:info" }), "NOT_FOUND");
    await expectAppError(findAppForUser({ userId: bob.id, app: app.id, operation: "app:info" }), "NOT_FOUND");

    const team = await createTeam({ userId: alice.id, name: `team-${unique()}` });
    await addTeamMember({ teamId: team.id, email: carol.email });
    const teamApp = await createApp({ userId: alice.id, name: `tapp-${unique()}`, teamName: team.name });
    const seen = await findAppForUser({ userId: carol.id, app: teamApp.name, operation: "code:deploy" });
    expect(seen.team?.name).toBe(team.name);
    await expectAppError(findAppForUser({ userId: carol.id, app: teamApp.name, operation: "app:rename" }), "FORBIDDEN");
    await expectAppError(findAppForUser({ userId: bob.id, app: teamApp.name, operation: "app:info" }), "NOT_FOUND");
    expect((await listApps({ userId: carol.id, teamName: team.name })).map((a) => a.name)).toEqual([teamApp.name]);
    expect(await listApps({ userId: bob.id, scope: "all" })).toEqual([]);
  });

  it("renames and destroys only with the typed name", async () => {
    const u = await user();
    const app = await createApp({ userId: u.id, name: `old-${unique()}` });
    const renamed = await renameApp({ appId: app.id, userId: u.id, newName: `new-${unique()}` });
    await expectAppError(destroyApp({ appId: app.id, appName: renamed.name, confirm: app.name }), "BAD_REQUEST", "confirm");
    await destroyApp({ appId: app.id, appName: renamed.name, confirm: renamed.name });
    expect(await db.app.findUnique({ where: { id: app.id } })).toBeNull();
  });
});

describe("config vars", () => {
  it("encrypts values at rest and records a release per change", async () => {
    const u = await user();
    const app = await createApp({ userId: u.id });
    const { release } = await setConfigVars({ appId: app.id, userId: u.id, changes: { FOO: "secret-value-1", BAR: "2" } });
    expect(release?.version).toBe(2);
    expect(release?.description).toBe("Set FOO, BAR config vars");
    const raw = await db.configVar.findMany({ where: { appId: app.id } });
    expect(raw).toHaveLength(2);
    for (const row of raw) expect(row.valueEnc).not.toContain("secret-value-1");
    expect(JSON.stringify(await db.release.findMany({ where: { appId: app.id } }))).not.toContain("secret-value-1");

    const unset = await setConfigVars({ appId: app.id, userId: u.id, changes: { BAR: null } });
    expect(unset.release?.description).toBe("Remove BAR config vars");
    expect(await getConfigVars(app.id)).toEqual({ FOO: "secret-value-1" });

    const noop = await setConfigVars({ appId: app.id, userId: u.id, changes: { FOO: "secret-value-1", NOPE: null } });
    expect(noop.release).toBeNull();
    const releases = await listReleases({ appId: app.id });
    expect(releases.map((r) => r.version)).toEqual([3, 2, 1]);
    expect(releases[0]!.user?.email).toBe(u.email);
  });

  it("rejects bad keys with a field error and changes nothing", async () => {
    const u = await user();
    const app = await createApp({ userId: u.id });
    await expectAppError(setConfigVars({ appId: app.id, userId: u.id, changes: { "1BAD": "x", GOOD: "y" } }), "BAD_REQUEST", "1BAD");
    expect(await getConfigVars(app.id)).toEqual({});
    expect(await listReleases({ appId: app.id })).toHaveLength(1);
  });

  it("gives concurrent changes distinct release numbers", async () => {
    const u = await user();
    const app = await createApp({ userId: u.id });
    await Promise.all(Array.from({ length: 5 }, (_, i) => setConfigVars({ appId: app.id, userId: u.id, changes: { [`K${i}`]: "v" } })));
    const versions = (await listReleases({ appId: app.id })).map((r) => r.version);
    expect(versions).toEqual([6, 5, 4, 3, 2, 1]);
  });
});
