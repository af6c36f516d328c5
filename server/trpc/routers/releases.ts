import "server-only";
import { z } from "zod";
import { AppError } from "@/server/errors";
import { imageExists } from "@/server/runtime/docker";
import { releaseImage, rollbackRelease } from "@/server/services/deploys";
import { listReleases } from "@/server/services/releases";
import { appProcedure, router } from "@/server/trpc/procedures";

const processTypesSchema = z
  .record(z.string().regex(/^[a-zA-Z0-9_-]{1,30}$/, "Process type names use letters, digits, - and _."), z.string().min(1).max(4096))
  .refine((p) => Object.keys(p).length > 0, "Give at least one process type.");

export const releasesRouter = router({
  list: appProcedure("releases:list")
    .input(z.object({ limit: z.number().int().min(1).max(200).default(50) }))
    .query(({ ctx, input }) => listReleases({ appId: ctx.app.id, limit: input.limit })),
  /** Heroku's rollback: a new release with vN's image and config. */
  rollback: appProcedure("releases:rollback")
    .input(z.object({ version: z.number().int().positive() }))
    .mutation(({ ctx, input }) => rollbackRelease({ appId: ctx.app.id, userId: ctx.userId, version: input.version })),
  /** Deploys an image already on the Engine (like `heroku container:release`). */
  deployImage: appProcedure("code:deploy")
    .input(z.object({ image: z.string().min(1).max(256), processTypes: processTypesSchema }))
    .mutation(async ({ ctx, input }) => {
      if (!(await imageExists(input.image))) {
        throw new AppError("BAD_REQUEST", `No image ${input.image} on this platform's Docker Engine (images must be built here).`, {
          fieldErrors: { image: "Image not found." },
        });
      }
      return releaseImage({
        appId: ctx.app.id,
        userId: ctx.userId,
        imageTag: input.image,
        processTypes: input.processTypes,
        description: `Deploy ${input.image}`,
      });
    }),
});
