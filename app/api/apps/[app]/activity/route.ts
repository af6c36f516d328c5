// GET an app's audit trail as JSON lines (a download). Session or API key; needs the app's
// activity:list (view). Query: kind, via, actor, q — the Activity tab's filters.
import { withApp } from "@/server/http/with-app";
import { activityDownload } from "@/server/services/activity-export";

export const dynamic = "force-dynamic";

export const GET = withApp("activity:list", ({ req, app }) =>
  activityDownload({ scope: { appId: app.id }, params: new URL(req.url).searchParams, name: app.name }),
);
