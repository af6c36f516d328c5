import "server-only";
import { z } from "zod";
import { countTeamApps, createTeam, listTeams } from "@/server/services/teams";
import { protectedProcedure, router } from "@/server/trpc/procedures";
import { invitationsRouter } from "@/server/trpc/routers/teams/invitations";
import { membersRouter } from "@/server/trpc/routers/teams/members";
import { teamProcedure } from "@/server/trpc/routers/teams/procedure";
import { settingsRouter } from "@/server/trpc/routers/teams/settings";

export const teamsRouter = router({
  list: protectedProcedure.query(({ ctx }) => listTeams(ctx.userId)),
  create: protectedProcedure
    .input(z.object({ name: z.string() }))
    .mutation(({ ctx, input }) => createTeam({ userId: ctx.userId, name: input.name })),
  /** The team, the caller's role in it, and how many apps it owns (deleting it needs none). */
  get: teamProcedure("viewer").query(async ({ ctx }) => ({ ...ctx.team, appCount: await countTeamApps(ctx.team.id) })),
  members: membersRouter,
  invitations: invitationsRouter,
  settings: settingsRouter,
});
