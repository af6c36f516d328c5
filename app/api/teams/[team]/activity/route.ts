// GET a team's audit trail as JSON lines (a download). Session or API key; any member of
// the team (viewers too). Query: kind, via, actor, q — the team page's filters.
import { identify } from "@/server/auth/identity";
import { AppError, errorResponse } from "@/server/errors";
import { activityDownload } from "@/server/services/activity-export";
import { getTeamForMember } from "@/server/services/teams";

export const dynamic = "force-dynamic";

export async function GET(req: Request, { params }: { params: Promise<{ team: string }> }) {
  const identity = await identify(req.headers);
  if (!identity) return errorResponse(new AppError("UNAUTHORIZED", "Sign in first."));
  try {
    const team = await getTeamForMember({ userId: identity.userId, teamName: (await params).team });
    return activityDownload({ scope: { teamId: team.id }, params: new URL(req.url).searchParams, name: team.name });
  } catch (err) {
    return errorResponse(err);
  }
}
