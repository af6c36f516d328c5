import "server-only";
import { on } from "node:events";
import { z } from "zod";
import { addonBus, type AddonChange } from "@/server/addons/events";
import { whileAllowed } from "@/server/security/access-watch";
import { addonStatus, createAddon, destroyAddon, listAddonServices, listAddonsForApp } from "@/server/services/addons";
import { addonProcedure, billingAddonProcedure } from "@/server/trpc/addon-procedures";
import { appProcedure, protectedProcedure } from "@/server/trpc/procedures";

export const lifecycleProcedures = {
  /** The marketplace: services, plans and their limits. */
  services: protectedProcedure.query(() => listAddonServices()),
  list: appProcedure("addons:list").query(({ ctx }) => listAddonsForApp(ctx.app.id)),
  get: addonProcedure("addons:list").query(({ ctx }) => ctx.addon),
  /** Container state, health, connections, size: polled by the add-on page. */
  status: addonProcedure("addons:list").query(({ ctx }) => addonStatus(ctx.addon.id)),
  create: appProcedure("addons:create")
    .input(z.object({ service: z.string().min(1).max(100), plan: z.string().max(60).nullish(), as: z.string().max(60).nullish(), name: z.string().max(63).nullish() }))
    .mutation(({ ctx, input }) => createAddon({ appId: ctx.app.id, userId: ctx.userId, service: input.service, plan: input.plan, as: input.as, name: input.name })),
  destroy: billingAddonProcedure("addons:destroy")
    .input(z.object({ confirm: z.string().max(100) }))
    .mutation(({ ctx, input }) => destroyAddon({ addonId: ctx.addon.id, userId: ctx.userId, confirm: input.confirm })),
  /** Yields when an add-on of the app changes (state, step, attachments, backups); clients refetch. Ends with the caller's access. */
  watch: appProcedure("addons:list").subscription(async function* ({ ctx, signal }) {
    const holder = { userId: ctx.userId, appId: ctx.app.id, operation: "addons:list", keyId: ctx.identity?.keyId, signal } as const;
    for await (const [change] of whileAllowed(holder, (s) => on(addonBus, "change", { signal: s }) as AsyncIterable<[AddonChange]>)) {
      if (change.appIds.includes(ctx.app.id)) yield change;
    }
  }),
};
