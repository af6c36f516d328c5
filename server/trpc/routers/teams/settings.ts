import "server-only";
import { z } from "zod";
import { PERMISSIONS } from "@/server/auth/permissions";
import { deleteTeam, setTeamDefaultPermissions } from "@/server/services/teams";
import { router } from "@/server/trpc/procedures";
import { teamProcedure } from "@/server/trpc/routers/teams/procedure";

export const settingsRouter = router({
  setDefaultPermissions: teamProcedure("admin")
    .input(z.object({ permissions: z.array(z.enum(PERMISSIONS)).max(PERMISSIONS.length) }))
    .mutation(({ ctx, input }) => setTeamDefaultPermissions({ teamId: ctx.team.id, permissions: input.permissions })),
  delete: teamProcedure("admin")
    .input(z.object({ confirm: z.string().max(64) }))
    .mutation(({ ctx, input }) => deleteTeam({ teamId: ctx.team.id, confirm: input.confirm })),
});
