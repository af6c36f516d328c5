import "server-only";
import { quotasForApp } from "@/server/services/quotas";
import { appProcedure, router } from "@/server/trpc/procedures";

// What the app's owner (and the installation) may still reserve: shown beside the scale
// slider and in the add-on dialog. The limits themselves are enforced in the services.
export const quotasRouter = router({
  forApp: appProcedure("formation:list").query(({ ctx }) => quotasForApp(ctx.app.id)),
});
