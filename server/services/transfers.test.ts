import { describe, expect, it } from "vitest";
import { db } from "@/server/db";
import { callerFor, captureAccessChanges, errorOf, newUser, unique } from "@/server/testing/callers";

async function newTeam(admin: { id: string }) {
  return callerFor(admin.id).teams.create({ name: `t-${unique()}` });
}

async function join(teamId: string, user: { id: string }, role: "admin" | "member" | "viewer") {
  await db.teamMember.create({ data: { teamId, userId: user.id, role } });
}

/** An add-on and a custom domain as rows of the app (no containers needed to see them follow). */
async function withAddonAndDomain(appId: string) {
  const addon = await db.addon.create({ data: { name: `pg-${unique()}`, appId, service: "slipway-postgresql", plan: "essential-0", state: "available" } });
  await db.addonAttachment.create({ data: { addonId: addon.id, appId, name: "DATABASE" } });
  const domain = await db.domain.create({ data: { appId, hostname: `www-${unique()}.example.com` } });
  return { addon, domain };
}

describe("transfers between a person and a team", () => {
  it("moves a personal app to a team the owner is a member of, with its add-ons, domains and collaborators", async () => {
    const owner = await newUser("owner");
    const admin = await newUser("admin");
    const collaborator = await newUser("collab");
    const team = await newTeam(admin);
    await join(team.id, owner, "member");
    const app = await callerFor(owner.id).apps.create({ name: `pa-${unique()}` });
    await callerFor(owner.id).access.add({ app: app.name, email: collaborator.email });
    await callerFor(owner.id).access.add({ app: app.name, email: admin.email, permissions: ["deploy"] });
    const { addon, domain } = await withAddonAndDomain(app.id);

    await callerFor(owner.id).access.transfer({ app: app.name, recipient: team.name });

    const moved = await db.app.findUniqueOrThrow({ where: { id: app.id }, select: { ownerId: true, teamId: true, addons: { select: { id: true } }, domains: { select: { id: true } } } });
    expect(moved).toMatchObject({ ownerId: null, teamId: team.id, addons: [{ id: addon.id }], domains: [{ id: domain.id }] });
    // The team's admin needs no grant any more; the outside collaborator keeps theirs.
    const grants = await db.collaborator.findMany({ where: { appId: app.id }, select: { userId: true } });
    expect(grants.map((g) => g.userId)).toEqual([collaborator.id]);
    expect((await callerFor(collaborator.id).apps.get({ app: app.name })).permissions).toEqual(["view", "deploy", "operate"]);
    expect((await callerFor(admin.id).apps.get({ app: app.name })).permissions).toContain("manage");
    expect((await callerFor(admin.id).addons.list({ app: app.name })).map((a: { id: string }) => a.id)).toEqual([addon.id]);
    expect((await db.activityEvent.findFirstOrThrow({ where: { appId: app.id, kind: "app.transferred" } })).message).toContain(team.name);
  });

  it("refuses a viewer's transfer into their team and a team they are not on", async () => {
    const owner = await newUser("owner");
    const admin = await newUser("admin");
    const team = await newTeam(admin);
    await join(team.id, owner, "viewer");
    const app = await callerFor(owner.id).apps.create({ name: `pa-${unique()}` });
    const viewer = await errorOf(callerFor(owner.id).access.transfer({ app: app.name, recipient: team.name }));
    expect(viewer.code).toBe("FORBIDDEN");
    expect(viewer.message).toMatch(/Viewers of/);
    const other = await newTeam(admin);
    expect((await errorOf(callerFor(owner.id).access.transfer({ app: app.name, recipient: other.name }))).code).toBe("NOT_FOUND");
  });

  it("moves a team app to an admin of the team, by an admin, removing every grant; members lose it at once", async () => {
    const admin = await newUser("admin");
    const admin2 = await newUser("admin2");
    const member = await newUser("member");
    const team = await newTeam(admin);
    await join(team.id, admin2, "admin");
    await join(team.id, member, "member");
    const app = await callerFor(admin.id).apps.create({ name: `ta-${unique()}`, team: team.name });
    await callerFor(admin.id).access.update({ app: app.name, user: member.email, permissions: ["manage"] });

    // manage on the app is not enough: only an admin gives a team's app away.
    expect((await errorOf(callerFor(member.id).access.transfer({ app: app.name, recipient: member.email }))).message).toMatch(/Only an admin/);
    const notAdmin = await errorOf(callerFor(admin.id).access.transfer({ app: app.name, recipient: member.email }));
    expect(notAdmin.code).toBe("BAD_REQUEST");
    expect(notAdmin.message).toMatch(/not an admin of/);

    const { seen, stop } = captureAccessChanges();
    try {
      await callerFor(admin.id).access.transfer({ app: app.name, recipient: admin2.email });
    } finally {
      stop();
    }
    expect(seen).toContainEqual({ appId: app.id });
    expect(await db.app.findUniqueOrThrow({ where: { id: app.id }, select: { ownerId: true, teamId: true } })).toEqual({ ownerId: admin2.id, teamId: null });
    expect(await db.collaborator.count({ where: { appId: app.id } })).toBe(0);
    expect((await errorOf(callerFor(member.id).apps.get({ app: app.name }))).code).toBe("NOT_FOUND");
    expect((await errorOf(callerFor(admin.id).apps.get({ app: app.name }))).code).toBe("NOT_FOUND");
  });

  it("moves a team app to another team only for an admin of both, cutting viewers' grants to view", async () => {
    const admin = await newUser("admin");
    const viewer = await newUser("viewer");
    const source = await newTeam(admin);
    const target = await newTeam(admin);
    const otherAdmin = await newUser("other");
    const foreign = await newTeam(otherAdmin);
    await join(foreign.id, admin, "member");
    await join(target.id, viewer, "viewer");
    const app = await callerFor(admin.id).apps.create({ name: `ta-${unique()}`, team: source.name });
    await callerFor(admin.id).access.add({ app: app.name, email: viewer.email, permissions: ["deploy", "operate"] });

    expect((await errorOf(callerFor(admin.id).access.transfer({ app: app.name, recipient: foreign.name }))).code).toBe("FORBIDDEN");
    await callerFor(admin.id).access.transfer({ app: app.name, recipient: target.name });
    expect((await db.app.findUniqueOrThrow({ where: { id: app.id } })).teamId).toBe(target.id);
    expect((await callerFor(viewer.id).apps.get({ app: app.name })).permissions).toEqual(["view"]);
  });
});

