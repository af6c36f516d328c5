import { describe, expect, it } from "vitest";
import { call, unique, userWithKey } from "@/server/platform-api/test-client";
import { createTeam } from "@/server/services/teams";

// The team routes in process; the official CLI drives them in cli-teams.integration.test.ts.

async function setup() {
  const [admin, member, outsider] = await Promise.all([userWithKey(), userWithKey(), userWithKey()]);
  const team = await createTeam({ userId: admin.id, name: `t-${unique()}` });
  const added = await call("PUT", `/teams/${team.name}/members`, { key: admin.key, body: { email: member.email, role: "member" } });
  expect(added).toMatchObject({ status: 200, body: { email: member.email, role: "member", user: { id: member.id } } });
  return { admin, member, outsider, team };
}

describe("team routes", () => {
  it("shows a team, its features and members to members, and nothing to others", async () => {
    const { admin, member, outsider, team } = await setup();
    expect(await call("GET", `/teams/${team.name}`, { key: member.key })).toMatchObject({ status: 200, body: { name: team.name, type: "team", role: "member" } });
    expect(await call("GET", `/teams/${team.name}`, { key: outsider.key })).toMatchObject({ status: 404, body: { id: "not_found" } });
    const features = await call("GET", `/teams/${team.name}/features`, { key: member.key });
    expect(features.body).toContainEqual(expect.objectContaining({ name: "team-invite-acceptance", enabled: false }));
    const members = await call("GET", `/teams/${team.name}/members`, { key: member.key });
    expect(members.body.map((m: { email: string; role: string }) => [m.email, m.role]).sort()).toEqual([[admin.email, "admin"], [member.email, "member"]].sort());
    const teams = await call("GET", "/teams", { key: member.key });
    expect(teams.body).toContainEqual(expect.objectContaining({ name: team.name, role: "member" }));
    const permissions = await call("GET", "/teams/permissions", { key: outsider.key });
    expect(permissions.body.map((p: { name: string }) => p.name)).toEqual(["view", "deploy", "operate", "manage"]);
  });

  it("lets admins set roles, remove members and invite; a member is refused with 403 forbidden", async () => {
    const { admin, member, team } = await setup();
    const refused = await call("PUT", `/teams/${team.name}/members`, { key: member.key, body: { email: admin.email, role: "viewer" } });
    expect(refused).toEqual({ status: 403, headers: expect.anything(), body: { id: "forbidden", message: "Only team admins can do that." } });
    expect(await call("PATCH", `/teams/${team.name}/members`, { key: admin.key, body: { email: member.email, role: "viewer" } })).toMatchObject({ status: 200, body: { role: "viewer" } });
    expect(await call("PATCH", `/teams/${team.name}/members`, { key: admin.key, body: { email: member.email, role: "owner" } })).toMatchObject({ status: 422, body: { id: "invalid_params" } });
    const lastAdmin = await call("PATCH", `/teams/${team.name}/members`, { key: admin.key, body: { email: admin.email, role: "member" } });
    expect(lastAdmin).toMatchObject({ status: 409, body: { message: expect.stringMatching(/at least one admin/) } });

    const invited = await call("PUT", `/teams/${team.name}/invitations`, { key: admin.key, body: { email: `new-${unique()}@example.com`, role: "member" } });
    expect(invited).toMatchObject({ status: 201, body: { role: "member", invitation_url: expect.stringMatching(/\/invite\/[\w-]{40,}$/) } });
    const pending = await call("GET", `/teams/${team.name}/invitations`, { key: admin.key });
    expect(pending.body).toEqual([expect.objectContaining({ user: expect.objectContaining({ email: invited.body.user.email }) })]);
    expect(await call("DELETE", `/teams/${team.name}/invitations/${invited.body.user.email}`, { key: admin.key })).toMatchObject({ status: 200 });
    expect((await call("GET", `/teams/${team.name}/invitations`, { key: admin.key })).body).toEqual([]);

    expect(await call("DELETE", `/teams/${team.name}/members/${encodeURIComponent(member.email)}`, { key: admin.key })).toMatchObject({ status: 200, body: { email: member.email } });
    expect(await call("GET", `/teams/${team.name}`, { key: member.key })).toMatchObject({ status: 404 });

    const owning = await call("POST", "/teams/apps", { key: admin.key, body: { name: `tapp-${unique()}`, team: team.name } });
    expect(owning.status).toBe(201);
    expect(await call("DELETE", `/teams/${team.name}`, { key: admin.key })).toMatchObject({ status: 409, body: { id: "conflict", message: expect.stringMatching(/still owns 1 app/) } });
    expect(await call("DELETE", `/apps/${owning.body.name}`, { key: admin.key })).toMatchObject({ status: 200 });
    expect(await call("DELETE", `/teams/${team.name}`, { key: admin.key })).toMatchObject({ status: 200, body: { name: team.name } });
    expect(await call("GET", `/teams/${team.name}`, { key: admin.key })).toMatchObject({ status: 404 });
  });
});
