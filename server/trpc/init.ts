import "server-only";
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { ZodError } from "zod";
import { AppError, ERROR_TABLE } from "@/server/errors";
import type { InstallationOperation, Operation, PipelineOperation, TeamRole } from "@/server/auth/permissions";
import type { Context } from "@/server/trpc/context";

/** Procedure meta: the operation an app procedure performs (server/auth/permissions.ts). */
export type Meta = { operation?: Operation; teamRole?: TeamRole; installationOperation?: InstallationOperation; pipelineOperation?: PipelineOperation };

export const t = initTRPC.context<Context>().meta<Meta>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    const fieldErrors =
      cause instanceof AppError
        ? (cause.details?.fieldErrors ?? null)
        : cause instanceof ZodError
          ? Object.fromEntries(cause.issues.map((i) => [i.path.join("."), i.message]))
          : null;
    // Only our own messages reach clients; a raw Prisma/Docker error becomes generic.
    const message =
      error.code === "INTERNAL_SERVER_ERROR" && !(cause instanceof AppError) ? "Something went wrong on our side." : shape.message;
    return { ...shape, message, data: { ...shape.data, stack: undefined, fieldErrors } };
  },
});

/** Maps AppError codes to tRPC codes (one table: server/errors.ts). */
export const mapAppErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof AppError) {
    const cause = result.error.cause;
    throw new TRPCError({ code: ERROR_TABLE[cause.code].trpc, message: cause.message, cause });
  }
  if (!result.ok && result.error.code === "INTERNAL_SERVER_ERROR") {
    console.error("[trpc] internal error:", result.error.cause ?? result.error);
  }
  return result;
});
