import "server-only";
import { z } from "zod";
import { acceptInvitation, createInvitation, listPendingInvitations, previewInvitation, revokeInvitation, signUpWithInvitation } from "@/server/services/invitations";
import { emailSchema, passwordSchema } from "@/server/services/users";
import { protectedProcedure, publicProcedure, router } from "@/server/trpc/procedures";
import { roleSchema, teamProcedure } from "@/server/trpc/routers/teams/procedure";

// The link's token is the only credential of the public procedures: it names one pending
// invitation, for one email, and works once.
const tokenInput = z.object({ token: z.string().min(20).max(200) });

export const invitationsRouter = router({
  list: teamProcedure("admin").query(({ ctx }) => listPendingInvitations(ctx.team.id)),
  create: teamProcedure("admin")
    .input(z.object({ email: emailSchema, role: roleSchema.default("member") }))
    .mutation(async ({ ctx, input }) => {
      const { invitation, url } = await createInvitation({ teamId: ctx.team.id, email: input.email, role: input.role, invitedById: ctx.userId });
      return { ...invitation, url };
    }),
  revoke: teamProcedure("admin")
    .input(z.object({ invitation: z.string().min(1).max(200) }))
    .mutation(({ ctx, input }) => revokeInvitation({ teamId: ctx.team.id, invitation: input.invitation })),
  preview: publicProcedure.input(tokenInput).query(({ input }) => previewInvitation(input.token)),
  accept: protectedProcedure.input(tokenInput).mutation(({ ctx, input }) => acceptInvitation({ token: input.token, userId: ctx.userId })),
  signUp: publicProcedure
    .input(tokenInput.extend({ password: passwordSchema, name: z.string().trim().max(100).optional() }))
    .mutation(({ input }) => signUpWithInvitation(input)),
});
