import "server-only";
import { z } from "zod";
import { getDrainManager } from "@/server/logs/drain-manager";
import { addDrain, listDrains, removeDrain } from "@/server/services/log-drains";
import { appProcedure, router } from "@/server/trpc/procedures";

// The log lines themselves stream over SSE (app/api/apps/[app]/logs); this is the drains.
export const logsRouter = router({
  drains: appProcedure("drains:list").query(async ({ ctx }) => {
    const manager = getDrainManager();
    return (await listDrains(ctx.app.id)).map((d) => ({ ...d, status: manager?.status(d.id) ?? null }));
  }),
  addDrain: appProcedure("drains:write")
    .input(z.object({ url: z.string().min(1, "Enter the drain's URL.").max(2000) }))
    .mutation(({ ctx, input }) => addDrain({ appId: ctx.app.id, url: input.url })),
  removeDrain: appProcedure("drains:write")
    .input(z.object({ id: z.string().min(1).max(2000) }))
    .mutation(({ ctx, input }) => removeDrain({ appId: ctx.app.id, drain: input.id })),
});
