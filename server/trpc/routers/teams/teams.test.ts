import { describe, expect, it } from "vitest";
import { db } from "@/server/db";
import { findAppForUser } from "@/server/services/access";
import { callerFor, captureAccessChanges, errorOf, newUser, unique } from "@/server/testing/callers";
import { createCaller } from "@/server/trpc/root";


/** A team with an app, an admin, a member and a viewer. */
async function teamWithPeople() {
  const [admin, member, viewer] = await Promise.all([newUser("admin"), newUser("member"), newUser("viewer")]);
  const team = await callerFor(admin.id).teams.create({ name: `t-${unique()}` });
  const app = await callerFor(admin.id).apps.create({ name: `tapp-${unique()}`, team: team.name });
  await callerFor(admin.id).teams.members.add({ team: team.name, email: member.email, role: "member" });
  await callerFor(admin.id).teams.members.add({ team: team.name, email: viewer.email, role: "viewer" });
  return { admin, member, viewer, team, app, t: team.name };
}


const activityKinds = async (teamId: string) => (await db.activityEvent.findMany({ where: { teamId }, orderBy: { createdAt: "asc" }, select: { kind: true, message: true } }));

describe("team members", () => {
  it("lets an admin add existing users by email with a role; roles decide what each may do on the team", async () => {
    const { admin, member, viewer, team, app, t } = await teamWithPeople();
    const members = await callerFor(viewer.id).teams.members.list({ team: t });
    expect(members.map((m) => [m.user.email, m.role]).sort()).toEqual(
      [[admin.email, "admin"], [member.email, "member"], [viewer.email, "viewer"]].sort(),
    );
    expect(await callerFor(member.id).teams.get({ team: t })).toMatchObject({ name: t, role: "member" });
    expect((await findAppForUser({ userId: viewer.id, app: app.name, operation: "app:info" })).permissions).toEqual(["view"]);

    const carol = await newUser("carol");
    for (const who of [member, viewer]) {
      const err = await errorOf(callerFor(who.id).teams.members.add({ team: t, email: carol.email, role: "member" }));
      expect(err.code).toBe("FORBIDDEN");
    }
    expect((await errorOf(callerFor(viewer.id).teams.members.add({ team: t, email: carol.email }))).message).toMatch(/Only team admins/);
    // An outsider learns nothing about the team.
    expect((await errorOf(callerFor(carol.id).teams.members.list({ team: t }))).code).toBe("NOT_FOUND");
    expect((await errorOf(callerFor(carol.id).teams.get({ team: t }))).code).toBe("NOT_FOUND");

    const api = callerFor(admin.id);
    expect((await errorOf(api.teams.members.add({ team: t, email: `nobody-${unique()}@example.com` }))).message).toMatch(/No Slipway account/);
    expect((await errorOf(api.teams.members.add({ team: t, email: "not an email" }))).code).toBe("BAD_REQUEST");
    expect((await errorOf(api.teams.members.add({ team: t, email: member.email.toUpperCase() }))).message).toMatch(/Already a member/);
    expect((await activityKinds(team.id)).filter((e) => e.kind === "member.added").map((e) => e.message)).toEqual([
      `Added ${member.email} to the team as member`,
      `Added ${viewer.email} to the team as viewer`,
    ]);
  });

  it("changes roles; the last admin cannot be demoted, removed or leave, and a demotion shrinks access at once", async () => {
    const { admin, member, app, t, team } = await teamWithPeople();
    const api = callerFor(admin.id);
    // One at a time: promises made together would reject before they are awaited.
    for (const attempt of [
      () => api.teams.members.setRole({ team: t, email: admin.email, role: "member" }),
      () => api.teams.members.remove({ team: t, email: admin.email }),
      () => api.teams.members.leave({ team: t }),
    ]) {
      const err = await errorOf(attempt());
      expect(err.code).toBe("CONFLICT");
      expect(err.message).toMatch(/at least one admin/);
    }

    const watch = captureAccessChanges();
    await api.teams.members.setRole({ team: t, email: member.email, role: "viewer" });
    watch.stop();
    expect(watch.seen).toContainEqual({ userId: member.id, teamId: team.id });
    await expect(findAppForUser({ userId: member.id, app: app.name, operation: "config:write" })).rejects.toMatchObject({ code: "FORBIDDEN" });

    await api.teams.members.setRole({ team: t, email: member.email, role: "admin" });
    expect((await findAppForUser({ userId: member.id, app: app.name, operation: "app:destroy" })).permissions).toContain("manage");
    // With a second admin, the first may step down and then leave.
    await api.teams.members.setRole({ team: t, email: admin.email, role: "member" });
    await api.teams.members.leave({ team: t });
    expect((await errorOf(api.teams.get({ team: t }))).code).toBe("NOT_FOUND");
    const kinds = (await activityKinds(team.id)).map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(["member.role_changed", "member.left"]));
    expect((await activityKinds(team.id)).find((e) => e.kind === "member.left")?.message).toBe(`${admin.email} left the team`);
  });

  it("removing a member deletes their grants on the team's apps and ends their access on the next call", async () => {
    const { admin, member, app, t, team } = await teamWithPeople();
    const other = await callerFor(admin.id).apps.create({ name: `personal-${unique()}` });
    await db.collaborator.create({ data: { appId: app.id, userId: member.id, permissions: ["view", "deploy", "operate", "manage"] } });
    await db.collaborator.create({ data: { appId: other.id, userId: member.id, permissions: ["view"] } });
    expect((await findAppForUser({ userId: member.id, app: app.name, operation: "domains:write" })).name).toBe(app.name);

    const watch = captureAccessChanges();
    await callerFor(admin.id).teams.members.remove({ team: t, email: member.email });
    watch.stop();
    expect(watch.seen).toContainEqual({ userId: member.id, teamId: team.id });
    await expect(findAppForUser({ userId: member.id, app: app.name, operation: "app:info" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await db.collaborator.count({ where: { userId: member.id, appId: app.id } })).toBe(0);
    // A grant on an app outside the team is not the team's to take away.
    expect(await db.collaborator.count({ where: { userId: member.id, appId: other.id } })).toBe(1);
    expect((await errorOf(callerFor(member.id).teams.get({ team: t }))).code).toBe("NOT_FOUND");
    expect((await errorOf(callerFor(admin.id).teams.members.remove({ team: t, email: member.email }))).code).toBe("NOT_FOUND");
  });
});

describe("team invitations", () => {
  it("gives the admin a link once; the invited email joins through it once, with the role", async () => {
    const { admin, member, t, team } = await teamWithPeople();
    const dave = await newUser("dave");
    expect((await errorOf(callerFor(member.id).teams.invitations.create({ team: t, email: dave.email }))).code).toBe("FORBIDDEN");
    expect((await errorOf(callerFor(admin.id).teams.invitations.create({ team: t, email: member.email }))).message).toMatch(/already a member/);

    const created = await callerFor(admin.id).teams.invitations.create({ team: t, email: dave.email, role: "viewer" });
    const token = created.url.split("/invite/")[1]!;
    expect(token.length).toBeGreaterThan(30);
    const stored = await db.teamInvitation.findFirstOrThrow({ where: { teamId: team.id, email: dave.email } });
    expect(stored.tokenHash).not.toContain(token);
    expect(stored.expiresAt.getTime() - Date.now()).toBeGreaterThan(6.9 * 24 * 3600 * 1000);
    const pending = await callerFor(admin.id).teams.invitations.list({ team: t });
    expect(pending.map((i) => i.email)).toEqual([dave.email]);
    expect(JSON.stringify(pending)).not.toContain(token);

    const anon = createCaller({ identity: null });
    expect(await anon.teams.invitations.preview({ token })).toMatchObject({ status: "pending", email: dave.email, teamName: t, role: "viewer", hasAccount: true });
    // Someone else signed in cannot use Dave's link.
    const err = await errorOf(callerFor(member.id).teams.invitations.accept({ token }));
    expect(err.code).toBe("FORBIDDEN");
    expect(err.message).toContain(dave.email);

    expect(await callerFor(dave.id).teams.invitations.accept({ token })).toEqual({ teamName: t, role: "viewer" });
    expect(await callerFor(dave.id).teams.get({ team: t })).toMatchObject({ role: "viewer" });
    expect((await errorOf(callerFor(dave.id).teams.invitations.accept({ token }))).message).toMatch(/already been used/);
    expect(await anon.teams.invitations.preview({ token })).toMatchObject({ status: "accepted" });
    expect(await callerFor(admin.id).teams.invitations.list({ team: t })).toEqual([]);
    expect((await activityKinds(team.id)).map((e) => e.message)).toEqual(
      expect.arrayContaining([`Invited ${dave.email} to join as viewer`, `${dave.email} accepted the invitation and joined as viewer`]),
    );
  });

  it("refuses revoked, expired and unknown links with a clear message", async () => {
    const { admin, t } = await teamWithPeople();
    const erin = await newUser("erin");
    const anon = createCaller({ identity: null });

    const revoked = await callerFor(admin.id).teams.invitations.create({ team: t, email: erin.email });
    await callerFor(admin.id).teams.invitations.revoke({ team: t, invitation: revoked.id });
    const revokedToken = revoked.url.split("/invite/")[1]!;
    expect(await anon.teams.invitations.preview({ token: revokedToken })).toMatchObject({ status: "revoked" });
    expect((await errorOf(callerFor(erin.id).teams.invitations.accept({ token: revokedToken }))).message).toMatch(/revoked/);

    const expiring = await callerFor(admin.id).teams.invitations.create({ team: t, email: erin.email });
    await db.teamInvitation.update({ where: { id: expiring.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const expiredToken = expiring.url.split("/invite/")[1]!;
    expect(await anon.teams.invitations.preview({ token: expiredToken })).toMatchObject({ status: "expired" });
    expect((await errorOf(callerFor(erin.id).teams.invitations.accept({ token: expiredToken }))).message).toMatch(/expired/);
    expect(await callerFor(admin.id).teams.invitations.list({ team: t })).toEqual([]);

    const bogus = "x".repeat(43);
    expect(await anon.teams.invitations.preview({ token: bogus })).toEqual({ status: "invalid" });
    expect((await errorOf(callerFor(erin.id).teams.invitations.accept({ token: bogus }))).code).toBe("NOT_FOUND");
    expect((await errorOf(callerFor(erin.id).teams.get({ team: t }))).code).toBe("NOT_FOUND");

    // Inviting again replaces the pending link: the first one stops working.
    const first = await callerFor(admin.id).teams.invitations.create({ team: t, email: erin.email });
    await callerFor(admin.id).teams.invitations.create({ team: t, email: erin.email });
    expect(await anon.teams.invitations.preview({ token: first.url.split("/invite/")[1]! })).toMatchObject({ status: "revoked" });
    expect((await callerFor(admin.id).teams.invitations.list({ team: t })).length).toBe(1);
  });

  it("signs up a new person with the invited email, who joins at once", async () => {
    const { admin, t } = await teamWithPeople();
    const email = `new-${unique()}@example.com`;
    const { url } = await callerFor(admin.id).teams.invitations.create({ team: t, email, role: "member" });
    const token = url.split("/invite/")[1]!;
    const anon = createCaller({ identity: null });
    expect(await anon.teams.invitations.preview({ token })).toMatchObject({ hasAccount: false });
    expect((await errorOf(anon.teams.invitations.signUp({ token, password: "short" }))).code).toBe("BAD_REQUEST");
    expect(await anon.teams.invitations.signUp({ token, password: "password1", name: "Newcomer" })).toMatchObject({ email, teamName: t, role: "member" });
    const user = await db.user.findUniqueOrThrow({ where: { email } });
    expect(await callerFor(user.id).teams.get({ team: t })).toMatchObject({ role: "member" });
    expect((await errorOf(anon.teams.invitations.signUp({ token, password: "password1" }))).message).toMatch(/already been used/);
  });
});

describe("team settings", () => {
  it("lets an admin choose the members' default permissions, always with view", async () => {
    const { admin, member, viewer, app, t, team } = await teamWithPeople();
    expect((await findAppForUser({ userId: member.id, app: app.name, operation: "formation:scale" })).permissions).toEqual(["view", "deploy", "operate"]);
    expect((await errorOf(callerFor(member.id).teams.settings.setDefaultPermissions({ team: t, permissions: ["manage"] }))).code).toBe("FORBIDDEN");
    expect((await errorOf(callerFor(viewer.id).teams.settings.setDefaultPermissions({ team: t, permissions: ["manage"] }))).code).toBe("FORBIDDEN");

    const watch = captureAccessChanges();
    const updated = await callerFor(admin.id).teams.settings.setDefaultPermissions({ team: t, permissions: ["deploy"] });
    watch.stop();
    expect(updated.defaultPermissions).toEqual(["view", "deploy"]);
    expect(watch.seen).toContainEqual({ teamId: team.id });
    await expect(findAppForUser({ userId: member.id, app: app.name, operation: "formation:scale" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect((await callerFor(admin.id).teams.settings.setDefaultPermissions({ team: t, permissions: [] })).defaultPermissions).toEqual(["view"]);
    expect((await activityKinds(team.id)).some((e) => e.kind === "team.defaults_changed")).toBe(true);
  });

  it("deletes a team only for an admin, who types its name, and never while it owns apps", async () => {
    const { admin, member, t } = await teamWithPeople();
    expect((await errorOf(callerFor(member.id).teams.settings.delete({ team: t, confirm: t }))).code).toBe("FORBIDDEN");
    const owns = await errorOf(callerFor(admin.id).teams.settings.delete({ team: t, confirm: t }));
    expect(owns.code).toBe("CONFLICT");
    expect(owns.message).toMatch(/still owns 1 app/);

    const empty = await callerFor(admin.id).teams.create({ name: `empty-${unique()}` });
    await callerFor(admin.id).teams.members.add({ team: empty.name, email: member.email });
    expect((await errorOf(callerFor(admin.id).teams.settings.delete({ team: empty.name, confirm: "nope" }))).code).toBe("BAD_REQUEST");
    await callerFor(admin.id).teams.settings.delete({ team: empty.name, confirm: empty.name });
    expect((await errorOf(callerFor(member.id).teams.get({ team: empty.name }))).code).toBe("NOT_FOUND");
    expect((await callerFor(admin.id).teams.list()).map((x) => x.name)).not.toContain(empty.name);
    expect(await db.activityEvent.count({ where: { kind: "team.deleted", message: `Deleted team ${empty.name}` } })).toBe(1);
  });
});
