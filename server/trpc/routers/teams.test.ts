import { TRPCError } from "@trpc/server";
import { describe, expect, it } from "vitest";
import { createUser } from "@/server/services/users";
import { createCaller } from "@/server/trpc/root";

const unique = () => Math.random().toString(36).slice(2, 8);
const callerFor = (userId: string) => createCaller({ identity: { userId, via: "session" } });
const newUser = (tag: string) => createUser({ email: `${tag}-${unique()}@example.com`, password: "password1" });

async function errorOf(p: Promise<unknown>) {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(TRPCError);
  return err as TRPCError;
}

async function teamWithApp() {
  const admin = await newUser("admin");
  const team = await callerFor(admin.id).teams.create({ name: `t-${unique()}` });
  const app = await callerFor(admin.id).apps.create({ name: `tapp-${unique()}`, team: team.name });
  return { admin, team, app };
}

describe("teams.addMember", () => {
  it("lets a team admin add an existing user by email, who then sees the team and its apps", async () => {
    const { admin, team, app } = await teamWithApp();
    const bob = await newUser("bob");
    const bobApi = callerFor(bob.id);
    expect(await bobApi.apps.list({ team: team.name })).toEqual([]);
    expect((await errorOf(bobApi.apps.get({ app: app.name }))).code).toBe("NOT_FOUND");

    // Emails are matched case-insensitively, as they are stored lowercased.
    const member = await callerFor(admin.id).teams.addMember({ team: team.name, email: ` ${bob.email.toUpperCase()} ` });
    expect(member).toMatchObject({ role: "member", user: { id: bob.id, email: bob.email } });

    expect((await bobApi.teams.list()).map((t) => t.name)).toContain(team.name);
    expect((await bobApi.apps.list({ team: team.name })).map((a) => a.name)).toEqual([app.name]);
    expect(await bobApi.apps.get({ app: app.name })).toMatchObject({ name: app.name });
    const { members } = await callerFor(admin.id).teams.get({ team: team.name });
    expect(members.map((m) => m.user.email).sort()).toEqual([admin.email, bob.email].sort());
  });

  it("refuses a plain member with FORBIDDEN", async () => {
    const { admin, team } = await teamWithApp();
    const member = await newUser("member");
    const carol = await newUser("carol");
    await callerFor(admin.id).teams.addMember({ team: team.name, email: member.email });

    const err = await errorOf(callerFor(member.id).teams.addMember({ team: team.name, email: carol.email }));
    expect(err.code).toBe("FORBIDDEN");
    expect(err.message).toMatch(/admin/i);
    expect((await callerFor(carol.id).teams.list()).map((t) => t.name)).not.toContain(team.name);
  });

  it("answers an outsider with NOT_FOUND: another team is not revealed", async () => {
    const { team } = await teamWithApp();
    const outsider = await newUser("outsider");
    const err = await errorOf(callerFor(outsider.id).teams.addMember({ team: team.name, email: outsider.email }));
    expect(err.code).toBe("NOT_FOUND");
  });

  it("explains an unknown email, a malformed one and a second add", async () => {
    const { admin, team } = await teamWithApp();
    const api = callerFor(admin.id);
    const unknown = await errorOf(api.teams.addMember({ team: team.name, email: `nobody-${unique()}@example.com` }));
    expect(unknown.code).toBe("NOT_FOUND");
    expect(unknown.message).toMatch(/No Slipway account uses that email/);

    const malformed = await errorOf(api.teams.addMember({ team: team.name, email: "not an email" }));
    // Checked at the input, so the form gets a field error instead of a 500.
    expect(malformed.code).toBe("BAD_REQUEST");
    expect(malformed.message).toMatch(/valid email/);

    const bob = await newUser("bob");
    await api.teams.addMember({ team: team.name, email: bob.email });
    const again = await errorOf(api.teams.addMember({ team: team.name, email: bob.email }));
    expect(again.code).toBe("CONFLICT");
    expect(again.message).toMatch(/Already a member/);
  });
});
