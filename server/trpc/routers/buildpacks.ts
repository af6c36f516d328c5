import "server-only";
import { z } from "zod";
import { purgeBuildCache } from "@/server/services/build-cache";
import { listBuildpacks, setBuildpacks } from "@/server/services/buildpacks";
import { appProcedure, router } from "@/server/trpc/procedures";

// The Settings tab's Buildpacks card: the app's own buildpacks (empty = detect), what the
// last build used, and the build cache. The same services as the CLI's doors.
export const buildpacksRouter = router({
  list: appProcedure("buildpacks:list").query(({ ctx }) => listBuildpacks(ctx.app.id)),
  /** The whole ordered list (registry names); [] goes back to detection. */
  set: appProcedure("buildpacks:write")
    .input(z.object({ buildpacks: z.array(z.string().min(1).max(200)).max(10) }))
    .mutation(async ({ ctx, input }) => ({ installed: await setBuildpacks({ appId: ctx.app.id, userId: ctx.userId, buildpacks: input.buildpacks }) })),
  purgeCache: appProcedure("builds:cache_purge").mutation(({ ctx }) => purgeBuildCache({ appId: ctx.app.id, userId: ctx.userId })),
});
