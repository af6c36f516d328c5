import "server-only";
import { z } from "zod";
import { createUser, emailSchema, passwordSchema } from "@/server/services/users";
import { publicProcedure, router } from "@/server/trpc/procedures";

export const authRouter = router({
  signUp: publicProcedure
    .input(z.object({ email: emailSchema, password: passwordSchema, name: z.string().trim().max(100).optional() }))
    .mutation(({ input }) => createUser(input)),
});
