import { describe, expect, it, vi } from "vitest";
import { db } from "@/server/db";
import { env, publicUrl } from "@/server/env";
import { call, unique, userWithKey } from "@/server/platform-api/test-client";
import { createApp } from "@/server/services/apps";
import { setConfigVars } from "@/server/services/config-vars";
import { addTeamMember, createTeam, listTeams } from "@/server/services/teams";
import { createUser } from "@/server/services/users";

vi.mock("@/server/services/teams", async (importOriginal) => {
  const original = await importOriginal<typeof import("@/server/services/teams")>();
  return { ...original, listTeams: vi.fn(original.listTeams) };
});

describe("authentication and errors", () => {
  it("answers 401 unauthorized without a valid key, echoing Request-Id", async () => {
    const res = await call("GET", "/account", { headers: { "Request-Id": "req-123" } });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ id: "unauthorized", message: expect.any(String) });
    expect(res.headers.get("request-id")).toBe("req-123");
    expect((await call("GET", "/apps", { key: "slw_not-a-key" })).status).toBe(401);
  });

  it("accepts a key as Bearer or as the HTTP Basic password, and gives each response a Request-Id", async () => {
    const u = await userWithKey();
    const bearer = await call("GET", "/account", { key: u.key });
    expect(bearer.status).toBe(200);
    expect(bearer.body).toMatchObject({ id: u.id, email: u.email });
    expect(bearer.headers.get("request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const basic = await call("GET", "/account", { headers: { Authorization: `Basic ${Buffer.from(`:${u.key}`).toString("base64")}` } });
    expect(basic.body.email).toBe(u.email);
  });

  it("answers unknown paths with 404 not_found and bad bodies with Heroku's error ids", async () => {
    const u = await userWithKey();
    expect(await call("GET", "/nope/nothing", { key: u.key })).toMatchObject({ status: 404, body: { id: "not_found" } });
    expect(await call("PUT", "/account", { key: u.key })).toMatchObject({ status: 404, body: { id: "not_found" } });
    expect(await call("POST", "/apps", { key: u.key, body: "{not json" })).toMatchObject({ status: 400, body: { id: "bad_request" } });
    const badRegion = await call("POST", "/apps", { key: u.key, body: { region: "eu" } });
    expect(badRegion).toMatchObject({ status: 422, body: { id: "invalid_params", message: expect.stringMatching(/region/) } });
    // Heroku answers a refused app name like any bad parameter: 422 invalid_params.
    const badName = await call("POST", "/apps", { key: u.key, body: { name: "Bad_Name" } });
    expect(badName).toMatchObject({ status: 422, body: { id: "invalid_params", message: expect.stringMatching(/lowercase/) } });
    const team = await createTeam({ userId: u.id, name: `t-${unique()}` });
    const badTeamAppName = await call("POST", "/teams/apps", { key: u.key, body: { name: "9lives", team: team.name } });
    expect(badTeamAppName).toMatchObject({ status: 422, body: { id: "invalid_params", message: expect.any(String) } });
  });

  it("never lets a raw error reach the client", async () => {
    const u = await userWithKey();
    const spy = vi.spyOn(console, "error").mockImplementation(() => {});
    vi.mocked(listTeams).mockRejectedValueOnce(new Error('relation "TeamMember" does not exist at 10.0.0.5'));
    const res = await call("GET", "/teams", { key: u.key });
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ id: "internal_server_error", message: "Something went wrong on our side." });
    expect(spy).toHaveBeenCalled();
    spy.mockRestore();
  });
});

