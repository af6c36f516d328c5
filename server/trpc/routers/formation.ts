import "server-only";
import { on } from "node:events";
import { z } from "zod";
import { bus, type DynoStateChange } from "@/server/runtime/events";
import { DYNO_SIZES } from "@/server/runtime/sizes";
import { whileAllowed } from "@/server/security/access-watch";
import { listDynos, listFormation, restartDynos, stopDyno, updateFormation } from "@/server/services/formation";
import { getStandbyPool, MAX_STANDBY_DYNOS, setStandbyPool } from "@/server/services/standby";
import { appProcedure, publicProcedure, router } from "@/server/trpc/procedures";

export const formationRouter = router({
  sizes: publicProcedure.query(() => DYNO_SIZES),
  list: appProcedure("formation:list").query(({ ctx }) => listFormation(ctx.app.id)),
  update: appProcedure("formation:scale")
    .input(
      z.object({
        updates: z
          .array(z.object({ type: z.string().min(1).max(64), quantity: z.number().int().min(0).max(1000).optional(), size: z.string().max(32).optional() }))
          .min(1)
          .max(20),
      }),
    )
    .mutation(({ ctx, input }) => updateFormation({ appId: ctx.app.id, updates: input.updates })),
  /** The standby pool: its size setting, how many are ready and the memory they hold. */
  standby: appProcedure("formation:list").query(({ ctx }) => getStandbyPool(ctx.app.id)),
  setStandby: appProcedure("formation:scale")
    .input(z.object({ size: z.number().int().min(0).max(MAX_STANDBY_DYNOS) }))
    .mutation(({ ctx, input }) => setStandbyPool({ appId: ctx.app.id, size: input.size })),
});

export const dynosRouter = router({
  list: appProcedure("dynos:list").query(({ ctx }) => listDynos(ctx.app.id)),
  /**
   * Yields whenever one of the app's dynos changes state, once its row says so; clients
   * refetch the list. Ends when the caller's access to the app does.
   */
  watch: appProcedure("dynos:list").subscription(async function* ({ ctx, signal }) {
    const holder = { userId: ctx.userId, appId: ctx.app.id, operation: "dynos:list", keyId: ctx.identity?.keyId, signal } as const;
    for await (const [change] of whileAllowed(holder, (s) => on(bus, "dynoRows", { signal: s }) as AsyncIterable<[DynoStateChange]>)) {
      if (change.appId === ctx.app.id) yield change;
    }
  }),
  restart: appProcedure("dynos:restart")
    .input(z.object({ type: z.string().max(64).nullish(), dyno: z.string().max(64).nullish() }))
    .mutation(({ ctx, input }) => restartDynos({ appId: ctx.app.id, type: input.type, dyno: input.dyno })),
  stop: appProcedure("dynos:stop")
    .input(z.object({ dyno: z.string().min(1).max(64) }))
    .mutation(({ ctx, input }) => stopDyno({ appId: ctx.app.id, dyno: input.dyno })),
});
