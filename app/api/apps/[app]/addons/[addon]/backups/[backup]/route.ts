// GET a PostgreSQL backup's pg_dump file (custom format: restore it with pg_restore).
// Session or API key; needs deploy access to an app the add-on is billed or attached to.
import { Readable } from "node:stream";
import { withApp } from "@/server/http/with-app";
import { openBackup } from "@/server/services/addon-backups";
import { findAddonForApp } from "@/server/services/addons";

export const dynamic = "force-dynamic";

export const GET = withApp<{ app: string; addon: string; backup: string }>("backups:download", async ({ app, params }) => {
  const addon = await findAddonForApp({ appId: app.id, addon: params.addon });
  const { backup, stream } = await openBackup({ addonId: addon.id, backup: params.backup });
  return new Response(Readable.toWeb(stream()) as ReadableStream, {
    headers: {
      "Content-Type": "application/octet-stream",
      "Content-Length": String(backup.sizeBytes ?? ""),
      "Content-Disposition": `attachment; filename="${addon.name}-${backup.name}.dump"`,
      "Cache-Control": "no-store",
    },
  });
});
