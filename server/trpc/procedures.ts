import "server-only";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { findAppForUser, type Permission } from "@/server/services/access";
import { mapAppErrors, t } from "@/server/trpc/init";

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

export const publicProcedure = t.procedure.use(mapAppErrors);

/** A signed-in user (session cookie or API key). */
export const protectedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.identity) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in first." });
  return next({ ctx: { ...ctx, userId: ctx.identity.userId } });
});

export const appInput = z.object({ app: z.string().min(1).max(64) });

/**
 * Loads the app named (or id'd) in `input.app`, checks the caller's permission and puts
 * it on ctx. Apps the caller cannot see are NOT_FOUND. Handlers never check access.
 */
export function appProcedure(permission: Permission) {
  return protectedProcedure.input(appInput).use(async ({ ctx, input, next }) => {
    const app = await findAppForUser({ userId: ctx.userId, app: (input as { app: string }).app, permission });
    return next({ ctx: { ...ctx, app } });
  });
}
