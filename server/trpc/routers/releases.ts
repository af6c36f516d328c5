import "server-only";
import { z } from "zod";
import { deployImage, rollbackRelease } from "@/server/services/deploys";
import { listReleases } from "@/server/services/releases";
import { appProcedure, router } from "@/server/trpc/procedures";

const processTypesSchema = z
  .record(z.string().regex(/^[a-zA-Z0-9_-]{1,30}$/, "Process type names use letters, digits, - and _."), z.string().min(1).max(4096))
  .refine((p) => Object.keys(p).length > 0, "Give at least one process type.");

// A name, a name:tag, a digest or an id; nothing that could walk the Engine's URL space.
const imageRefSchema = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._\-/:@]*$/, "Give an image name, name:tag or id.")
  .refine((s) => !s.includes(".."), "Give an image name, name:tag or id.");

export const releasesRouter = router({
  list: appProcedure("releases:list")
    .input(z.object({ limit: z.number().int().min(1).max(200).default(50) }))
    .query(({ ctx, input }) => listReleases({ appId: ctx.app.id, limit: input.limit })),
  /** Heroku's rollback: a new release with vN's image and config. */
  rollback: appProcedure("releases:rollback")
    .input(z.object({ version: z.number().int().positive() }))
    .mutation(({ ctx, input }) => rollbackRelease({ appId: ctx.app.id, userId: ctx.userId, version: input.version })),
  /** Deploys an image already on the Engine (like `heroku container:release`): one built for this app, or a shared one. */
  deployImage: appProcedure("code:deploy")
    .input(z.object({ image: imageRefSchema, processTypes: processTypesSchema }))
    .mutation(({ ctx, input }) => deployImage({ appId: ctx.app.id, userId: ctx.userId, image: input.image, processTypes: input.processTypes })),
});
