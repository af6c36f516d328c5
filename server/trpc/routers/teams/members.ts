import "server-only";
import { z } from "zod";
import { addTeamMember, leaveTeam, listTeamMembers, removeTeamMember, setTeamMemberRole } from "@/server/services/teams";
import { emailSchema } from "@/server/services/users";
import { router } from "@/server/trpc/procedures";
import { roleSchema, teamProcedure } from "@/server/trpc/routers/teams/procedure";

export const membersRouter = router({
  list: teamProcedure("viewer").query(({ ctx }) => listTeamMembers(ctx.team.id)),
  add: teamProcedure("admin")
    .input(z.object({ email: emailSchema, role: roleSchema.default("member") }))
    .mutation(({ ctx, input }) => addTeamMember({ teamId: ctx.team.id, email: input.email, role: input.role })),
  setRole: teamProcedure("admin")
    .input(z.object({ email: emailSchema, role: roleSchema }))
    .mutation(({ ctx, input }) => setTeamMemberRole({ teamId: ctx.team.id, email: input.email, role: input.role })),
  remove: teamProcedure("admin")
    .input(z.object({ email: emailSchema }))
    .mutation(({ ctx, input }) => removeTeamMember({ teamId: ctx.team.id, email: input.email })),
  /** Any member may remove themselves (the last admin may not). */
  leave: teamProcedure("viewer").mutation(({ ctx }) => leaveTeam({ teamId: ctx.team.id, userId: ctx.userId })),
});
