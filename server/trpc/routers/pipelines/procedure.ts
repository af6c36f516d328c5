import "server-only";
import { z } from "zod";
import type { PipelineOperation } from "@/server/auth/permissions";
import { findPipelineForUser } from "@/server/services/pipelines/access";
import { protectedProcedure } from "@/server/trpc/procedures";

export const pipelineInput = z.object({ pipeline: z.string().min(1).max(64) });

/**
 * Loads the pipeline named (or id'd) in `input.pipeline` if the caller may perform
 * `operation` there (server/auth/permissions.ts: the owner's team role decides) and puts it
 * on ctx: pipelines they cannot see are NOT_FOUND, a role too low is FORBIDDEN. The
 * operation is the procedure's meta, for the authorization matrix test.
 */
export function pipelineProcedure(operation: PipelineOperation) {
  return protectedProcedure
    .meta({ pipelineOperation: operation })
    .input(pipelineInput)
    .use(async ({ ctx, input, next }) => {
      const pipeline = await findPipelineForUser({ userId: ctx.userId, pipeline: (input as { pipeline: string }).pipeline, operation });
      return next({ ctx: { ...ctx, pipeline } });
    });
}
