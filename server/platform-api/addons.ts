import "server-only";
import { z } from "zod";
import { AppError } from "@/server/errors";
import { addonShape, attachmentShape } from "@/server/platform-api/addon-shapes";
import { paginate } from "@/server/platform-api/range";
import { appRoute, userRoute, type Ctx } from "@/server/platform-api/router";
import { findAppForUser, type Operation } from "@/server/services/access";
import { attachAddon, detachAddon } from "@/server/services/addon-attachments";
import {
  createAddon,
  destroyAddon,
  findAddonForApp,
  findAddonForUser,
  findAttachment,
  findAttachmentForUser,
  listAddonsForApp,
  listAddonsForUser,
  listAttachmentsForApps,
  listAttachmentsForUser,
} from "@/server/services/addons";

// What `heroku addons`, addons:create/info/destroy/attach/detach call (PLATFORM-API.md).
// Routes that name an add-on load it through an app the caller may act on with the
// route's permission (addonRoute), as appRoute does for apps.

type Addon = Awaited<ReturnType<typeof findAddonForUser>>;

function addonRoute(method: "GET" | "DELETE", pattern: string, operation: Operation, handler: (ctx: Ctx & Addon) => Promise<{ status?: number; body: unknown }>) {
  return userRoute(method, pattern, {
    handler: async (ctx) => handler({ ...ctx, ...(await findAddonForUser({ userId: ctx.userId, addon: ctx.params.addon!, operation })) }),
  });
}

const byName = { name: (r: { name: string }) => r.name, id: (r: { id: string }) => r.id };

const planBody = z.union([z.string().min(1).max(200), z.object({ name: z.string().min(1).max(200) }).passthrough()]);
const createBody = z
  .object({
    plan: planBody,
    attachment: z.object({ name: z.string().max(60).nullish() }).passthrough().nullish(),
    name: z.string().max(63).nullish(),
    config: z.record(z.string(), z.unknown()).nullish(),
    confirm: z.string().nullish(),
  })
  .passthrough();

const attachBody = z
  .object({
    addon: z.union([z.string().min(1), z.object({ name: z.string().min(1).optional(), id: z.string().optional() }).passthrough()]),
    app: z.union([z.string().min(1), z.object({ name: z.string().min(1).optional(), id: z.string().optional() }).passthrough()]),
    name: z.string().max(60).nullish(),
    confirm: z.string().nullish(),
  })
  .passthrough();

const resolveBody = z.object({ addon: z.string().min(1).max(200), app: z.string().max(64).nullish(), addon_service: z.string().nullish() }).passthrough();
const resolveAttachmentBody = z.object({ addon_attachment: z.string().min(1).max(200), app: z.string().max(64).nullish() }).passthrough();

const ref = (v: string | { name?: string; id?: string }) => (typeof v === "string" ? v : (v.name ?? v.id ?? ""));

