import "server-only";
import { z } from "zod";
import { createTeam, listTeams } from "@/server/services/teams";
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
  /** The team and the caller's role in it. */
  get: teamProcedure("viewer").query(({ ctx }) => ctx.team),
  members: membersRouter,
  invitations: invitationsRouter,
  settings: settingsRouter,
});
