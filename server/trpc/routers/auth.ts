import "server-only";
import { z } from "zod";
import { emailSchema, passwordSchema, signUp } from "@/server/services/users";
import { publicProcedure, router } from "@/server/trpc/procedures";

export const authRouter = router({
  /** Answers the same whether or not the email already had an account (server/services/users.ts). */
  signUp: publicProcedure
    .input(z.object({ email: emailSchema, password: passwordSchema, name: z.string().trim().max(100).optional() }))
    .mutation(({ ctx, input }) => signUp({ ...input, ip: ctx.ip ?? null })),
});
