import "server-only";
import { z } from "zod";
import { publicUrl } from "@/server/env";
import { APP_PAGE_MAX, createApp, destroyApp, getAppOverview, listAppsPage, renameApp } from "@/server/services/apps";
import { webUrl } from "@/server/services/domains";
import { appProcedure, protectedProcedure, router } from "@/server/trpc/procedures";

const appPageSchema = z
  .object({
    team: z.string().max(64).nullish(),
    q: z.string().trim().max(64).nullish(),
    /** The last app name of the previous page. */
    cursor: z.string().max(64).nullish(),
    limit: z.number().int().min(1).max(APP_PAGE_MAX).default(50),
  })
  .default({ limit: 50 });

export const appsRouter = router({
  /** A page of the personal (or `team`'s) apps by name; `q` keeps names containing it, any case. */
  list: protectedProcedure
    .input(appPageSchema)
    .query(({ ctx, input }) => listAppsPage({ userId: ctx.userId, teamName: input.team, q: input.q, cursor: input.cursor, limit: input.limit })),
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
