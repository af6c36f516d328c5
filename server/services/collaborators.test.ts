import { describe, expect, it } from "vitest";
import { db } from "@/server/db";
import { callerFor, captureAccessChanges, errorOf, newUser, unique } from "@/server/testing/callers";


async function kinds(appId: string) {
  return (await db.activityEvent.findMany({ where: { appId }, orderBy: { createdAt: "asc" }, select: { kind: true } })).map((e) => e.kind);
}

async function teamApp() {
  const admin = await newUser("admin");
  const team = await callerFor(admin.id).teams.create({ name: `t-${unique()}` });
  const app = await callerFor(admin.id).apps.create({ name: `ta-${unique()}`, team: team.name });
  const addMember = async (tag: string, role: "admin" | "member" | "viewer") => {
    const user = await newUser(tag);
    await db.teamMember.create({ data: { teamId: team.id, userId: user.id, role } });
    return user;
  };
  return { admin, team, app, addMember };
}

describe("personal app collaborators", () => {
  it("the owner adds a collaborator by email with view, deploy and operate, who can then use the app but not manage it", async () => {
    const owner = await newUser("owner");
    const bob = await newUser("bob");
    const app = await callerFor(owner.id).apps.create({ name: `pa-${unique()}` });
    expect((await errorOf(callerFor(bob.id).apps.get({ app: app.name }))).code).toBe("NOT_FOUND");

    const row = await callerFor(owner.id).access.add({ app: app.name, email: ` ${bob.email.toUpperCase()} ` });
    expect(row.permissions).toEqual(["view", "deploy", "operate"]);
    expect((await callerFor(bob.id).apps.get({ app: app.name })).permissions).toEqual(["view", "deploy", "operate"]);
    expect((await callerFor(bob.id).apps.list({})).apps.map((a) => a.name)).toContain(app.name);

    const carol = await newUser("carol");
    const refused = await errorOf(callerFor(bob.id).access.add({ app: app.name, email: carol.email }));
    expect(refused.code).toBe("FORBIDDEN");
    expect(refused.message).toMatch(/You do not have access to the app/);

    const { entries } = await callerFor(bob.id).access.list({ app: app.name });
    expect(entries.map((e) => [e.email, e.role])).toEqual([[owner.email, "owner"], [bob.email, "collaborator"]]);
    expect(await kinds(app.id)).toContain("access.granted");
  });

  it("refuses manage for personal collaborators, duplicates, the owner, and unknown emails", async () => {
    const owner = await newUser("owner");
    const bob = await newUser("bob");
    const app = await callerFor(owner.id).apps.create({ name: `pa-${unique()}` });
    const api = callerFor(owner.id);
    const manage = await errorOf(api.access.add({ app: app.name, email: bob.email, permissions: ["deploy", "manage"] }));
    expect(manage.code).toBe("BAD_REQUEST");
    expect(manage.message).toMatch(/cannot have the manage permission/);
    await api.access.add({ app: app.name, email: bob.email, permissions: ["deploy"] });
    expect((await errorOf(api.access.add({ app: app.name, email: bob.email }))).code).toBe("CONFLICT");
    expect((await errorOf(api.access.add({ app: app.name, email: owner.email }))).code).toBe("CONFLICT");
    expect((await errorOf(api.access.add({ app: app.name, email: `nobody-${unique()}@example.com` }))).code).toBe("NOT_FOUND");
    // A grant always holds view.
    expect((await callerFor(bob.id).apps.get({ app: app.name })).permissions).toEqual(["view", "deploy"]);
  });

  it("removal ends access on the next call and says so on the bus; a collaborator may leave", async () => {
    const owner = await newUser("owner");
    const bob = await newUser("bob");
    const carol = await newUser("carol");
    const app = await callerFor(owner.id).apps.create({ name: `pa-${unique()}` });
    await callerFor(owner.id).access.add({ app: app.name, email: bob.email });
    await callerFor(owner.id).access.add({ app: app.name, email: carol.email });

    // A collaborator cannot remove someone else.
    expect((await errorOf(callerFor(bob.id).access.remove({ app: app.name, user: carol.email }))).code).toBe("FORBIDDEN");

    const bus = captureAccessChanges();
    try {
      await callerFor(owner.id).access.remove({ app: app.name, user: bob.email });
      expect(bus.seen).toContainEqual({ userId: bob.id, appId: app.id });
    } finally {
      bus.stop();
    }
    expect((await errorOf(callerFor(bob.id).apps.get({ app: app.name }))).code).toBe("NOT_FOUND");
    expect((await errorOf(callerFor(owner.id).access.remove({ app: app.name, user: bob.email }))).code).toBe("NOT_FOUND");

    await callerFor(carol.id).access.leave({ app: app.name });
    expect((await errorOf(callerFor(carol.id).apps.get({ app: app.name }))).code).toBe("NOT_FOUND");
    expect(await kinds(app.id)).toEqual(expect.arrayContaining(["access.revoked", "app.left"]));
  });
});

