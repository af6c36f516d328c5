import "server-only";
import { z } from "zod";
import { signOutEverywhere } from "@/server/auth/sessions";
import { createApiKey, listApiKeys, revokeApiKey } from "@/server/services/api-keys";
import { getUser } from "@/server/services/users";
import { protectedProcedure, router } from "@/server/trpc/procedures";

export const accountRouter = router({
  me: protectedProcedure.query(({ ctx }) => getUser(ctx.userId)),
  /** Ends every dashboard session of the caller, this one too (API keys are revoked one by one). */
  signOutEverywhere: protectedProcedure.mutation(({ ctx }) => signOutEverywhere(ctx.userId)),
  apiKeys: router({
    list: protectedProcedure.query(({ ctx }) => listApiKeys(ctx.userId)),
    create: protectedProcedure
      .input(z.object({ description: z.string().trim().max(100).default(""), expiresInDays: z.number().int().min(1).max(3650).nullish() }))
      .mutation(({ ctx, input }) => createApiKey({ userId: ctx.userId, ...input })),
    revoke: protectedProcedure
      .input(z.object({ keyId: z.string().uuid() }))
      .mutation(({ ctx, input }) => revokeApiKey({ userId: ctx.userId, keyId: input.keyId })),
  }),
});