describe("apps", () => {
  it("creates an app in Heroku's shape and lists it", async () => {
    const u = await userWithKey();
    const name = `papi-${unique()}`;
    const created = await call("POST", "/apps", { key: u.key, body: { name } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name,
      owner: { id: u.id, email: u.email },
      team: null,
      region: { name: "local" },
      stack: { name: "bookworm" },
      build_stack: { name: "bookworm" },
      web_url: `http://${name}.${env().SLIPWAY_BASE_DOMAIN}:${env().SLIPWAY_ROUTER_PORT}/`,
      git_url: `${publicUrl()}/${name}.git`,
      maintenance: false,
      locked: false,
      generation: "cedar",
      create_status: "complete",
    });
    expect(created.body.released_at).toEqual(expect.any(String));
    const random = await call("POST", "/apps", { key: u.key, body: {} });
    expect(random.body.name).toMatch(/^[a-z]+-[a-z]+-\d{4}$/);

    const mine = await call("GET", "/users/~/apps", { key: u.key });
    expect(mine.body.map((a: { name: string }) => a.name).sort()).toEqual([name, random.body.name].sort());
    expect((await call("GET", `/apps/${created.body.id}`, { key: u.key })).body.name).toBe(name);
  });

  it("hides another user's app as 404 not_found, by name and by id, for every verb", async () => {
    const [alice, bob] = [await userWithKey(), await userWithKey()];
    const app = await createApp({ userId: alice.id, name: `priv-${unique()}` });
    for (const [method, path, body] of [
      ["GET", `/apps/${app.name}`],
      ["GET", `/apps/${app.id}`],
      ["GET", `/apps/${app.name}/config-vars`],
      ["PATCH", `/apps/${app.name}/config-vars`, { X: "1" }],
      ["GET", `/apps/${app.name}/releases`],
      ["GET", `/apps/${app.name}/dynos`],
      ["PATCH", `/apps/${app.name}`, { name: `stolen-${unique()}` }],
      ["DELETE", `/apps/${app.name}`],
    ] as const) {
      const res = await call(method, path, { key: bob.key, body });
      expect(res, `${method} ${path}`).toMatchObject({ status: 404, body: { id: "not_found", resource: "app" } });
    }
    expect((await call("GET", "/apps", { key: bob.key })).body).toEqual([]);
    expect(await db.app.findUnique({ where: { id: app.id }, select: { name: true } })).toEqual({ name: app.name });
  });

  it("lets team members see and configure team apps but only admins destroy them", async () => {
    const [admin, member] = [await userWithKey(), await userWithKey()];
    const team = await createTeam({ userId: admin.id, name: `team-${unique()}` });
    await addTeamMember({ teamId: team.id, email: member.email });
    const created = await call("POST", "/teams/apps", { key: admin.key, body: { name: `tapp-${unique()}`, team: team.name } });
    expect(created.status).toBe(201);
    expect(created.body.owner.email).toBe(`${team.name}@herokumanager.com`);
    expect(created.body.team).toEqual({ id: team.id, name: team.name });

    const teams = await call("GET", "/teams", { key: member.key });
    expect(teams.body).toEqual([expect.objectContaining({ id: team.id, name: team.name, role: "member" })]);
    expect((await call("GET", `/teams/${team.name}/apps`, { key: member.key })).body.map((a: { name: string }) => a.name)).toEqual([created.body.name]);
    expect((await call("GET", "/users/~/apps", { key: member.key })).body).toEqual([]);
    expect((await call("GET", "/apps", { key: member.key })).body).toHaveLength(1);
    expect(await call("GET", `/teams/${team.name}/apps`, { key: (await userWithKey()).key })).toMatchObject({ status: 404 });

    expect((await call("PATCH", `/apps/${created.body.name}/config-vars`, { key: member.key, body: { A: "1" } })).status).toBe(200);
    expect((await call("PATCH", `/apps/${created.body.name}`, { key: member.key, body: { maintenance: true } })).body.maintenance).toBe(true);
    expect(await call("DELETE", `/apps/${created.body.name}`, { key: member.key })).toMatchObject({ status: 403, body: { id: "forbidden" } });
    expect(await call("PATCH", `/apps/${created.body.name}`, { key: member.key, body: { name: `x-${unique()}` } })).toMatchObject({ status: 403 });
    expect((await call("DELETE", `/apps/${created.body.name}`, { key: admin.key })).status).toBe(200);
    expect(await call("GET", `/apps/${created.body.name}`, { key: admin.key })).toMatchObject({ status: 404 });
  });

  it("renames an app and reports its empty collections the way the CLI expects", async () => {
    const u = await userWithKey();
    const app = await createApp({ userId: u.id, name: `ren-${unique()}` });
    const newName = `renamed-${unique()}`;
    const renamed = await call("PATCH", `/apps/${app.name}`, { key: u.key, body: { name: newName } });
    expect(renamed.body).toMatchObject({ id: app.id, name: newName, git_url: `${publicUrl()}/${newName}.git` });

    for (const path of ["addons", "addon-attachments", "dynos", "sni-endpoints"]) {
      expect(await call("GET", `/apps/${newName}/${path}`, { key: u.key })).toMatchObject({ status: 200, body: [] });
    }
    expect((await call("GET", "/addon-attachments", { key: u.key })).body).toEqual([]);
    expect(await call("GET", `/apps/${newName}/pipeline-couplings`, { key: u.key })).toMatchObject({ status: 404, body: { id: "not_found" } });
    const collaborators = await call("GET", `/apps/${newName}/collaborators`, { key: u.key });
    expect(collaborators.body).toEqual([expect.objectContaining({ role: "owner", user: expect.objectContaining({ email: u.email }) })]);
    const domains = await call("GET", `/apps/${newName}/domains`, { key: u.key });
    expect(domains.body).toEqual([expect.objectContaining({ hostname: `${newName}.${env().SLIPWAY_BASE_DOMAIN}`, kind: "heroku" })]);

    await db.formation.create({ data: { appId: app.id, type: "web", quantity: 2, size: "basic", command: "npm start" } });
    const formation = await call("GET", `/apps/${newName}/formation`, { key: u.key });
    expect(formation.body).toEqual([expect.objectContaining({ type: "web", quantity: 2, size: "basic", command: "npm start", app: { id: app.id, name: newName } })]);
  });
});

