import "server-only";
import { z } from "zod";
import { createAppSetup, getAppSetup, listAppSetups } from "@/server/services/app-setups";
import { protectedProcedure, router } from "@/server/trpc/procedures";

// App setups from the dashboard's "New app → from app.json". Signed-in procedures: the app
// does not exist before `create` (createApp checks team membership and quotas), and
// getAppSetup lets in the setup's creator or whoever may see its app (app:info).

const sourceInput = z.union([
  z.object({ url: z.string().trim().url("Enter the URL of a .tar.gz.").max(2048) }),
  z.object({ uploadId: z.string().uuid() }),
]);

export const appSetupsRouter = router({
  create: protectedProcedure
    .input(
      z.object({
        name: z.string().max(64).nullish(),
        team: z.string().max(64).nullish(),
        source: sourceInput,
        env: z.record(z.string(), z.string().max(32_768)).default({}),
      }),
    )
    .mutation(({ ctx, input }) =>
      createAppSetup({ userId: ctx.userId, name: input.name, teamName: input.team, source: input.source, overrides: { env: input.env } }),
    ),
  get: protectedProcedure
    .input(z.object({ id: z.string().max(64) }))
    .query(({ ctx, input }) => getAppSetup({ userId: ctx.userId, setupId: input.id, withBuildOutput: true })),
  list: protectedProcedure.query(({ ctx }) => listAppSetups({ userId: ctx.userId })),
});