describe("transfers to another person", () => {
  it("waits for the recipient, who accepts; the previous owner stays as a collaborator", async () => {
    const owner = await newUser("owner");
    const recipient = await newUser("recipient");
    const stranger = await newUser("stranger");
    const app = await callerFor(owner.id).apps.create({ name: `pa-${unique()}` });
    const { addon } = await withAddonAndDomain(app.id);

    const result = await callerFor(owner.id).access.transfer({ app: app.name, recipient: recipient.email });
    expect(result.state).toBe("pending");
    expect((await db.app.findUniqueOrThrow({ where: { id: app.id } })).ownerId).toBe(owner.id);
    expect((await errorOf(callerFor(owner.id).access.transfer({ app: app.name, recipient: recipient.email }))).code).toBe("CONFLICT");

    const { incoming } = await callerFor(recipient.id).access.transfers();
    expect(incoming).toEqual([expect.objectContaining({ app: { id: app.id, name: app.name }, sender: { id: owner.id, email: owner.email }, state: "pending" })]);
    expect(await callerFor(stranger.id).access.transfers()).toEqual({ incoming: [], outgoing: [] });
    expect((await errorOf(callerFor(stranger.id).access.respond({ transfer: incoming[0]!.id, state: "accepted" }))).code).toBe("NOT_FOUND");
    expect((await errorOf(callerFor(owner.id).access.respond({ transfer: incoming[0]!.id, state: "accepted" }))).code).toBe("FORBIDDEN");

    await callerFor(recipient.id).access.respond({ transfer: incoming[0]!.id, state: "accepted" });
    const after = await db.app.findUniqueOrThrow({ where: { id: app.id }, select: { ownerId: true, addons: { select: { id: true } } } });
    expect(after).toEqual({ ownerId: recipient.id, addons: [{ id: addon.id }] });
    expect((await callerFor(owner.id).apps.get({ app: app.name })).permissions).toEqual(["view", "deploy", "operate"]);
    expect((await callerFor(recipient.id).access.transfers()).incoming).toEqual([]);
    const events = await db.activityEvent.findMany({ where: { appId: app.id }, select: { kind: true } });
    expect(events.map((e) => e.kind)).toEqual(expect.arrayContaining(["transfer.requested", "transfer.accepted", "app.transferred"]));
  });

  it("declining leaves the app where it was", async () => {
    const owner = await newUser("owner");
    const recipient = await newUser("recipient");
    const app = await callerFor(owner.id).apps.create({ name: `pa-${unique()}` });
    await callerFor(owner.id).access.transfer({ app: app.name, recipient: recipient.email });
    const [t] = (await callerFor(recipient.id).access.transfers()).incoming;
    await callerFor(recipient.id).access.respond({ transfer: t!.id, state: "declined" });
    expect((await db.app.findUniqueOrThrow({ where: { id: app.id } })).ownerId).toBe(owner.id);
    expect((await errorOf(callerFor(recipient.id).apps.get({ app: app.name }))).code).toBe("NOT_FOUND");
    expect(await db.activityEvent.count({ where: { appId: app.id, kind: "transfer.declined" } })).toBe(1);
  });
});

describe("add-ons shared across owners", () => {
  it("refuses to move an app whose add-on is attached to an app that stays behind, and moves it once detached", async () => {
    const owner = await newUser("owner");
    const team = await newTeam(owner);
    const app = await callerFor(owner.id).apps.create({ name: `pa-${unique()}` });
    const other = await callerFor(owner.id).apps.create({ name: `pb-${unique()}` });
    const { addon } = await withAddonAndDomain(app.id);
    const shared = await db.addonAttachment.create({ data: { addonId: addon.id, appId: other.id, name: "SHARED" } });

    const err = await errorOf(callerFor(owner.id).access.transfer({ app: app.name, recipient: team.name }));
    expect(err.code).toBe("UNPROCESSABLE_CONTENT");
    expect(err.message).toContain(`attached to ${other.name} as SHARED`);
    expect((await db.app.findUniqueOrThrow({ where: { id: app.id } })).ownerId).toBe(owner.id);
    // The other direction too: the app uses an add-on billed to an app that stays.
    const err2 = await errorOf(callerFor(owner.id).access.transfer({ app: other.name, recipient: team.name }));
    expect(err2.message).toContain(`billed to ${app.name}`);

    await db.addonAttachment.delete({ where: { id: shared.id } });
    await callerFor(owner.id).access.transfer({ app: app.name, recipient: team.name });
    expect((await db.app.findUniqueOrThrow({ where: { id: app.id } })).teamId).toBe(team.id);
  });
});
