import "server-only";
import { activityPageSchema, listActivity } from "@/server/services/activity-query";
import { appProcedure, router } from "@/server/trpc/procedures";
import { teamProcedure } from "@/server/trpc/routers/teams/procedure";

export const activityRouter = router({
  /** The app's audit trail, newest first, a page at a time. */
  app: appProcedure("activity:list")
    .input(activityPageSchema)
    .query(({ ctx, input: { cursor, limit, app: _app, ...filters } }) => listActivity({ scope: { appId: ctx.app.id }, filters, cursor, limit })),
  /** Everything recorded on the team and its apps: any member, viewers too; other teams are NOT_FOUND. */
  team: teamProcedure("viewer")
    .input(activityPageSchema)
    .query(({ ctx, input: { cursor, limit, team: _team, ...filters } }) => listActivity({ scope: { teamId: ctx.team.id }, filters, cursor, limit })),
});
