import "server-only";
import { z } from "zod";
import { listApps } from "@/server/services/apps";
import { attachAddon, detachAddon } from "@/server/services/addon-attachments";
import { addonProcedure, attachProcedure, detachProcedure } from "@/server/trpc/addon-procedures";

export const attachmentProcedures = {
  /** Apps it could be attached to: the caller's apps with the billing app's owner. */
  attachableApps: addonProcedure("addons:attach").query(async ({ ctx }) => {
    const apps = await listApps({ userId: ctx.userId, scope: "all" });
    return apps
      .filter((a) => a.owner?.id === ctx.app.owner?.id && a.team?.id === ctx.app.team?.id && a.id !== ctx.addon.app.id)
      .map((a) => ({ id: a.id, name: a.name, attached: ctx.addon.attachments.some((x) => x.app.id === a.id) }));
  }),
  attach: attachProcedure
    .input(z.object({ as: z.string().max(60).nullish() }))
    .mutation(({ ctx, input }) => attachAddon({ addonId: ctx.addon.id, appId: ctx.toApp.id, userId: ctx.userId, name: input.as })),
  detach: detachProcedure.mutation(({ ctx }) => detachAddon({ addonId: ctx.addon.id, attachmentId: ctx.attachment.id, userId: ctx.userId })),
};
