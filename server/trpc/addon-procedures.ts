import "server-only";
import { z } from "zod";
import { AppError } from "@/server/errors";
import { findAppForUser, type Operation } from "@/server/services/access";
import { findAddonForApp, findAttachmentForUser } from "@/server/services/addons";
import { appProcedure } from "@/server/trpc/procedures";

// Procedure builders for add-ons, on top of appProcedure: the add-on named in the input
// must be billed to or attached to the app the caller reached it through (else
// NOT_FOUND), so the app's permission is the add-on's. Handlers never check access.

/** `input.addon` (name, id or attachment name) seen from `input.app`, with `permission` there. */
export function addonProcedure(operation: Operation) {
  return appProcedure(operation)
    .input(z.object({ addon: z.string().min(1).max(100) }))
    .use(async ({ ctx, input, next }) => next({ ctx: { ...ctx, addon: await findAddonForApp({ appId: ctx.app.id, addon: input.addon }) } }));
}

/** Like addonProcedure, and `input.app` must be the add-on's billing app (destroy, restore). */
export function billingAddonProcedure(operation: Operation) {
  return addonProcedure(operation).use(({ ctx, next }) => {
    if (ctx.addon.app.id !== ctx.app.id) {
      throw new AppError("UNPROCESSABLE", `${ctx.addon.name} belongs to ${ctx.addon.app.name}; do this from there.`);
    }
    return next();
  });
}

/** Attaching: deploy on the add-on's app and on `input.toApp`, which gains it. */
export const attachProcedure = addonProcedure("addons:attach")
  .input(z.object({ toApp: z.string().min(1).max(64) }))
  .use(async ({ ctx, input, next }) =>
    next({ ctx: { ...ctx, toApp: await findAppForUser({ userId: ctx.userId, app: input.toApp, operation: "addons:attach" }) } }),
  );

/** Detaching: deploy on the app that loses the attachment (which may not be `input.app`). */
export const detachProcedure = addonProcedure("addons:detach")
  .input(z.object({ attachmentId: z.string().uuid() }))
  .use(async ({ ctx, input, next }) => {
    const attachment = await findAttachmentForUser({ userId: ctx.userId, attachmentId: input.attachmentId, operation: "addons:detach" });
    if (attachment.addon.id !== ctx.addon.id) throw new AppError("NOT_FOUND", "Couldn't find that add-on attachment.", { resource: "add_on attachment" });
    return next({ ctx: { ...ctx, attachment } });
  });
