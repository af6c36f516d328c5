// GET an app's audit trail as JSON lines (a download). Session or API key; needs the app's
// activity:list (view). Query: kind, via, actor, q — the Activity tab's filters.
import { identify } from "@/server/auth/identity";
import { AppError, errorResponse } from "@/server/errors";
import { findAppForUser } from "@/server/services/access";
import { activityDownload } from "@/server/services/activity-export";

export const dynamic = "force-dynamic";

export async function GET(req: Request, { params }: { params: Promise<{ app: string }> }) {
  const identity = await identify(req.headers);
  if (!identity) return errorResponse(new AppError("UNAUTHORIZED", "Sign in first."));
  try {
    const app = await findAppForUser({ userId: identity.userId, app: (await params).app, operation: "activity:list" });
    return activityDownload({ scope: { appId: app.id }, params: new URL(req.url).searchParams, name: app.name });
  } catch (err) {
    return errorResponse(err);
  }
}
