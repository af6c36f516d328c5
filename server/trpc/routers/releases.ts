import "server-only";
import { z } from "zod";
import { listReleases } from "@/server/services/releases";
import { appProcedure, router } from "@/server/trpc/procedures";

export const releasesRouter = router({
  list: appProcedure("view")
    .input(z.object({ limit: z.number().int().min(1).max(200).default(50) }))
    .query(({ ctx, input }) => listReleases({ appId: ctx.app.id, limit: input.limit })),
});
