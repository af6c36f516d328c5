// The official `heroku` CLI's team commands as several users of a running platform
// (bash scripts/with-platform.sh npx vitest run server/platform-api/cli-teams.integration.test.ts):
// teams, members, members:add/set/remove, apps -t, and Heroku's refusal messages.
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, baseUrl, bearer, heroku, herokuBin, newUser, ok, removeHomes, unique, trpc } from "@/server/testing/heroku-cli";

type User = Awaited<ReturnType<typeof newUser>>;


describe.skipIf(!baseUrl)("the heroku CLI's team commands, as several users", { timeout: 180_000 }, () => {
  let admin: User, alice: User, vic: User, outsider: User;
  const team = `cli-team-${unique()}-${unique()}`;
  const app = `cli-tapp-${unique()}-${unique()}`;

  beforeAll(async () => {
    expect(fs.existsSync(herokuBin), `heroku CLI not found at ${herokuBin}`).toBe(true);
    [admin, alice, vic, outsider] = await Promise.all([newUser("admin"), newUser("alice"), newUser("vic"), newUser("outsider")]);
    await trpc(admin.apiKey, "teams.create", { name: team });
  });

  afterAll(async () => {
    await api("DELETE", `/apps/${app}`, bearer(admin.apiKey));
    await fetch(`${baseUrl}/api/trpc/teams.settings.delete`, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...bearer(admin.apiKey) },
      body: JSON.stringify({ json: { team, confirm: team } }),
    });
    removeHomes();
  });

  it("teams lists the caller's teams with their role; apps:create -t makes a team app", async () => {
    const teams = await ok(["teams"], { apiKey: admin.apiKey });
    expect(teams.stdout).toMatch(new RegExp(`${team}\\s+admin`));
    await ok(["apps:create", app, "-t", team], { apiKey: admin.apiKey });
    expect((await ok(["apps", "-t", team], { apiKey: admin.apiKey })).stdout).toContain(app);
  });

  it("members:add adds existing accounts with a role; members lists them", async () => {
    const added = await ok(["members:add", alice.email, "--role", "member", "-t", team], { apiKey: admin.apiKey });
    expect(added.stderr).toContain(`Adding ${alice.email} to ${team} as member... done`);
    await ok(["members:add", vic.email, "--role", "viewer", "-t", team], { apiKey: admin.apiKey });

    const members = await ok(["members", "-t", team], { apiKey: vic.apiKey });
    expect(members.stdout).toMatch(new RegExp(`${admin.email}\\s+admin`));
    expect(members.stdout).toMatch(new RegExp(`${alice.email}\\s+member`));
    expect(members.stdout).toMatch(new RegExp(`${vic.email}\\s+viewer`));
    expect((await ok(["members", "-t", team, "--role", "viewer"], { apiKey: admin.apiKey })).stdout).not.toContain(alice.email);

    // Alice and Vic see the team and its app now.
    expect((await ok(["teams"], { apiKey: alice.apiKey })).stdout).toMatch(new RegExp(`${team}\\s+member`));
    expect((await ok(["apps", "-t", team], { apiKey: vic.apiKey })).stdout).toContain(app);
  });

  it("refuses a plain member's members:add with Heroku's forbidden message, and hides the team from outsiders", async () => {
    const refused = await heroku(["members:add", outsider.email, "--role", "viewer", "-t", team], { apiKey: alice.apiKey });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain("Only team admins can do that.");
    expect(refused.stderr).toContain("Error ID: forbidden");
    expect(refused.stderr).not.toMatch(/at .*\.js:\d+/); // a message, not a stack

    const hidden = await heroku(["members", "-t", team], { apiKey: outsider.apiKey });
    expect(hidden.code).not.toBe(0);
    expect(hidden.stderr).toContain("Couldn't find that team.");
    const apps = await heroku(["apps", "-t", team], { apiKey: outsider.apiKey });
    expect(apps.code).not.toBe(0);

    const unknown = await heroku(["members:add", `nobody-${unique()}@example.com`, "--role", "member", "-t", team], { apiKey: admin.apiKey });
    expect(unknown.stderr).toContain("No Slipway account uses that email");
  });

  it("members:set changes a role; the last admin cannot step down", async () => {
    const set = await ok(["members:set", vic.email, "--role", "member", "-t", team], { apiKey: admin.apiKey });
    expect(set.stderr).toContain(`Adding ${vic.email} to ${team} as member... done`);
    expect((await ok(["members", "-t", team], { apiKey: admin.apiKey })).stdout).toMatch(new RegExp(`${vic.email}\\s+member`));

    const lastAdmin = await heroku(["members:set", admin.email, "--role", "member", "-t", team], { apiKey: admin.apiKey });
    expect(lastAdmin.code).not.toBe(0);
    expect(lastAdmin.stderr).toContain("A team needs at least one admin");
    expect((await api("GET", `/teams/${team}/members`, bearer(admin.apiKey))).body).toContainEqual(expect.objectContaining({ email: admin.email, role: "admin" }));
  });

  it("members:remove ends the member's access to the team's apps at once", async () => {
    expect((await ok(["apps:info", "-a", app], { apiKey: alice.apiKey })).stdout).toContain(app);
    const removed = await ok(["members:remove", alice.email, "-t", team], { apiKey: admin.apiKey });
    expect(removed.stderr).toContain(`Removing ${alice.email} from ${team}... done`);
    expect((await ok(["members", "-t", team], { apiKey: admin.apiKey })).stdout).not.toContain(alice.email);

    const info = await heroku(["apps:info", "-a", app], { apiKey: alice.apiKey });
    expect(info.code).not.toBe(0);
    expect(info.stderr).toContain("Couldn't find that app.");
    expect((await heroku(["apps", "-t", team], { apiKey: alice.apiKey })).code).not.toBe(0);
    expect((await ok(["teams"], { apiKey: alice.apiKey })).stdout).not.toContain(team);
  });
});
