import "server-only";
import { router } from "@/server/trpc/procedures";
import { attachmentProcedures } from "@/server/trpc/routers/addons/attachments";
import { backupsRouter } from "@/server/trpc/routers/addons/backups";
import { credentialProcedures } from "@/server/trpc/routers/addons/credentials";
import { lifecycleProcedures } from "@/server/trpc/routers/addons/lifecycle";

// Add-ons: one router, its procedures grouped by concern in this folder.
export const addonsRouter = router({
  ...lifecycleProcedures,
  ...attachmentProcedures,
  ...credentialProcedures,
  backups: backupsRouter,
});
