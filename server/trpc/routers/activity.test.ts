// Reading the audit trail through its doors: activity.app / activity.team (filters, search,
// pages that hold still under new events, who may read) and the JSON lines export.
import { TRPCError } from "@trpc/server";
import { beforeAll, describe, expect, it } from "vitest";
import { GET as exportApp } from "@/app/api/apps/[app]/activity/route";
import { GET as exportTeam } from "@/app/api/teams/[team]/activity/route";
import { withOrigin } from "@/server/audit/origin";
import { db } from "@/server/db";
import { recordActivity } from "@/server/services/activity";
import { createApiKey } from "@/server/services/api-keys";
import { createUser } from "@/server/services/users";
import { createCaller } from "@/server/trpc/root";

const unique = () => Math.random().toString(36).slice(2, 8);
const callerFor = (userId: string) => createCaller({ identity: { userId, via: "session" }, ip: "198.51.100.9" });
const newUser = (tag: string) => createUser({ email: `${tag}-${unique()}@example.com`, password: "password1" });

async function errorOf(p: Promise<unknown>) {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(TRPCError);
  return err as TRPCError;
}

let admin: { id: string; email: string };
let viewer: { id: string; email: string };
let outsider: { id: string; email: string };
let team: { id: string; name: string };
let app: { id: string; name: string };
let other: { id: string; name: string };

beforeAll(async () => {
  [admin, viewer, outsider] = await Promise.all([newUser("admin"), newUser("viewer"), newUser("outsider")]);
  const api = callerFor(admin.id);
  team = await api.teams.create({ name: `audit-${unique()}` });
  await db.teamMember.create({ data: { teamId: team.id, userId: viewer.id, role: "viewer" } });
  app = await api.apps.create({ name: `web-${unique()}`, team: team.name });
  other = await api.apps.create({ name: `jobs-${unique()}`, team: team.name });
  // Through the dashboard's door: config, then a team event and a CLI one on the other app.
  await api.config.set({ app: app.name, key: "DATABASE_URL", value: "postgres://u:hunter2@db/x" });
  await api.config.set({ app: app.name, key: "FEATURE_FLAG", value: "on" });
  await api.config.unset({ app: app.name, key: "FEATURE_FLAG" });
  await api.domains.add({ app: app.name, hostname: `www.${app.name}.example.com` });
  await withOrigin({ userId: admin.id, via: "cli", ip: "203.0.113.5" }, () =>
    recordActivity({ kind: "formation.scale", message: "Scaled worker from 0 to 2", appId: other.id }),
  );
  await recordActivity({ kind: "member.added", message: `Added ${viewer.email} to the team as viewer`, teamId: team.id, userId: admin.id, data: { email: viewer.email } });
});