describe("team app grants", () => {
  it("an admin grants an outsider exact permissions, narrows them (access shrinks at once) and revokes them", async () => {
    const { admin, app } = await teamApp();
    const outsider = await newUser("outsider");
    const api = callerFor(admin.id);
    await api.access.add({ app: app.name, email: outsider.email, permissions: ["deploy"] });
    const them = callerFor(outsider.id);
    expect((await them.apps.get({ app: app.name })).permissions).toEqual(["view", "deploy"]);
    await them.config.set({ app: app.name, key: "A", value: "1" });
    expect((await errorOf(them.apps.rename({ app: app.name, newName: `x-${unique()}` }))).code).toBe("FORBIDDEN");

    const bus = captureAccessChanges();
    try {
      await api.access.update({ app: app.name, user: outsider.email, permissions: ["view"] });
      expect(bus.seen).toContainEqual({ userId: outsider.id, appId: app.id });
    } finally {
      bus.stop();
    }
    const refused = await errorOf(them.config.set({ app: app.name, key: "A", value: "2" }));
    expect(refused.code).toBe("FORBIDDEN");
    expect(refused.message).toMatch(/needs the deploy permission/);
    const { entries } = await api.access.list({ app: app.name });
    expect(entries.find((e) => e.email === outsider.email)).toMatchObject({ role: "collaborator", permissions: ["view"], grant: ["view"] });

    await api.access.remove({ app: app.name, user: outsider.email });
    expect((await errorOf(them.apps.get({ app: app.name }))).code).toBe("NOT_FOUND");
    expect(await kinds(app.id)).toEqual(expect.arrayContaining(["access.granted", "access.updated", "access.revoked"]));
  });

  it("viewers cannot be granted more than view; admins need no grant; members cannot grant", async () => {
    const { admin, app, addMember } = await teamApp();
    const viewer = await addMember("viewer", "viewer");
    const member = await addMember("member", "member");
    const admin2 = await addMember("admin2", "admin");
    const api = callerFor(admin.id);
    const err = await errorOf(api.access.add({ app: app.name, email: viewer.email, permissions: ["deploy"] }));
    expect(err.code).toBe("BAD_REQUEST");
    expect(err.message).toMatch(/viewers cannot be granted more than view/);
    expect((await errorOf(api.access.add({ app: app.name, email: admin2.email, permissions: ["deploy"] }))).code).toBe("CONFLICT");
    expect((await errorOf(callerFor(member.id).access.add({ app: app.name, email: viewer.email, permissions: ["view"] }))).code).toBe("FORBIDDEN");

    // Ticking a box for a member without a grant gives them one, on top of the defaults.
    await api.access.update({ app: app.name, user: member.email, permissions: ["manage"] });
    expect((await callerFor(member.id).apps.get({ app: app.name })).permissions).toEqual(["view", "deploy", "operate", "manage"]);
    const { entries } = await api.access.list({ app: app.name });
    expect(entries.map((e) => e.role).sort()).toEqual(["admin", "admin", "member", "viewer"]);
    expect(entries.find((e) => e.email === viewer.email)?.permissions).toEqual(["view"]);
  });
});

