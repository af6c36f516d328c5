import "server-only";
// Heroku's `app[api]` lines: what a person did to the app (releases, config changes,
// scaling), named by email. Values of config vars never appear, only their names.
import { db } from "@/server/db";
import { platformLog } from "@/server/runtime/events";

export async function apiLog(appId: string, userId: string | null, message: string) {
  platformLog(appId, null, `${message} by user ${await userEmail(userId)}`, "app[api]");
}

async function userEmail(userId: string | null) {
  if (!userId) return "slipway";
  return (await db.user.findUnique({ where: { id: userId }, select: { email: true } }))?.email ?? "a former user";
}
