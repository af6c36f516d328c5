// GET a PostgreSQL backup's pg_dump file (custom format: restore it with pg_restore).
// Session or API key; needs deploy access to an app the add-on is billed or attached to.
import { Readable } from "node:stream";
import { identify } from "@/server/auth/identity";
import { AppError, errorResponse, toAppError } from "@/server/errors";
import { findAppForUser } from "@/server/services/access";
import { openBackup } from "@/server/services/addon-backups";
import { findAddonForApp } from "@/server/services/addons";

export const dynamic = "force-dynamic";

function error(err: unknown) {
  const e = toAppError(err);
  if (e.code === "INTERNAL") console.error("[backups] download failed:", e.details?.cause ?? err);
  return errorResponse(e);
}

export async function GET(req: Request, { params }: { params: Promise<{ app: string; addon: string; backup: string }> }) {
  const identity = await identify(req.headers);
  if (!identity) return error(new AppError("UNAUTHORIZED", "Sign in first."));
  try {
    const p = await params;
    const app = await findAppForUser({ userId: identity.userId, app: p.app, operation: "backups:download" });
    const addon = await findAddonForApp({ appId: app.id, addon: p.addon });
    const { backup, stream } = await openBackup({ addonId: addon.id, backup: p.backup });
    return new Response(Readable.toWeb(stream()) as ReadableStream, {
      headers: {
        "Content-Type": "application/octet-stream",
        "Content-Length": String(backup.sizeBytes ?? ""),
        "Content-Disposition": `attachment; filename="${addon.name}-${backup.name}.dump"`,
        "Cache-Control": "no-store",
      },
    });
  } catch (err) {
    return error(err);
  }
}
