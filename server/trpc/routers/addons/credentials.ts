import "server-only";
import { revealAddonCredentials, rotateAddonCredentials } from "@/server/services/addons";
import { addonProcedure } from "@/server/trpc/addon-procedures";

// Secrets leave the server only when revealed, and need "deploy" as config values do.
export const credentialProcedures = {
  credentials: addonProcedure("addons:credentials").query(({ ctx }) => revealAddonCredentials(ctx.addon.id)),
  rotate: addonProcedure("addons:credentials").mutation(({ ctx }) => rotateAddonCredentials({ addonId: ctx.addon.id, userId: ctx.userId })),
};
