import "server-only";
import { z } from "zod";
import { db, type Prisma } from "@/server/db";
import { AppError } from "@/server/errors";
import { findAppForUser } from "@/server/services/access";
import { kindPrefixes, VIAS } from "@/server/services/activity-kinds";
import { getTeamForMember } from "@/server/services/teams";

// Reading the audit trail: one app's events or one team's, newest first, filtered and
// searched, a page at a time. The cursor is the last row's (createdAt, id), so a page
// never shifts when newer events arrive while someone is reading.

export const activityFiltersSchema = z.object({
  /** A category (server/services/activity-kinds.ts) or a dotted kind prefix. */
  kind: z.string().trim().max(64).regex(/^[a-z_.]*$/, "Kinds are lowercase words with dots.").optional(),
  via: z.enum(VIAS).optional(),
  /** The actor's email, exactly (case-insensitive). */
  actor: z.string().trim().max(254).optional(),
  /** Searches message, actor and app name. */
  q: z.string().trim().max(200).optional(),
});
export type ActivityFilters = z.infer<typeof activityFiltersSchema>;

export const activityPageSchema = activityFiltersSchema.extend({
  cursor: z.string().max(200).nullish(),
  limit: z.number().int().min(1).max(100).default(50),
});

export type ActivityScope = { appId: string } | { teamId: string };

/**
 * Who may read what: an app's events need its `activity:list` (view, so viewers read
 * them); a team's need membership in any role. Others are NOT_FOUND.
 */
export async function activityScopeFor(input: { userId: string; scope: { app: string } | { team: string } }) {
  if ("app" in input.scope) {
    const app = await findAppForUser({ userId: input.userId, app: input.scope.app, operation: "activity:list" });
    return { scope: { appId: app.id } satisfies ActivityScope, name: app.name };
  }
  const team = await getTeamForMember({ userId: input.userId, teamName: input.scope.team });
  return { scope: { teamId: team.id } satisfies ActivityScope, name: team.name };
}

const eventSelect = {
  id: true,
  createdAt: true,
  kind: true,
  message: true,
  via: true,
  ip: true,
  actorEmail: true,
  appName: true,
  data: true,
  team: { select: { name: true } },
} as const;

type EventRow = Prisma.ActivityEventGetPayload<{ select: typeof eventSelect }>;

function present(row: EventRow) {
  return {
    id: row.id,
    at: row.createdAt,
    kind: row.kind,
    message: row.message,
    via: row.via,
    ip: row.ip,
    actor: row.actorEmail,
    app: row.appName,
    team: row.team?.name ?? null,
    data: row.data,
  };
}
export type ActivityEventView = ReturnType<typeof present>;

function whereFor(scope: ActivityScope, filters: ActivityFilters): Prisma.ActivityEventWhereInput {
  const and: Prisma.ActivityEventWhereInput[] = ["appId" in scope ? { appId: scope.appId } : { teamId: scope.teamId }];
  if (filters.kind) {
    and.push({ OR: kindPrefixes(filters.kind).flatMap((p) => [{ kind: p }, { kind: { startsWith: likeLiteral(`${p}.`) } }]) });
  }
  if (filters.via) and.push({ via: filters.via });
  if (filters.actor) and.push({ actorEmail: { equals: likeLiteral(filters.actor), mode: "insensitive" } });
  if (filters.q) {
    const contains = { contains: likeLiteral(filters.q), mode: "insensitive" as const };
    and.push({ OR: [{ message: contains }, { actorEmail: contains }, { appName: contains }] });
  }
  return { AND: and };
}

/** Prisma passes `startsWith`, `contains` and insensitive `equals` into LIKE as given: a typed % or _ must match itself. */
function likeLiteral(text: string) {
  return text.replace(/[\\%_]/g, "\\$&");
}

function encodeCursor(row: { createdAt: Date; id: string }) {
  return Buffer.from(JSON.stringify([row.createdAt.toISOString(), row.id])).toString("base64url");
}

function decodeCursor(cursor: string): Prisma.ActivityEventWhereInput {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown[];
    const createdAt = new Date(String(at));
    if (typeof id !== "string" || Number.isNaN(createdAt.getTime())) throw new Error("bad cursor");
    return { OR: [{ createdAt: { lt: createdAt } }, { createdAt, id: { lt: id } }] };
  } catch {
    throw new AppError("BAD_REQUEST", "That page cursor is not valid; start from the first page.", { fieldErrors: { cursor: "Invalid." } });
  }
}

/** One page, newest first, and the cursor of the next (null on the last page). */
export async function listActivity(input: { scope: ActivityScope; filters?: ActivityFilters; cursor?: string | null; limit?: number }) {
  const limit = input.limit ?? 50;
  const where = whereFor(input.scope, input.filters ?? {});
  const rows = await db.activityEvent.findMany({
    where: input.cursor ? { AND: [where, decodeCursor(input.cursor)] } : where,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit + 1,
    select: eventSelect,
  });
  const page = rows.slice(0, limit);
  return { events: page.map(present), nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1]!) : null };
}

/** Every matching event, newest first, as JSON lines (at, actor, via, ip, app, team, kind, message, data). */
export async function* exportActivity(input: { scope: ActivityScope; filters?: ActivityFilters }): AsyncGenerator<string> {
  let cursor: string | null = null;
  do {
    const page: Awaited<ReturnType<typeof listActivity>> = await listActivity({ ...input, cursor, limit: 100 });
    for (const e of page.events) {
      const line = { at: e.at.toISOString(), actor: e.actor, via: e.via, ip: e.ip, app: e.app, team: e.team, kind: e.kind, message: e.message, data: e.data ?? null };
      yield `${JSON.stringify(line)}\n`;
    }
    cursor = page.nextCursor;
  } while (cursor);
}
