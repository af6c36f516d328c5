import "server-only";
import { z } from "zod";
import { setAppMaintenance } from "@/server/services/apps";
import { addDomain, listDomains, removeDomain } from "@/server/services/domains";
import { appProcedure, router } from "@/server/trpc/procedures";

export const domainsRouter = router({
  list: appProcedure("domains:list").query(({ ctx }) => listDomains(ctx.app)),
  add: appProcedure("domains:write")
    .input(z.object({ hostname: z.string().max(300) }))
    .mutation(({ ctx, input }) => addDomain({ appId: ctx.app.id, hostname: input.hostname })),
  remove: appProcedure("domains:write")
    .input(z.object({ hostname: z.string().min(1).max(300) }))
    .mutation(({ ctx, input }) => removeDomain({ appId: ctx.app.id, hostname: input.hostname })),
  /** Maintenance mode: the router answers 503 with a maintenance page (H80). */
  setMaintenance: appProcedure("app:maintenance")
    .input(z.object({ maintenance: z.boolean() }))
    .mutation(({ ctx, input }) => setAppMaintenance({ appId: ctx.app.id, userId: ctx.userId, maintenance: input.maintenance })),
});