describe("config vars and releases", () => {
  it("sets and unsets config vars, each change a release", async () => {
    const u = await userWithKey();
    const app = await createApp({ userId: u.id, name: `cfg-${unique()}` });
    const set = await call("PATCH", `/apps/${app.name}/config-vars`, { key: u.key, body: { A: "1", B: "two" } });
    expect(set).toMatchObject({ status: 200, body: { A: "1", B: "two" } });
    expect((await call("PATCH", `/apps/${app.name}/config-vars`, { key: u.key, body: { A: null } })).body).toEqual({ B: "two" });
    expect((await call("GET", `/apps/${app.name}/config-vars`, { key: u.key })).body).toEqual({ B: "two" });
    expect(await call("PATCH", `/apps/${app.name}/config-vars`, { key: u.key, body: { A: 5 } })).toMatchObject({ status: 422 });
    expect(await call("PATCH", `/apps/${app.name}/config-vars`, { key: u.key, body: { "1BAD": "x" } })).toMatchObject({ status: 400 });

    const releases = await call("GET", `/apps/${app.name}/releases`, { key: u.key });
    expect(releases.status).toBe(200);
    expect(releases.body.map((r: { version: number; description: string; current: boolean }) => [r.version, r.description, r.current])).toEqual([
      [1, "Initial release", false],
      [2, "Set A, B config vars", false],
      [3, "Remove A config vars", true],
    ]);
    expect(releases.body[2]).toMatchObject({ status: "succeeded", user: { id: u.id, email: u.email }, slug: null, addon_plan_names: [], output_stream_url: null });
    const v2 = await call("GET", `/apps/${app.name}/releases/2`, { key: u.key });
    expect(v2.body).toMatchObject({ version: 2, id: releases.body[1].id });
    expect((await call("GET", `/apps/${app.name}/releases/v2/config-vars`, { key: u.key })).body).toEqual({ A: "1", B: "two" });
    expect((await call("GET", `/apps/${app.name}/releases/${releases.body[0].id}`, { key: u.key })).body.version).toBe(1);
    expect(await call("GET", `/apps/${app.name}/releases/99`, { key: u.key })).toMatchObject({ status: 404, body: { resource: "release" } });
  });

  it("pages lists by Range, answering 206 with Next-Range until the last page", async () => {
    const u = await userWithKey();
    const app = await createApp({ userId: u.id, name: `rng-${unique()}` });
    for (let i = 0; i < 4; i++) await setConfigVars({ appId: app.id, userId: u.id, changes: { K: String(i) } });
    const path = `/apps/${app.name}/releases`;
    const versions = (body: Array<{ version: number }>) => body.map((r) => r.version);

    const first = await call("GET", path, { key: u.key, headers: { Range: "version ..; max=2, order=desc" } });
    expect(first.status).toBe(206);
    expect(versions(first.body)).toEqual([5, 4]);
    expect(first.headers.get("next-range")).toBe("version ]4..; max=2, order=desc");
    const second = await call("GET", path, { key: u.key, headers: { Range: first.headers.get("next-range")! } });
    expect([second.status, versions(second.body)]).toEqual([206, [3, 2]]);
    const last = await call("GET", path, { key: u.key, headers: { Range: second.headers.get("next-range")! } });
    expect([last.status, versions(last.body), last.headers.get("next-range")]).toEqual([200, [1], null]);

    // The forms the CLI sends: config:set's `order=desc,max=1`, domains' trailing `;`.
    const newest = await call("GET", path, { key: u.key, headers: { Range: "version ..; order=desc,max=1" } });
    expect([newest.status, versions(newest.body)]).toEqual([206, [5]]);
    expect(versions((await call("GET", path, { key: u.key, headers: { Range: "version 2..3; max=1000;" } })).body)).toEqual([2, 3]);
    expect(await call("GET", path, { key: u.key, headers: { Range: "colour ..; max=2" } })).toMatchObject({ status: 400, body: { id: "bad_request" } });

    const names = [`rng-b-${unique()}`, `rng-a-${unique()}`, `rng-c-${unique()}`];
    for (const name of names) await createApp({ userId: u.id, name });
    const apps = await call("GET", "/users/~/apps", { key: u.key, headers: { Range: "name ..; max=3" } });
    expect(apps.status).toBe(206);
    const rest = await call("GET", "/users/~/apps", { key: u.key, headers: { Range: apps.headers.get("next-range")! } });
    expect(rest.status).toBe(200);
    const all = [...apps.body, ...rest.body].map((a: { name: string }) => a.name);
    expect(all).toEqual([...names, app.name].sort());
  });
});

describe("POST /oauth/authorizations", () => {
  it("trades email:password for a new API key in Heroku's authorization shape", async () => {
    const password = "correct horse";
    const user = await createUser({ email: `login-${unique()}@example.com`, password });
    const basic = (p: string) => ({ Authorization: `Basic ${Buffer.from(`${user.email}:${p}`).toString("base64")}` });
    const body = { description: "Heroku CLI login from test", expires_in: 2_592_000, scope: ["global"] };

    const res = await call("POST", "/oauth/authorizations", { headers: basic(password), body });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ description: body.description, scope: ["global"], expires_in: 2_592_000, user: { id: user.id, email: user.email } });
    const token = res.body.access_token.token as string;
    expect(token).toMatch(/^slw_/);
    expect((await call("GET", "/account", { key: token })).body.email).toBe(user.email);

    expect(await call("POST", "/oauth/authorizations", { headers: basic("wrong password"), body })).toMatchObject({ status: 401, body: { id: "unauthorized" } });
    expect(await call("POST", "/oauth/authorizations", { key: token, body })).toMatchObject({ status: 401 });
  });
});
