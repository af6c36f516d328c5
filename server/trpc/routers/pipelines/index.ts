import "server-only";
import { z } from "zod";
import { STAGES } from "@/server/auth/permissions";
import { AppError } from "@/server/errors";
import { addableApps, coupleApp, createPipeline, destroyPipeline, listPipelines, removeCoupling, renamePipeline, setCouplingStage } from "@/server/services/pipelines";
import { appPipeline, pipelineOverview } from "@/server/services/pipelines/overview";
import { getPromotion, promote } from "@/server/services/pipelines/promotion";
import { transferPipeline } from "@/server/services/pipelines/transfer";
import { appProcedure, protectedProcedure, router } from "@/server/trpc/procedures";
import { pipelineProcedure } from "@/server/trpc/routers/pipelines/procedure";
import { reviewAppsRouter } from "@/server/trpc/routers/pipelines/review-apps";

const stage = z.enum(STAGES, { message: `Choose ${STAGES.join(", ")}.` });
const appRef = z.string().min(1).max(64);

export const pipelinesRouter = router({
  list: protectedProcedure
    .input(z.object({ team: z.string().max(64).nullish() }).optional())
    .query(({ ctx, input }) => listPipelines({ userId: ctx.userId, teamName: input?.team ?? null })),
  create: protectedProcedure
    .input(z.object({ name: z.string().max(64), team: z.string().max(64).nullish(), app: appRef.nullish(), stage: stage.nullish() }))
    .mutation(({ ctx, input }) => createPipeline({ userId: ctx.userId, name: input.name, team: input.team, app: input.app, stage: input.stage })),
  /** The pipeline page: stages with each app's current release, what differs, review apps, promotions. */
  get: pipelineProcedure("pipeline:view").query(({ ctx }) => pipelineOverview({ userId: ctx.userId, pipeline: ctx.pipeline })),
  /** The app page's link to its pipeline. */
  forApp: appProcedure("app:info").query(({ ctx }) => appPipeline({ userId: ctx.userId, appId: ctx.app.id })),
  addableApps: pipelineProcedure("pipeline:couple").query(({ ctx }) => addableApps({ userId: ctx.userId, pipeline: ctx.pipeline })),
  addApp: pipelineProcedure("pipeline:couple")
    .input(z.object({ app: appRef, stage }))
    .mutation(({ ctx, input }) => coupleApp({ userId: ctx.userId, pipeline: ctx.pipeline, app: input.app, stage: input.stage })),
  moveApp: pipelineProcedure("pipeline:couple")
    .input(z.object({ app: appRef, stage }))
    .mutation(({ ctx, input }) => setCouplingStage({ userId: ctx.userId, app: input.app, stage: input.stage })),
  removeApp: pipelineProcedure("pipeline:couple")
    .input(z.object({ app: appRef }))
    .mutation(({ ctx, input }) => removeCoupling({ userId: ctx.userId, app: input.app })),
  promote: pipelineProcedure("pipeline:promote")
    .input(z.object({ source: appRef, targets: z.array(appRef).max(50).nullish() }))
    .mutation(({ ctx, input }) => promote({ userId: ctx.userId, pipeline: ctx.pipeline.id, source: input.source, targets: input.targets })),
  promotion: pipelineProcedure("pipeline:view")
    .input(z.object({ id: z.string().uuid() }))
    .query(async ({ ctx, input }) => {
      const promotion = await getPromotion({ userId: ctx.userId, promotion: input.id });
      if (promotion.pipelineId !== ctx.pipeline.id) throw new AppError("NOT_FOUND", "Couldn't find that promotion.", { resource: "pipeline_promotion" });
      return promotion;
    }),
  rename: pipelineProcedure("pipeline:rename")
    .input(z.object({ name: z.string().max(64) }))
    .mutation(({ ctx, input }) => renamePipeline({ pipeline: ctx.pipeline, name: input.name })),
  /** To a team (its name) or a person (an email): the pipeline and its apps. */
  transfer: pipelineProcedure("pipeline:transfer")
    .input(z.object({ to: z.string().trim().min(1).max(320) }))
    .mutation(({ ctx, input }) =>
      transferPipeline({ userId: ctx.userId, pipeline: ctx.pipeline, newOwner: { type: input.to.includes("@") ? "user" : "team", id: input.to } }),
    ),
  destroy: pipelineProcedure("pipeline:destroy")
    .input(z.object({ confirm: z.string().max(64) }))
    .mutation(({ ctx, input }) => destroyPipeline({ pipeline: ctx.pipeline, confirm: input.confirm, userId: ctx.userId })),
  reviewApps: reviewAppsRouter,
});
