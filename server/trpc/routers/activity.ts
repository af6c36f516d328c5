import "server-only";
import { z } from "zod";
import { activityPageSchema, listActivity } from "@/server/services/activity-query";
import { getTeamForMember } from "@/server/services/teams";
import { appProcedure, protectedProcedure, router } from "@/server/trpc/procedures";

/** A member of the team named in `input.team`, any role (viewers read the audit trail too); other teams are NOT_FOUND. */
const teamMemberProcedure = protectedProcedure.input(z.object({ team: z.string().min(1).max(64) })).use(async ({ ctx, input, next }) => {
  const team = await getTeamForMember({ userId: ctx.userId, teamName: (input as { team: string }).team });
  return next({ ctx: { ...ctx, team } });
});

export const activityRouter = router({
  /** The app's audit trail, newest first, a page at a time. */
  app: appProcedure("activity:list")
    .input(activityPageSchema)
    .query(({ ctx, input: { cursor, limit, app: _app, ...filters } }) => listActivity({ scope: { appId: ctx.app.id }, filters, cursor, limit })),
  /** Everything recorded on the team and its apps. */
  team: teamMemberProcedure
    .input(activityPageSchema)
    .query(({ ctx, input: { cursor, limit, team: _team, ...filters } }) => listActivity({ scope: { teamId: ctx.team.id }, filters, cursor, limit })),
});