export const addonRoutes = [
  appRoute("GET", "/apps/:app/addons", "addons:list", {
    handler: async ({ req, app }) => paginate(req, await listAddonsForApp(app.id), byName, addonShape),
  }),
  appRoute("GET", "/apps/:app/addons/:addon", "addons:list", {
    handler: async ({ app, params }) => ({ body: addonShape(await findAddonForApp({ appId: app.id, addon: params.addon! })) }),
  }),
  // No config flags exist for our services: refusing them beats ignoring them.
  appRoute("POST", "/apps/:app/addons", "addons:create", {
    body: createBody,
    handler: async ({ app, userId, body }) => {
      if (body.config && Object.keys(body.config).length) {
        throw new AppError("UNPROCESSABLE", `Slipway add-ons take no options (got ${Object.keys(body.config).join(", ")}).`);
      }
      const addon = await createAddon({ appId: app.id, userId, service: ref(body.plan), name: body.name, as: body.attachment?.name });
      return { status: 201, body: addonShape(addon) };
    },
  }),
  // The CLI sends the billing app's id and the add-on's id; destroying takes "manage" there.
  appRoute("DELETE", "/apps/:app/addons/:addon", "addons:destroy", {
    handler: async ({ app, params, userId }) => {
      const addon = await findAddonForApp({ appId: app.id, addon: params.addon! });
      if (addon.app.id !== app.id) throw new AppError("UNPROCESSABLE", `${addon.name} is billed to ${addon.app.name}; destroy it there.`);
      await destroyAddon({ addonId: addon.id, userId });
      return { body: { ...addonShape(addon), state: "deprovisioned" } };
    },
  }),
  userRoute("GET", "/addons", { handler: async ({ req, userId }) => paginate(req, await listAddonsForUser(userId), byName, addonShape) }),
  addonRoute("GET", "/addons/:addon", "addons:list", async ({ addon }) => ({ body: addonShape(addon) })),
  addonRoute("GET", "/addons/:addon/addon-attachments", "addons:list", async ({ req, addon }) => {
    const rows = (await listAttachmentsForApps(addon.attachments.map((a) => a.app.id))).filter((a) => a.addon.id === addon.id);
    return paginate(req, rows, byName, attachmentShape);
  }),
  userRoute("POST", "/actions/addons/resolve", {
    body: resolveBody,
    handler: async ({ userId, body }) => {
      const found = body.app
        ? await findAppForUser({ userId, app: body.app, operation: "addons:list" }).then((app) => findAddonForApp({ appId: app.id, addon: body.addon }))
        : (await findAddonForUser({ userId, addon: body.addon, operation: "addons:list" })).addon;
      if (body.addon_service && found.service !== body.addon_service) throw new AppError("NOT_FOUND", "Couldn't find that add-on.", { resource: "add_on" });
      return { body: [addonShape(found)] };
    },
  }),

  userRoute("GET", "/addon-attachments", { handler: async ({ req, userId }) => paginate(req, await listAttachmentsForUser(userId), byName, attachmentShape) }),
  appRoute("GET", "/apps/:app/addon-attachments", "addons:list", {
    handler: async ({ req, app }) => paginate(req, await listAttachmentsForApps([app.id]), byName, attachmentShape),
  }),
  appRoute("GET", "/apps/:app/addon-attachments/:attachment", "addons:list", {
    handler: async ({ app, params }) => ({ body: attachmentShape(await findAttachment({ appId: app.id, attachment: params.attachment! })) }),
  }),
  userRoute("POST", "/actions/addon-attachments/resolve", {
    body: resolveAttachmentBody,
    handler: async ({ userId, body }) => {
      if (!body.app) throw new AppError("NOT_FOUND", "Couldn't find that add-on attachment.", { resource: "add_on attachment" });
      const app = await findAppForUser({ userId, app: body.app, operation: "addons:list" });
      return { body: [attachmentShape(await findAttachment({ appId: app.id, attachment: body.addon_attachment }))] };
    },
  }),
  // addons:attach: deploy on the app that gains it, and on an app the add-on is seen through.
  userRoute("POST", "/addon-attachments", {
    body: attachBody,
    handler: async ({ userId, body }) => {
      const target = await findAppForUser({ userId, app: ref(body.app), operation: "addons:attach" });
      const { addon } = await findAddonForUser({ userId, addon: ref(body.addon), operation: "addons:attach" });
      const { attachment } = await attachAddon({ addonId: addon.id, appId: target.id, userId, name: body.name });
      return { status: 201, body: attachmentShape(await findAttachment({ appId: target.id, attachment: attachment.id })) };
    },
  }),
  userRoute("DELETE", "/addon-attachments/:attachment", {
    handler: async ({ userId, params }) => {
      const attachment = await findAttachmentForUser({ userId, attachmentId: params.attachment!, operation: "addons:detach" });
      const shape = attachmentShape(attachment);
      await detachAddon({ addonId: attachment.addon.id, attachmentId: attachment.id, userId });
      return { body: shape };
    },
  }),
];
