import { describe, expect, it } from "vitest";
import { callerFor, newUser, unique } from "@/server/testing/callers";

type Caller = ReturnType<typeof callerFor>;
type ListInput = Parameters<Caller["apps"]["list"]>[0];

/** Every page of apps.list from input.cursor on, following nextCursor; also the pages themselves. */
async function allPages(caller: Caller, input: ListInput) {
  const pages: string[][] = [];
  let cursor: string | null = input?.cursor ?? null;
  do {
    const page: Awaited<ReturnType<Caller["apps"]["list"]>> = await caller.apps.list({ ...input, cursor });
    pages.push(page.apps.map((a) => a.name));
    cursor = page.nextCursor;
    expect(pages.length).toBeLessThan(50);
  } while (cursor);
  return { names: pages.flat(), pages };
}

describe("apps.list: pages, search and who sees what", () => {
  it("walks a user's own and collaborated apps by name, a page at a time, each once", async () => {
    const [alice, bob, carol] = await Promise.all([newUser("alice"), newUser("bob"), newUser("carol")]);
    const p = `l${unique()}`;
    const mine = [];
    for (const n of ["e", "a", "d", "b", "f"]) mine.push((await callerFor(alice.id).apps.create({ name: `${p}-${n}` })).name);
    const bobs = await callerFor(bob.id).apps.create({ name: `${p}-c` });
    await callerFor(bob.id).access.add({ app: bobs.name, email: alice.email });
    const carols = await callerFor(carol.id).apps.create({ name: `${p}-aa` });

    const { names, pages } = await allPages(callerFor(alice.id), { limit: 2 });
    expect(names).toEqual([...mine, bobs.name].sort());
    expect(pages.map((page) => page.length)).toEqual([2, 2, 2]);
    expect(names).not.toContain(carols.name);
    // A page's owner column comes with the row (no lookup per app).
    const first = await callerFor(alice.id).apps.list({ limit: 50 });
    expect(first.nextCursor).toBeNull();
    expect(first.apps.find((a) => a.name === bobs.name)?.owner?.email).toBe(bob.email);

    expect((await allPages(callerFor(carol.id), { limit: 2 })).names).toEqual([carols.name]);
  });

  it("keeps its place when apps are created and destroyed between pages", async () => {
    const alice = await newUser("alice");
    const api = callerFor(alice.id);
    const p = `s${unique()}`;
    for (const n of ["b", "d", "f", "h", "j"]) await api.apps.create({ name: `${p}-${n}` });
    const page1 = await api.apps.list({ limit: 2 });
    expect(page1.apps.map((a) => a.name)).toEqual([`${p}-b`, `${p}-d`]);

    // Meanwhile: one before the cursor appears, one already shown goes, one ahead appears.
    await api.apps.create({ name: `${p}-a` });
    await api.apps.destroy({ app: `${p}-b`, confirm: `${p}-b` });
    await api.apps.create({ name: `${p}-g` });

    expect((await allPages(api, { limit: 2, cursor: page1.nextCursor })).names).toEqual([`${p}-f`, `${p}-g`, `${p}-h`, `${p}-j`]);
    expect((await allPages(api, { limit: 2 })).names).toEqual([`${p}-a`, `${p}-d`, `${p}-f`, `${p}-g`, `${p}-h`, `${p}-j`]);
  });

  it("searches names on the server, any case, page by page, with % and _ taken literally", async () => {
    const alice = await newUser("alice");
    const api = callerFor(alice.id);
    const p = `q${unique()}`;
    for (const n of ["shop-api", "shop-web", "blog", "shop-worker", "api-shop"]) await api.apps.create({ name: `${p}-${n}` });

    const shop = await allPages(api, { q: "SHOP", limit: 2 });
    expect(shop.names).toEqual([`${p}-api-shop`, `${p}-shop-api`, `${p}-shop-web`, `${p}-shop-worker`]);
    expect(shop.pages.length).toBe(2);
    expect((await api.apps.list({ q: "  Blog " })).apps.map((a) => a.name)).toEqual([`${p}-blog`]);
    expect((await api.apps.list({ q: "%" })).apps).toEqual([]);
    expect((await api.apps.list({ q: "_" })).apps).toEqual([]);
    expect((await api.apps.list({ q: "nothing-like-it" })).apps).toEqual([]);
  });

  it("shows a team's apps to its members only, and a locked app only to admins and grantees, on every page", async () => {
    const [admin, member, viewer, outsider] = await Promise.all([newUser("admin"), newUser("member"), newUser("viewer"), newUser("outsider")]);
    const team = await callerFor(admin.id).teams.create({ name: `t-${unique()}` });
    await callerFor(admin.id).teams.members.add({ team: team.name, email: member.email, role: "member" });
    await callerFor(admin.id).teams.members.add({ team: team.name, email: viewer.email, role: "viewer" });
    const p = `t${unique()}`;
    const names = [];
    for (const n of ["a", "b", "c", "d", "e", "f", "g"]) names.push((await callerFor(admin.id).apps.create({ name: `${p}-${n}`, team: team.name })).name);
    // Locked: b and c sit where a page of 2 ends and the next begins, so pages must be topped up.
    for (const n of ["b", "c", "f"]) await callerFor(admin.id).access.lock({ app: `${p}-${n}`, locked: true });
    await callerFor(admin.id).access.add({ app: `${p}-f`, email: member.email, permissions: ["view"] });

    const everyPage = async (userId: string) => allPages(callerFor(userId), { team: team.name, limit: 2 });
    expect((await everyPage(admin.id)).names).toEqual(names);
    const forMember = await everyPage(member.id);
    expect(forMember.names).toEqual([`${p}-a`, `${p}-d`, `${p}-e`, `${p}-f`, `${p}-g`]);
    expect(forMember.pages.slice(0, -1).every((page) => page.length === 2)).toBe(true);
    expect((await everyPage(viewer.id)).names).toEqual([`${p}-a`, `${p}-d`, `${p}-e`, `${p}-g`]);
    expect((await allPages(callerFor(member.id), { team: team.name, q: "-C", limit: 2 })).names).toEqual([]);
    // Not in the team: nothing, on any page or search.
    expect((await everyPage(outsider.id)).names).toEqual([]);
    expect((await allPages(callerFor(outsider.id), { q: p })).names).toEqual([]);
    // Team apps are not personal apps.
    expect((await allPages(callerFor(admin.id), { q: p })).names).toEqual([]);

    expect(await callerFor(viewer.id).teams.get({ team: team.name })).toMatchObject({ appCount: 7 });
  });
});
