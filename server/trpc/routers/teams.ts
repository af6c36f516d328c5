import "server-only";
import { z } from "zod";
import { addTeamMember, createTeam, getTeamForMember, listTeamMembers, listTeams } from "@/server/services/teams";
import { emailSchema } from "@/server/services/users";
import { protectedProcedure, router } from "@/server/trpc/procedures";

const teamInput = z.object({ team: z.string().min(1).max(64) });

export const teamsRouter = router({
  list: protectedProcedure.query(({ ctx }) => listTeams(ctx.userId)),
  create: protectedProcedure
    .input(z.object({ name: z.string() }))
    .mutation(({ ctx, input }) => createTeam({ userId: ctx.userId, name: input.name })),
  get: protectedProcedure.input(teamInput).query(async ({ ctx, input }) => {
    const team = await getTeamForMember({ userId: ctx.userId, teamName: input.team });
    return { ...team, members: await listTeamMembers(team.id) };
  }),
  addMember: protectedProcedure.input(teamInput.extend({ email: emailSchema })).mutation(async ({ ctx, input }) => {
    const team = await getTeamForMember({ userId: ctx.userId, teamName: input.team });
    return addTeamMember({ teamId: team.id, actorRole: team.role, email: input.email });
  }),
});
