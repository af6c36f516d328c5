import { describe, expect, it } from "vitest";
import { db } from "@/server/db";
import { call, unique, userWithKey } from "@/server/platform-api/test-client";
import { createApp } from "@/server/services/apps";
import { releaseImage } from "@/server/services/deploys";

// Unit tests run without a dyno manager: scaling writes the formation (nothing converges),
// dyno rows are written by hand, and restarts that reach the runtime answer 503.

const PROCESS_TYPES = { web: "npm start", worker: "node worker.js" };

async function deployedApp() {
  const owner = await userWithKey();
  const app = await createApp({ userId: owner.id, name: `ps-${unique()}` });
  const release = await releaseImage({ appId: app.id, userId: owner.id, imageTag: "slipway/stack:bookworm", processTypes: PROCESS_TYPES, description: "Deploy" });
  return { owner, app, release, key: owner.key };
}

const scaleOf = (body: Array<{ type: string; quantity: number; size: string }>) => body.map((f) => `${f.type}=${f.quantity}:${f.size}`);

describe("formation", () => {
  it("lists process types in Heroku's shape, with the release's command", async () => {
    const { app, key } = await deployedApp();
    const list = await call("GET", `/apps/${app.name}/formation`, { key });
    expect(list.status).toBe(200);
    expect(list.body).toEqual([
      {
        id: expect.any(String),
        type: "web",
        quantity: 1,
        size: "standard-1x",
        command: "npm start",
        app: { id: app.id, name: app.name },
        created_at: expect.any(String),
        updated_at: expect.any(String),
      },
      expect.objectContaining({ type: "worker", quantity: 0, command: "node worker.js" }),
    ]);
    expect((await call("GET", `/apps/${app.id}/formation/worker`, { key })).body).toEqual(list.body[1]);
    expect(await call("GET", `/apps/${app.name}/formation/clock`, { key })).toMatchObject({ status: 404, body: { id: "not_found", resource: "formation" } });
  });

  it("scales with the CLI's string quantities, relative or absolute, and resizes by name or alias", async () => {
    const { app, key } = await deployedApp();
    const path = `/apps/${app.name}/formation`;
    const scaled = await call("PATCH", path, { key, body: { updates: [{ type: "web", quantity: "2" }, { type: "worker", quantity: "1", size: null }] } });
    expect(scaled.status).toBe(200);
    expect(scaleOf(scaled.body)).toEqual(["web=2:standard-1x", "worker=1:standard-1x"]);

    expect(scaleOf((await call("PATCH", path, { key, body: { updates: [{ type: "web", quantity: "+1" }] } })).body)).toEqual(["web=3:standard-1x", "worker=1:standard-1x"]);
    expect(scaleOf((await call("PATCH", path, { key, body: { updates: [{ type: "worker", quantity: "-1" }] } })).body)).toEqual(["web=3:standard-1x", "worker=0:standard-1x"]);
    // ps:type sends sizes only; Heroku's capitalised names and the old 2X alias work.
    expect(scaleOf((await call("PATCH", path, { key, body: { updates: [{ type: "web", size: "Standard-2X" }] } })).body)).toEqual(["web=3:standard-2x", "worker=0:standard-1x"]);
    expect(scaleOf((await call("PATCH", path, { key, body: { updates: [{ type: "worker", quantity: 2, size: "2X" }] } })).body)).toEqual(["web=3:standard-2x", "worker=2:standard-2x"]);

    const one = await call("PATCH", `${path}/web`, { key, body: { quantity: "1", size: "performance-m" } });
    expect(one).toMatchObject({ status: 200, body: { type: "web", quantity: 1, size: "performance-m", command: "npm start" } });
    expect(await db.formation.findMany({ where: { appId: app.id }, orderBy: { type: "asc" }, select: { type: true, quantity: true, size: true } })).toEqual([
      { type: "web", quantity: 1, size: "performance-m" },
      { type: "worker", quantity: 2, size: "standard-2x" },
    ]);
  });

  it("refuses bad sizes and quantities with 422 invalid_params, unknown types with 404, changing nothing", async () => {
    const { app, key } = await deployedApp();
    const path = `/apps/${app.name}/formation`;
    const patch = (updates: unknown) => call("PATCH", path, { key, body: { updates } });

    const huge = await patch([{ type: "web", size: "huge" }]);
    expect(huge).toMatchObject({ status: 422, body: { id: "invalid_params", message: expect.stringContaining("Unknown dyno size huge") } });
    expect(huge.body.message).toContain("standard-2x");
    expect(await patch([{ type: "web", quantity: "2", size: "eco" }])).toMatchObject({ status: 422, body: { message: expect.stringContaining("limited to 1") } });
    expect(await patch([{ type: "web", quantity: "101" }])).toMatchObject({ status: 422, body: { id: "invalid_params" } });
    expect(await patch([{ type: "web", quantity: "-2" }])).toMatchObject({ status: 422, body: { message: expect.stringContaining("below 0") } });
    expect(await patch([{ type: "web", quantity: "lots" }])).toMatchObject({ status: 422, body: { message: expect.stringContaining("Invalid quantity") } });
    expect(await patch([])).toMatchObject({ status: 422, body: { id: "invalid_params" } });
    expect(await patch([{ quantity: "1" }])).toMatchObject({ status: 422, body: { id: "invalid_params", message: expect.stringContaining("type") } });
    // One bad entry fails the batch: web is not scaled either.
    expect(await patch([{ type: "web", quantity: "3" }, { type: "clock", quantity: "1" }])).toMatchObject({
      status: 404,
      body: { id: "not_found", resource: "formation", message: expect.stringContaining("clock") },
    });
    expect(await call("PATCH", `${path}/clock`, { key, body: { quantity: "1" } })).toMatchObject({ status: 404, body: { resource: "formation" } });
    expect(await call("PATCH", `${path}/web`, { key, body: { size: "huge" } })).toMatchObject({ status: 422, body: { id: "invalid_params" } });
    expect(await db.formation.findMany({ where: { appId: app.id }, orderBy: { type: "asc" }, select: { quantity: true, size: true } })).toEqual([
      { quantity: 1, size: "standard-1x" },
      { quantity: 0, size: "standard-1x" },
    ]);
  });
});

