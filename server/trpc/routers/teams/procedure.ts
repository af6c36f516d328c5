import "server-only";
import { z } from "zod";
import type { TeamRole } from "@/server/auth/permissions";
import { requireTeamRole } from "@/server/services/teams";
import { protectedProcedure } from "@/server/trpc/procedures";

export const teamInput = z.object({ team: z.string().min(1).max(64) });

/**
 * Loads the team named in `input.team` if the caller holds at least `minRole` there and
 * puts it (with the caller's role) on ctx: teams they are not in are NOT_FOUND, a role too
 * low is FORBIDDEN. Handlers never compare roles. The role is kept as the procedure's meta
 * for the authorization matrix test.
 */
export function teamProcedure(minRole: TeamRole) {
  return protectedProcedure
    .meta({ teamRole: minRole })
    .input(teamInput)
    .use(async ({ ctx, input, next }) => {
      const team = await requireTeamRole({ userId: ctx.userId, teamName: (input as { team: string }).team, minRole });
      return next({ ctx: { ...ctx, team } });
    });
}

export const roleSchema = z.enum(["admin", "member", "viewer"], { message: "Choose admin, member or viewer." });
