import "server-only";
import { db } from "@/server/db";
import { AppError } from "@/server/errors";

// What a caller may do on an app. Personal apps: the owner may do everything,
// collaborators everything but "manage" (rename, destroy, transfer). Team apps: team
// admins everything, members everything but "manage".
export type Permission = "view" | "deploy" | "operate" | "manage";

export const appSelect = {
  id: true,
  name: true,
  region: true,
  stack: true,
  maintenance: true,
  createdAt: true,
  updatedAt: true,
  releasedAt: true,
  slugSize: true,
  repoSize: true,
  ownerId: true,
  teamId: true,
  owner: { select: { id: true, email: true } },
  team: { select: { id: true, name: true } },
} as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Loads an app by name or id if the user may act on it; otherwise NOT_FOUND (never FORBIDDEN for apps they cannot see). */
export async function findAppForUser(input: { userId: string; app: string; permission: Permission }) {
  const where = UUID.test(input.app) ? { id: input.app } : { name: input.app };
  const app = await db.app.findFirst({
    where: {
      ...where,
      OR: [
        { ownerId: input.userId },
        { collaborators: { some: { userId: input.userId } } },
        { team: { members: { some: { userId: input.userId } } } },
      ],
    },
    select: {
      ...appSelect,
      collaborators: { where: { userId: input.userId }, select: { role: true } },
      team: { select: { id: true, name: true, members: { where: { userId: input.userId }, select: { role: true } } } },
    },
  });
  if (!app) throw new AppError("NOT_FOUND", `Couldn't find that app.`, { resource: "app" });
  const isOwner = app.ownerId === input.userId || app.team?.members[0]?.role === "admin";
  if (input.permission === "manage" && !isOwner) {
    throw new AppError("FORBIDDEN", "Only the app's owner or a team admin can do that.");
  }
  const { collaborators: _c, team, ...rest } = app;
  return { ...rest, team: team ? { id: team.id, name: team.name } : null, isOwner };
}

export type AccessibleApp = Awaited<ReturnType<typeof findAppForUser>>;

/** Users added to a personal app (team apps get their access from team membership). */
export function listCollaborators(appId: string) {
  return db.collaborator.findMany({
    where: { appId },
    orderBy: { createdAt: "asc" },
    select: { id: true, role: true, createdAt: true, user: { select: { id: true, email: true } } },
  });
}
