// The add-on procedures' access rules (rows written directly; no container is needed to
// be refused). Provisioning for real: server/services/addons.test.ts.
import { TRPCError } from "@trpc/server";
import { describe, expect, it } from "vitest";
import { encryptJson } from "@/server/crypto";
import { db } from "@/server/db";
import { createUser } from "@/server/services/users";
import { createCaller } from "@/server/trpc/root";

const unique = () => Math.random().toString(36).slice(2, 8);
const callerFor = (userId: string | null) => createCaller({ identity: userId ? { userId, via: "session" } : null });

async function codeOf(p: Promise<unknown>) {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(TRPCError);
  return (err as TRPCError).code;
}

async function setup() {
  const owner = await createUser({ email: `o-${unique()}@example.com`, password: "password1" });
  const collaborator = await createUser({ email: `c-${unique()}@example.com`, password: "password1" });
  const stranger = await createUser({ email: `s-${unique()}@example.com`, password: "password1" });
  const app = await callerFor(owner.id).apps.create({ name: `ad-${unique()}` });
  const second = await callerFor(owner.id).apps.create({ name: `ad-${unique()}` });
  await db.collaborator.create({ data: { appId: app.id, userId: collaborator.id } });
  const addon = await db.addon.create({
    data: { name: `redis-test-${unique()}`, appId: app.id, service: "slipway-redis", plan: "mini", state: "available", configEnc: encryptJson({ password: "x" }) },
  });
  await db.addonAttachment.create({ data: { addonId: addon.id, appId: app.id, name: "REDIS" } });
  await db.addonAttachment.create({ data: { addonId: addon.id, appId: second.id, name: "REDIS" } });
  return { owner, collaborator, stranger, app, second, addon };
}

describe("add-on procedures", () => {
  it("offers the marketplace to signed-in users only", async () => {
    expect(await codeOf(callerFor(null).addons.services())).toBe("UNAUTHORIZED");
    const u = await createUser({ email: `m-${unique()}@example.com`, password: "password1" });
    const services = await callerFor(u.id).addons.services();
    expect(services.map((s) => [s.name, s.defaultPlan])).toEqual([["slipway-postgresql", "essential-0"], ["slipway-redis", "mini"]]);
    expect(services[0]!.plans[0]).toEqual({ name: "essential-0", memoryMb: 256, connections: 20, storageMb: 1024 });
  });

  it("hides add-ons from strangers and from apps they are not attached to", async () => {
    const { owner, stranger, app, addon } = await setup();
    expect(await codeOf(callerFor(stranger.id).addons.get({ app: app.name, addon: addon.name }))).toBe("NOT_FOUND");
    expect(await codeOf(callerFor(stranger.id).addons.credentials({ app: app.name, addon: addon.name }))).toBe("NOT_FOUND");
    const unrelated = await callerFor(owner.id).apps.create({ name: `un-${unique()}` });
    expect(await codeOf(callerFor(owner.id).addons.get({ app: unrelated.name, addon: addon.name }))).toBe("NOT_FOUND");
    expect((await callerFor(owner.id).addons.get({ app: app.name, addon: "redis" })).id).toBe(addon.id);
  });

  it("lets a collaborator see credentials but not destroy or restore; destroying needs the billing app", async () => {
    const { owner, collaborator, app, second, addon } = await setup();
    const creds = await callerFor(collaborator.id).addons.credentials({ app: app.name, addon: addon.name });
    expect(creds).toMatchObject({ host: addon.name, port: 6379, password: "x" });
    expect(await codeOf(callerFor(collaborator.id).addons.destroy({ app: app.name, addon: addon.name, confirm: addon.name }))).toBe("FORBIDDEN");
    expect(await codeOf(callerFor(collaborator.id).addons.backups.restore({ app: app.name, addon: addon.name, backup: "b001" }))).toBe("FORBIDDEN");
    expect(await codeOf(callerFor(owner.id).addons.destroy({ app: second.name, addon: addon.name, confirm: addon.name }))).toBe("UNPROCESSABLE_CONTENT");
    const wrong = await callerFor(owner.id).addons.destroy({ app: app.name, addon: addon.name, confirm: "nope" }).catch((e: TRPCError) => e);
    expect(wrong).toMatchObject({ code: "BAD_REQUEST" });
  });

  it("detaches only with deploy on the app losing the attachment", async () => {
    const { collaborator, app, second, addon } = await setup();
    const onSecond = await db.addonAttachment.findFirstOrThrow({ where: { addonId: addon.id, appId: second.id } });
    // The collaborator may deploy `app`, but not `second`, which would lose REDIS_URL.
    expect(await codeOf(callerFor(collaborator.id).addons.detach({ app: app.name, addon: addon.name, attachmentId: onSecond.id }))).toBe("NOT_FOUND");
    expect(await codeOf(callerFor(collaborator.id).addons.attach({ app: app.name, addon: addon.name, toApp: second.name }))).toBe("NOT_FOUND");
  });
});