describe("locked team apps and apps:join", () => {
  it("hides a locked app from members without a grant, refuses their join with a clear message, and keeps those with one", async () => {
    const { admin, team, app, addMember } = await teamApp();
    const member = await addMember("member", "member");
    const granted = await addMember("granted", "member");
    const viewer = await addMember("viewer", "viewer");
    await callerFor(admin.id).access.update({ app: app.name, user: granted.email, permissions: ["deploy"] });
    expect((await errorOf(callerFor(member.id).access.lock({ app: app.name, locked: true }))).code).toBe("FORBIDDEN");

    const bus = captureAccessChanges();
    try {
      await callerFor(admin.id).access.lock({ app: app.name, locked: true });
      expect(bus.seen).toContainEqual({ appId: app.id });
    } finally {
      bus.stop();
    }
    for (const user of [member, viewer]) {
      expect((await callerFor(user.id).apps.list({ team: team.name })).apps.map((a) => a.name)).not.toContain(app.name);
      expect((await errorOf(callerFor(user.id).apps.get({ app: app.name }))).code).toBe("NOT_FOUND");
    }
    const join = await errorOf(callerFor(member.id).access.join({ app: app.name }));
    expect(join.code).toBe("FORBIDDEN");
    expect(join.message).toMatch(/You do not have access to the app .*locked/);
    // With a grant of their own: still there (only the grant counts), and join is a no-op.
    expect((await callerFor(granted.id).apps.get({ app: app.name })).permissions).toEqual(["view", "deploy"]);
    expect((await callerFor(granted.id).access.join({ app: app.name })).permissions).toEqual(["view", "deploy"]);

    // An admin may still join a locked app (they have every permission on it anyway).
    expect((await callerFor(admin.id).access.join({ app: app.name })).permissions).toEqual(["view", "deploy", "operate"]);
    await callerFor(admin.id).access.lock({ app: app.name, locked: false });
    expect((await callerFor(member.id).apps.list({ team: team.name })).apps.map((a) => a.name)).toContain(app.name);
    expect(await kinds(app.id)).toEqual(expect.arrayContaining(["app.locked", "app.unlocked"]));
  });

  it("joins a member with the team's defaults and a viewer with view; outsiders and personal apps are not found", async () => {
    const { app, addMember } = await teamApp();
    const member = await addMember("member", "member");
    const viewer = await addMember("viewer", "viewer");
    expect((await callerFor(member.id).access.join({ app: app.name })).permissions).toEqual(["view", "deploy", "operate"]);
    expect((await callerFor(viewer.id).access.join({ app: app.name })).permissions).toEqual(["view"]);
    const outsider = await newUser("outsider");
    expect((await errorOf(callerFor(outsider.id).access.join({ app: app.name }))).code).toBe("NOT_FOUND");
    const personal = await callerFor(outsider.id).apps.create({ name: `pa-${unique()}` });
    expect((await errorOf(callerFor(member.id).access.join({ app: personal.name }))).code).toBe("NOT_FOUND");
    await callerFor(member.id).access.leave({ app: app.name });
    expect(await kinds(app.id)).toEqual(expect.arrayContaining(["app.joined", "app.left"]));
  });

  it("refuses to lock a personal app", async () => {
    const owner = await newUser("owner");
    const app = await callerFor(owner.id).apps.create({ name: `pa-${unique()}` });
    const err = await errorOf(callerFor(owner.id).access.lock({ app: app.name, locked: true }));
    expect(err.code).toBe("BAD_REQUEST");
    expect(err.message).toMatch(/only team apps can be locked/);
  });
});