describe("dynos", () => {
  it("lists and finds dynos by name or id in Heroku's shape", async () => {
    const { app, release, key } = await deployedApp();
    expect((await call("GET", `/apps/${app.name}/dynos`, { key })).body).toEqual([]);
    await db.dyno.createMany({
      data: [
        { appId: app.id, name: "web.1", type: "web", size: "standard-1x", state: "up", command: "npm start", releaseId: release.id },
        { appId: app.id, name: "worker.1", type: "worker", size: "standard-2x", state: "crashed", command: "node worker.js", releaseId: release.id },
      ],
    });
    const list = await call("GET", `/apps/${app.name}/dynos`, { key });
    expect(list.status).toBe(200);
    expect(list.body[0]).toEqual({
      id: expect.any(String),
      name: "web.1",
      type: "web",
      size: "standard-1x",
      state: "up",
      command: "npm start",
      attach_url: null,
      release: { id: release.id, version: release.version },
      app: { id: app.id, name: app.name },
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    expect(list.body.map((d: { name: string; state: string }) => `${d.name}:${d.state}`)).toEqual(["web.1:up", "worker.1:crashed"]);
    expect((await call("GET", `/apps/${app.name}/dynos/worker.1`, { key })).body).toEqual(list.body[1]);
    expect((await call("GET", `/apps/${app.name}/dynos/${list.body[0].id}`, { key })).body.name).toBe("web.1");
    expect(await call("GET", `/apps/${app.name}/dynos/web.9`, { key })).toMatchObject({ status: 404, body: { id: "not_found", resource: "dyno" } });
  });

  it("finds what to restart or stop before asking the dyno manager (absent in unit tests: 503)", async () => {
    const { app, key } = await deployedApp();
    await db.dyno.create({ data: { appId: app.id, name: "web.1", type: "web", size: "standard-1x", state: "up" } });
    const base = `/apps/${app.name}`;
    expect(await call("DELETE", `${base}/dynos/web.7`, { key })).toMatchObject({ status: 404, body: { resource: "dyno" } });
    expect(await call("POST", `${base}/dynos/web.7/actions/stop`, { key })).toMatchObject({ status: 404, body: { resource: "dyno" } });
    expect(await call("DELETE", `${base}/formations/clock`, { key })).toMatchObject({ status: 404, body: { resource: "formation" } });
    expect(await call("POST", `${base}/formations/clock/actions/stop`, { key })).toMatchObject({ status: 404, body: { resource: "formation" } });
    // `ps:restart web` (positional) puts a process type where a dyno name goes: a type of
    // the formation is that type; anything else is still an unknown dyno.
    expect(await call("DELETE", `${base}/dynos/clock`, { key })).toMatchObject({ status: 404, body: { resource: "dyno" } });
    for (const [method, path] of [
      ["DELETE", `${base}/dynos`],
      ["DELETE", `${base}/dynos/web.1`],
      ["DELETE", `${base}/dynos/web`],
      ["DELETE", `${base}/dynos/worker`],
      ["POST", `${base}/dynos/web/actions/stop`],
      ["DELETE", `${base}/formations/web`],
      ["POST", `${base}/dynos/web.1/actions/stop`],
      ["POST", `${base}/formations/web/actions/stop`],
    ] as const) {
      expect(await call(method, path, { key }), `${method} ${path}`).toMatchObject({ status: 503, body: { id: "unavailable" } });
    }
  });
});

describe("access", () => {
  it("hides the app from outsiders on every formation and dyno route, and needs a key", async () => {
    const { app, key } = await deployedApp();
    const outsider = await userWithKey();
    const routes = [
      ["GET", `/apps/${app.name}/formation`],
      ["GET", `/apps/${app.name}/formation/web`],
      ["PATCH", `/apps/${app.name}/formation`, { updates: [{ type: "web", quantity: "5" }] }],
      ["PATCH", `/apps/${app.name}/formation/web`, { quantity: "5" }],
      ["GET", `/apps/${app.name}/dynos`],
      ["GET", `/apps/${app.name}/dynos/web.1`],
      ["DELETE", `/apps/${app.name}/dynos`],
      ["DELETE", `/apps/${app.name}/dynos/web.1`],
      ["DELETE", `/apps/${app.name}/formations/web`],
      ["POST", `/apps/${app.name}/dynos/web.1/actions/stop`],
    ] as const;
    for (const [method, path, body] of routes) {
      expect(await call(method, path, { key: outsider.key, body }), `${method} ${path}`).toMatchObject({ status: 404, body: { id: "not_found", resource: "app" } });
      expect(await call(method, path, { body }), `${method} ${path}`).toMatchObject({ status: 401, body: { id: "unauthorized" } });
    }
    expect((await db.formation.findFirst({ where: { appId: app.id, type: "web" } }))?.quantity).toBe(1);
    expect((await call("GET", `/apps/${app.name}/formation/web`, { key })).status).toBe(200);
  });

  it("lets collaborators scale (operate) without being owners", async () => {
    const { app } = await deployedApp();
    const collaborator = await userWithKey();
    await db.collaborator.create({ data: { appId: app.id, userId: collaborator.id } });
    const res = await call("PATCH", `/apps/${app.name}/formation`, { key: collaborator.key, body: { updates: [{ type: "worker", quantity: "2" }] } });
    expect(res).toMatchObject({ status: 200 });
    expect(scaleOf(res.body)).toEqual(["web=1:standard-1x", "worker=2:standard-1x"]);
  });
});
