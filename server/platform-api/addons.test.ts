// The add-on endpoints' shapes, access rules and errors, straight into the handler. Rows
// are written directly here (no container); provisioning for real is covered by
// server/services/addons.test.ts and the heroku CLI integration test.
import { describe, expect, it } from "vitest";
import { encryptJson } from "@/server/crypto";
import { db } from "@/server/db";
import { call, unique, userWithKey } from "@/server/platform-api/test-client";
import { createApp } from "@/server/services/apps";

async function availableAddon(appId: string, name = `postgresql-test-${unique()}`) {
  const addon = await db.addon.create({
    data: { name, appId, service: "slipway-postgresql", plan: "essential-1", state: "available", configEnc: encryptJson({ user: "u1", password: "p", database: "d1" }) },
  });
  await db.addonAttachment.create({ data: { addonId: addon.id, appId, name: "DATABASE" } });
  return addon;
}

describe("add-on endpoints", () => {
  it("lists an app's add-ons and attachments in Heroku's shapes, free of charge", async () => {
    const u = await userWithKey();
    const app = await createApp({ userId: u.id, name: `ad-${unique()}` });
    const addon = await availableAddon(app.id);
    const list = await call("GET", `/apps/${app.name}/addons`, { key: u.key });
    expect(list.status).toBe(200);
    expect(list.body).toEqual([
      expect.objectContaining({
        id: addon.id,
        name: addon.name,
        app: { id: app.id, name: app.name },
        addon_service: expect.objectContaining({ name: "slipway-postgresql" }),
        plan: expect.objectContaining({ name: "slipway-postgresql:essential-1", price: { cents: 0, unit: "month", contract: false, metered: false } }),
        billed_price: { cents: 0, contract: false, unit: "month" },
        config_vars: ["DATABASE_URL"],
        state: "provisioned",
      }),
    ]);
    const attachments = await call("GET", "/addon-attachments", { key: u.key });
    expect(attachments.body).toEqual([expect.objectContaining({ name: "DATABASE", app: { id: app.id, name: app.name }, addon: expect.objectContaining({ id: addon.id, name: addon.name, app: { id: app.id, name: app.name } }) })]);
    expect((await call("GET", `/apps/${app.name}/addon-attachments/database`, { key: u.key })).body.id).toBe(attachments.body[0].id);
    expect((await call("GET", `/addons/${addon.name}`, { key: u.key })).body.id).toBe(addon.id);
    expect((await call("GET", `/addons/${addon.id}/addon-attachments`, { key: u.key })).body).toHaveLength(1);
  });

  it("resolves add-ons by name, id or attachment name, with and without an app", async () => {
    const u = await userWithKey();
    const app = await createApp({ userId: u.id, name: `rs-${unique()}` });
    const addon = await availableAddon(app.id);
    for (const body of [{ addon: addon.name, app: app.name }, { addon: addon.id, app: null }, { addon: "DATABASE", app: app.name }]) {
      const r = await call("POST", "/actions/addons/resolve", { key: u.key, body });
      expect(r.status, JSON.stringify(body)).toBe(200);
      expect(r.body.map((a: { id: string }) => a.id)).toEqual([addon.id]);
    }
    const missing = await call("POST", "/actions/addons/resolve", { key: u.key, body: { addon: "postgresql-nope-1", app: app.name } });
    expect(missing).toMatchObject({ status: 404, body: { id: "not_found", resource: "add_on" } });
  });

  it("hides other people's add-ons and refuses unknown services and plans with the choices", async () => {
    const owner = await userWithKey();
    const stranger = await userWithKey();
    const app = await createApp({ userId: owner.id, name: `pv-${unique()}` });
    const addon = await availableAddon(app.id);
    expect(await call("GET", `/addons/${addon.name}`, { key: stranger.key })).toMatchObject({ status: 404 });
    expect(await call("GET", `/apps/${app.name}/addons`, { key: stranger.key })).toMatchObject({ status: 404 });
    expect((await call("GET", "/addons", { key: stranger.key })).body).toEqual([]);
    expect(await call("DELETE", `/apps/${app.id}/addons/${addon.id}`, { key: stranger.key })).toMatchObject({ status: 404 });
    const mysql = await call("POST", `/apps/${app.name}/addons`, { key: owner.key, body: { plan: { name: "mysql:small" } } });
    expect(mysql).toMatchObject({ status: 422, body: { id: "invalid_params", message: expect.stringContaining("Services: slipway-postgresql, slipway-redis") } });
    const plan = await call("POST", `/apps/${app.name}/addons`, { key: owner.key, body: { plan: "heroku-redis:huge" } });
    expect(plan.body.message).toContain("Plans: mini, premium-0, premium-1");
    const options = await call("POST", `/apps/${app.name}/addons`, { key: owner.key, body: { plan: "heroku-redis", config: { fork: "DATABASE" } } });
    expect(options).toMatchObject({ status: 422, body: { message: expect.stringContaining("take no options") } });
  });

  it("attaches only to apps of the same owner; a collaborator cannot destroy", async () => {
    const owner = await userWithKey();
    const other = await userWithKey();
    const app = await createApp({ userId: owner.id, name: `at-${unique()}` });
    const foreign = await createApp({ userId: other.id, name: `fr-${unique()}` });
    await db.collaborator.create({ data: { appId: foreign.id, userId: owner.id } });
    await db.collaborator.create({ data: { appId: app.id, userId: other.id } });
    const addon = await availableAddon(app.id);
    const cross = await call("POST", "/addon-attachments", { key: owner.key, body: { addon: { name: addon.name }, app: { name: foreign.name } } });
    expect(cross).toMatchObject({ status: 422, body: { message: expect.stringContaining("same owner") } });
    expect(await call("DELETE", `/apps/${app.id}/addons/${addon.id}`, { key: other.key })).toMatchObject({ status: 403 });
    const mine = await call("GET", `/apps/${app.name}/addon-attachments`, { key: owner.key });
    expect(await call("DELETE", `/addon-attachments/${mine.body[0].id}`, { key: owner.key })).toMatchObject({ status: 422, body: { message: expect.stringContaining("destroy it there") } });
  });
});
