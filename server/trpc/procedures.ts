import "server-only";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { withOrigin } from "@/server/audit/origin";
import { allowsInstallation, INSTALLATION_OPERATIONS, type InstallationOperation } from "@/server/auth/permissions";
import { db } from "@/server/db";
import { findAppForUser, type Operation } from "@/server/services/access";
import { mapAppErrors, t } from "@/server/trpc/init";

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Every procedure runs with its origin (who, dashboard or API key, from where) for the audit trail. */
const recordOrigin = t.middleware(({ ctx, next }) =>
  withOrigin({ userId: ctx.identity?.userId ?? null, via: ctx.identity?.via === "api_key" ? "api" : "dashboard", ip: ctx.ip ?? null }, () => next()),
);

export const publicProcedure = t.procedure.use(mapAppErrors).use(recordOrigin);

/** A signed-in user (session cookie or API key). */
export const protectedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.identity) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in first." });
  return next({ ctx: { ...ctx, userId: ctx.identity.userId } });
});

export const appInput = z.object({ app: z.string().min(1).max(64) });

/**
 * Loads the app named (or id'd) in `input.app`, checks that the caller may perform
 * `operation` there (server/auth/permissions.ts says which permission that takes) and puts
 * it on ctx. Apps the caller cannot see are NOT_FOUND. Handlers never check access. The
 * operation is kept as the procedure's meta, so the authorization matrix test can read it.
 */
export function appProcedure(operation: Operation) {
  return protectedProcedure.meta({ operation }).input(appInput).use(async ({ ctx, input, next }) => {
    const app = await findAppForUser({ userId: ctx.userId, app: (input as { app: string }).app, operation });
    return next({ ctx: { ...ctx, app } });
  });
}

/**
 * An installation-wide operation (server/auth/permissions.ts: INSTALLATION_OPERATIONS):
 * installation admins only, everyone else FORBIDDEN. The check runs before the procedure's
 * own input is parsed; the operation is kept as meta for the authorization matrix.
 */
export function installationProcedure(operation: InstallationOperation) {
  return protectedProcedure.meta({ installationOperation: operation }).use(async ({ ctx, next }) => {
    const user = await db.user.findUnique({ where: { id: ctx.userId }, select: { isAdmin: true } });
    if (!allowsInstallation(user, operation)) {
      throw new TRPCError({ code: "FORBIDDEN", message: `Only the installation's admins can ${INSTALLATION_OPERATIONS[operation]}.` });
    }
    return next();
  });
}
