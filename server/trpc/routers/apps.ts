import "server-only";
import { z } from "zod";
import { publicUrl } from "@/server/env";
import { createApp, destroyApp, getAppOverview, listApps, renameApp } from "@/server/services/apps";
import { webUrl } from "@/server/services/domains";
import { appProcedure, protectedProcedure, router } from "@/server/trpc/procedures";

export const appsRouter = router({
  list: protectedProcedure
    .input(z.object({ team: z.string().max(64).nullish() }).default({}))
    .query(({ ctx, input }) => listApps({ userId: ctx.userId, teamName: input.team })),
  create: protectedProcedure
    .input(z.object({ name: z.string().max(64).nullish(), team: z.string().max(64).nullish() }))
    .mutation(({ ctx, input }) => createApp({ userId: ctx.userId, name: input.name, teamName: input.team })),
  get: appProcedure("app:info").query(async ({ ctx }) => ({
    ...ctx.app,
    gitUrl: `${publicUrl()}/${ctx.app.name}.git`,
    webUrl: webUrl(ctx.app.name),
    ...(await getAppOverview(ctx.app.id)),
  })),
  rename: appProcedure("app:rename")
    .input(z.object({ newName: z.string() }))
    .mutation(({ ctx, input }) => renameApp({ appId: ctx.app.id, userId: ctx.userId, newName: input.newName })),
  destroy: appProcedure("app:destroy")
    .input(z.object({ confirm: z.string() }))
    .mutation(({ ctx, input }) => destroyApp({ appId: ctx.app.id, appName: ctx.app.name, confirm: input.confirm })),
});