describe("activity.app", () => {
  it("lists the app's events newest first with who, via, address and app", async () => {
    const { events, nextCursor } = await callerFor(admin.id).activity.app({ app: app.name });
    expect(nextCursor).toBeNull();
    expect(events.map((e) => e.kind).sort()).toEqual(["app.created", "config.set", "config.set", "config.unset", "domains.added"]);
    for (const e of events) expect(e).toMatchObject({ actor: admin.email, via: "dashboard", ip: "198.51.100.9", app: app.name, team: team.name });
    const times = events.map((e) => e.at.getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(JSON.stringify(events)).not.toContain("hunter2");
  });

  it("filters by kind category, via and actor, and searches message, actor and app name", async () => {
    const api = callerFor(admin.id);
    const kinds = async (input: Parameters<typeof api.activity.app>[0]) => (await api.activity.app(input)).events.map((e) => e.kind).sort();
    expect(await kinds({ app: app.name, kind: "config" })).toEqual(["config.set", "config.set", "config.unset"]);
    expect(await kinds({ app: app.name, kind: "config.unset" })).toEqual(["config.unset"]);
    expect(await kinds({ app: app.name, kind: "domains" })).toEqual(["domains.added"]);
    expect(await kinds({ app: app.name, kind: "drains" })).toEqual([]);
    expect(await kinds({ app: app.name, via: "cli" })).toEqual([]);
    expect(await kinds({ app: other.name, via: "cli" })).toEqual(["formation.scale"]);
    expect(await kinds({ app: app.name, actor: admin.email.toUpperCase() })).toHaveLength(5);
    expect(await kinds({ app: app.name, actor: outsider.email })).toEqual([]);
    expect(await kinds({ app: app.name, actor: "%" })).toEqual([]);
    expect(await kinds({ app: app.name, q: "feature_flag" })).toEqual(["config.set", "config.unset"]);
    expect(await kinds({ app: app.name, q: admin.email.slice(0, 8) })).toHaveLength(5);
    expect(await kinds({ app: app.name, q: "%" })).toEqual([]); // a literal, not a wildcard
    expect(await kinds({ app: other.name, q: other.name })).toEqual(["app.created", "formation.scale"]);
  });

  it("pages with a cursor that holds still while new events arrive", async () => {
    const paged = await callerFor(admin.id).apps.create({ name: `paged-${unique()}` });
    for (let i = 1; i <= 7; i++) await withOrigin({ userId: admin.id, via: "api", ip: null }, () => recordActivity({ kind: "config.set", message: `Set K${i} config vars`, appId: paged.id }));
    const api = callerFor(admin.id);
    const all = (await api.activity.app({ app: paged.name, limit: 100 })).events.map((e) => e.id);
    expect(all).toHaveLength(8);
    const first = await api.activity.app({ app: paged.name, limit: 3 });
    // Newer events land on top; the pages after the first are the same as before.
    await recordActivity({ kind: "config.set", message: "Set LATE config vars", appId: paged.id });
    const second = await api.activity.app({ app: paged.name, limit: 3, cursor: first.nextCursor });
    const third = await api.activity.app({ app: paged.name, limit: 3, cursor: second.nextCursor });
    expect(third.nextCursor).toBeNull();
    expect([...first.events, ...second.events, ...third.events].map((e) => e.id)).toEqual(all);
    expect((await errorOf(api.activity.app({ app: paged.name, cursor: "not-a-cursor" }))).code).toBe("BAD_REQUEST");
  });

  it("lets a team viewer read and hides the app from outsiders", async () => {
    expect((await callerFor(viewer.id).activity.app({ app: app.name })).events).toHaveLength(5);
    expect((await errorOf(callerFor(outsider.id).activity.app({ app: app.name }))).code).toBe("NOT_FOUND");
    expect((await errorOf(createCaller({ identity: null }).activity.app({ app: app.name }))).code).toBe("UNAUTHORIZED");
  });
});

describe("activity.team", () => {
  it("lists every app's events and the team's own, for any member", async () => {
    const { events } = await callerFor(viewer.id).activity.team({ team: team.name, limit: 100 });
    expect(events.map((e) => e.app ?? "(team)").sort()).toEqual(["(team)", "(team)", app.name, app.name, app.name, app.name, app.name, other.name, other.name].sort());
    expect((await callerFor(viewer.id).activity.team({ team: team.name, kind: "access" })).events.map((e) => e.kind)).toEqual(["member.added", "team.created"]);
    expect((await callerFor(viewer.id).activity.team({ team: team.name, q: other.name })).events).toHaveLength(2);
    expect((await errorOf(callerFor(outsider.id).activity.team({ team: team.name }))).code).toBe("NOT_FOUND");
  });
});

describe("export", () => {
  const bearer = async (userId: string) => ({ authorization: `Bearer ${(await createApiKey({ userId, description: "export test" })).token}` });

  it("answers an app's events as JSON lines with a download name, filtered like the list", async () => {
    const res = await exportApp(new Request(`http://slipway.test/api/apps/${app.name}/activity?kind=config`, { headers: await bearer(viewer.id) }), {
      params: Promise.resolve({ app: app.name }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/x-ndjson/);
    expect(res.headers.get("content-disposition")).toMatch(new RegExp(`^attachment; filename="${app.name}-activity-\\d{4}-\\d{2}-\\d{2}\\.jsonl"$`));
    const text = await res.text();
    const lines = text.trimEnd().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.kind).sort()).toEqual(["config.set", "config.set", "config.unset"]);
    for (const l of lines) {
      expect(Object.keys(l)).toEqual(["at", "actor", "via", "ip", "app", "team", "kind", "message", "data"]);
      expect(l).toMatchObject({ actor: admin.email, via: "dashboard", app: app.name, team: team.name });
    }
    expect(text).not.toContain("hunter2");
  });

  it("answers a team's events to members only, and refuses bad filters and strangers", async () => {
    const ok = await exportTeam(new Request(`http://slipway.test/api/teams/${team.name}/activity`, { headers: await bearer(viewer.id) }), { params: Promise.resolve({ team: team.name }) });
    expect((await ok.text()).trimEnd().split("\n")).toHaveLength(9); // team.created, member.added and the apps' seven
    const stranger = await exportTeam(new Request(`http://slipway.test/api/teams/${team.name}/activity`, { headers: await bearer(outsider.id) }), { params: Promise.resolve({ team: team.name }) });
    expect(stranger.status).toBe(404);
    const hidden = await exportApp(new Request(`http://slipway.test/api/apps/${app.name}/activity`, { headers: await bearer(outsider.id) }), { params: Promise.resolve({ app: app.name }) });
    expect(hidden.status).toBe(404);
    const bad = await exportApp(new Request(`http://slipway.test/api/apps/${app.name}/activity?via=pigeon`, { headers: await bearer(admin.id) }), { params: Promise.resolve({ app: app.name }) });
    expect(bad.status).toBe(400);
    const anonymous = await exportApp(new Request(`http://slipway.test/api/apps/${app.name}/activity`, { headers: { authorization: "Bearer slw_nope" } }), { params: Promise.resolve({ app: app.name }) });
    expect(anonymous.status).toBe(401);
  });
});
