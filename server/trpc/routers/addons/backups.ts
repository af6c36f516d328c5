import "server-only";
import { z } from "zod";
import { captureBackup, listBackups, restoreBackup } from "@/server/services/addon-backups";
import { addonProcedure, billingAddonProcedure } from "@/server/trpc/addon-procedures";
import { router } from "@/server/trpc/procedures";

const backupInput = z.object({ backup: z.string().regex(/^b?\d{1,6}$/i, "A backup is named like b001.") });

export const backupsRouter = router({
  list: addonProcedure("backups:list").query(({ ctx }) => listBackups(ctx.addon.id)),
  /** Starts pg_dump; the row comes back at once (running) and `watch` tells when it is done. */
  capture: addonProcedure("backups:capture").mutation(async ({ ctx }) => (await captureBackup({ addonId: ctx.addon.id })).backup),
  /** Overwrites the database: only from the billing app, with "manage" (as destroying). */
  restore: billingAddonProcedure("backups:restore")
    .input(backupInput)
    .mutation(({ ctx, input }) => restoreBackup({ addonId: ctx.addon.id, backup: input.backup })),
});
