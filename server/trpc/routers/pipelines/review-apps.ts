import "server-only";
import { z } from "zod";
import { destroyReviewAppForUser, disableReviewApps, enableReviewApps } from "@/server/services/pipelines/review-apps";
import { router } from "@/server/trpc/procedures";
import { pipelineProcedure } from "@/server/trpc/routers/pipelines/procedure";

export const reviewAppsRouter = router({
  /** Enables review apps or changes their settings (the dashboard's toggle and form). */
  configure: pipelineProcedure("pipeline:review-apps")
    .input(z.object({ parent: z.string().min(1).max(64).nullish(), destroyStaleApps: z.boolean().nullish(), staleDays: z.number().int().min(1).max(30).nullish() }))
    .mutation(({ ctx, input }) =>
      enableReviewApps({ userId: ctx.userId, pipeline: ctx.pipeline, parent: input.parent, settings: { destroyStaleApps: input.destroyStaleApps, staleDays: input.staleDays } }),
    ),
  disable: pipelineProcedure("pipeline:review-apps").mutation(({ ctx }) => disableReviewApps({ pipeline: ctx.pipeline })),
  /** Like deleting the branch: whoever may push to the parent app may (checked by the service). */
  destroy: pipelineProcedure("pipeline:view")
    .input(z.object({ reviewApp: z.string().min(1).max(64) }))
    .mutation(({ ctx, input }) => destroyReviewAppForUser({ userId: ctx.userId, pipeline: ctx.pipeline.id, reviewApp: input.reviewApp })),
});
