// The official `heroku` CLI's access and transfer commands as several users of a running
// platform (bash scripts/with-platform.sh npx vitest run server/platform-api/cli-access.integration.test.ts):
// access, access:add/update/remove, apps:join/leave/lock/unlock, apps:transfer (personal →
// team, team → personal, person → person), and Heroku's refusal messages.
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, apiOk, baseUrl, bearer, heroku, herokuBin, newUser, ok, removeHomes, trpc, unique } from "@/server/testing/heroku-cli";

type User = Awaited<ReturnType<typeof newUser>>;


async function refused(args: string[], apiKey: string, message: RegExp) {
  const run = await heroku(args, { apiKey });
  expect(run.code, `heroku ${args.join(" ")} should fail\n${run.stdout}\n${run.stderr}`).not.toBe(0);
  // The CLI wraps long messages over lines starting with " › ".
  expect(run.stderr.replace(/\s*\n\s*›?\s*/g, " ")).toMatch(message);
  // A refusal, not a crash: no stack trace reaches the user.
  expect(run.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  return run;
}

describe.skipIf(!baseUrl)("the heroku CLI's access commands, as several users", { timeout: 180_000 }, () => {
  let owner: User, bob: User, admin: User, alice: User, carol: User, vic: User;
  const team = `cli-acc-${unique()}-${unique()}`;
  const papp = `cli-pa-${unique()}-${unique()}`;
  const tapp = `cli-ta-${unique()}-${unique()}`;
  const moving = `cli-mv-${unique()}-${unique()}`;
  const gift = `cli-gift-${unique()}-${unique()}`;

  beforeAll(async () => {
    expect(fs.existsSync(herokuBin), `heroku CLI not found at ${herokuBin}`).toBe(true);
    [owner, bob, admin, alice, carol, vic] = await Promise.all(["owner", "bob", "admin", "alice", "carol", "vic"].map((t) => newUser(t)));
    await trpc(admin.apiKey, "teams.create", { name: team });
    // Through the API: members:add and apps:create are cli-teams' and heroku-cli's cases.
    for (const [user, role] of [[alice, "member"], [vic, "viewer"], [owner, "member"]] as const) {
      await apiOk("PUT", `/teams/${team}/members`, admin.apiKey, { email: user.email, role });
    }
    await apiOk("POST", "/apps", owner.apiKey, { name: papp });
    await apiOk("POST", "/teams/apps", admin.apiKey, { name: tapp, team });
  });

  afterAll(async () => {
    // Whoever owns them by now destroys them (a transfer moves them around).
    for (const name of [papp, tapp, moving, gift]) {
      for (const user of [owner, admin, bob]) if (user && (await api("DELETE", `/apps/${name}`, bearer(user.apiKey))).status === 200) break;
    }
    await fetch(`${baseUrl}/api/trpc/teams.settings.delete`, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...bearer(admin.apiKey) },
      body: JSON.stringify({ json: { team, confirm: team } }),
    });
    removeHomes();
  });

  it("personal app: access:add gives a collaborator view, deploy and operate; access lists owner and collaborator; a collaborator cannot add others", async () => {
    const added = await ok(["access:add", bob.email, "-a", papp], { apiKey: owner.apiKey });
    expect(added.stderr).toContain(`Adding ${bob.email} access to the app ${papp}... done`);

    const list = await ok(["access", "-a", papp], { apiKey: bob.apiKey });
    expect(list.stdout).toMatch(new RegExp(`${owner.email}\\s+owner`));
    expect(list.stdout).toMatch(new RegExp(`${bob.email}\\s+collaborator\\s+deploy, operate, view`));

    await refused(["access:add", carol.email, "-a", papp], bob.apiKey, new RegExp(`You do not have access to the app ${papp}`));
    // The refusal in Heroku's own shape.
    const raw = await api("POST", `/apps/${papp}/collaborators`, bearer(bob.apiKey), { user: carol.email });
    expect(raw.status).toBe(403);
    expect(raw.body).toEqual({ id: "forbidden", message: expect.stringMatching(new RegExp(`^You do not have access to the app ${papp}`)) });
    // Someone who cannot see the app gets not_found, as Heroku answers.
    expect((await api("GET", `/apps/${papp}/collaborators`, bearer(carol.apiKey))).body.id).toBe("not_found");
  });

  it("personal app: apps:leave ends a collaborator's access; access:remove removes one", async () => {
    await ok(["apps:leave", "-a", papp], { apiKey: bob.apiKey });
    await refused(["apps:info", "-a", papp], bob.apiKey, /Couldn't find that app/);

    await ok(["access:add", carol.email, "-a", papp], { apiKey: owner.apiKey });
    const removed = await ok(["access:remove", carol.email, "-a", papp], { apiKey: owner.apiKey });
    expect(removed.stderr).toContain(`Removing ${carol.email} access from the app ${papp}... done`);
    expect((await ok(["access", "-a", papp], { apiKey: owner.apiKey })).stdout).not.toContain(carol.email);
  });

  it("team app: access:add --permissions grants an outsider exactly those; access:update narrows them; access:remove ends them", async () => {
    const added = await ok(["access:add", carol.email, "-a", tapp, "--permissions", "deploy,operate"], { apiKey: admin.apiKey });
    expect(added.stderr).toContain(`Adding ${carol.email} access to the app ${tapp} with deploy, operate, view permissions... done`);
    const list = await ok(["access", "-a", tapp], { apiKey: admin.apiKey });
    expect(list.stdout).toMatch(new RegExp(`${carol.email}\\s+collaborator\\s+deploy, operate, view`));
    expect(list.stdout).toMatch(new RegExp(`${admin.email}\\s+admin\\s+deploy, manage, operate, view`));

    await ok(["restart", "-a", tapp], { apiKey: carol.apiKey });
    const updated = await ok(["access:update", carol.email, "-a", tapp, "--permissions", "deploy"], { apiKey: admin.apiKey });
    expect(updated.stderr).toContain(`Updating ${carol.email} in application ${tapp} with deploy,view permissions... done`);
    await refused(["restart", "-a", tapp], carol.apiKey, new RegExp(`You do not have access to the app ${tapp}: this needs the operate permission`));

    await refused(["access:add", vic.email, "-a", tapp, "--permissions", "deploy"], admin.apiKey, /viewers cannot be granted more than view/);
    await refused(["access:add", bob.email, "-a", tapp, "--permissions", "deploy"], alice.apiKey, new RegExp(`You do not have access to the app ${tapp}`));

    await ok(["access:remove", carol.email, "-a", tapp], { apiKey: admin.apiKey });
    await refused(["apps:info", "-a", tapp], carol.apiKey, /Couldn't find that app/);
  });

  it("apps:lock keeps members out until unlocked; apps:join and apps:leave", async () => {
    await refused(["apps:lock", "-a", tapp], alice.apiKey, new RegExp(`You do not have access to the app ${tapp}`));
    expect((await ok(["apps:lock", "-a", tapp], { apiKey: admin.apiKey })).stderr).toContain(`Locking ${tapp}... done`);
    expect((await api("GET", `/teams/apps/${tapp}`, bearer(admin.apiKey))).body).toMatchObject({ name: tapp, locked: true });
    await refused(["apps:join", "-a", tapp], alice.apiKey, new RegExp(`You do not have access to the app ${tapp}: it is locked`));
    expect((await ok(["apps", "-t", team], { apiKey: alice.apiKey })).stdout).not.toContain(tapp);

    expect((await ok(["apps:unlock", "-a", tapp], { apiKey: admin.apiKey })).stderr).toContain(`Unlocking ${tapp}... done`);
    expect((await ok(["apps:join", "-a", tapp], { apiKey: alice.apiKey })).stderr).toContain(`Joining ${tapp}... done`);
    expect((await ok(["access", "-a", tapp], { apiKey: alice.apiKey })).stdout).toMatch(new RegExp(`${alice.email}\\s+member\\s+deploy, operate, view`));
    expect((await api("GET", `/teams/apps/${tapp}`, bearer(alice.apiKey))).body.joined).toBe(true);
    expect((await ok(["apps:leave", "-a", tapp], { apiKey: alice.apiKey })).stderr).toContain(`Leaving ${tapp}... done`);
    // Her grant is gone; on an unlocked app a member still has the team's defaults (Slipway's
    // rule), so what changed is that she has not joined it any more.
    expect((await api("GET", `/teams/apps/${tapp}`, bearer(alice.apiKey))).body.joined).toBe(false);
  });

  it("apps:transfer moves a personal app into a team and back to an admin", async () => {
    await ok(["apps:create", moving], { apiKey: owner.apiKey });
    const toTeam = await ok(["apps:transfer", team, "-a", moving], { apiKey: owner.apiKey });
    expect(toTeam.stderr).toContain(`Transferring ${moving} to ${team}... done`);
    expect((await api("GET", `/apps/${moving}`, bearer(admin.apiKey))).body.owner.email).toBe(`${team}@herokumanager.com`);

    // A member may not give a team's app away.
    await refused(["apps:transfer", alice.email, "-a", moving, "--confirm", moving], owner.apiKey, /You do not have access to the app|Only an admin/);
    const toAdmin = await ok(["apps:transfer", admin.email, "-a", moving, "--confirm", moving], { apiKey: admin.apiKey });
    expect(toAdmin.stderr).toContain(`Transferring ${moving} to ${admin.email}... done`);
    expect((await api("GET", `/apps/${moving}`, bearer(admin.apiKey))).body.owner.email).toBe(admin.email);
    await refused(["apps:info", "-a", moving], owner.apiKey, /Couldn't find that app/);
  });

  it("apps:transfer to a person waits for them to accept (PATCH /account/app-transfers)", async () => {
    await ok(["apps:create", gift], { apiKey: owner.apiKey });
    const sent = await ok(["apps:transfer", bob.email, "-a", gift], { apiKey: owner.apiKey });
    expect(sent.stderr).toContain(`Initiating transfer of ${gift} to ${bob.email}... email sent`);
    expect((await api("GET", `/apps/${gift}`, bearer(owner.apiKey))).body.owner.email).toBe(owner.email);

    const incoming = await api("GET", "/account/app-transfers", bearer(bob.apiKey));
    const transfer = (incoming.body as unknown as Array<Record<string, any>>).find((t) => t.app.name === gift)!;
    expect(transfer).toMatchObject({ state: "pending", owner: { email: owner.email }, recipient: { email: bob.email } });
    expect((await api("PATCH", `/account/app-transfers/${transfer.id}`, bearer(carol.apiKey), { state: "accepted" })).status).toBe(404);
    const accepted = await api("PATCH", `/account/app-transfers/${transfer.id}`, bearer(bob.apiKey), { state: "accepted" });
    expect(accepted.body).toMatchObject({ state: "accepted" });
    const info = await ok(["apps:info", "-a", gift], { apiKey: bob.apiKey });
    expect(info.stdout).toMatch(new RegExp(`Owner:\\s+${bob.email}`));
  });
});
