import "server-only";
import type { Prisma } from "@/server/db/generated/client";
import { currentOrigin } from "@/server/audit/origin";
import { db } from "@/server/db";

// The audit trail's one writer. Who and from where come from the request's origin
// (server/audit/origin.ts) unless given; the app's and team's names are copied so the
// row stays readable after they are gone. `message` is for people: config var names,
// never values; no secret goes in `data` either.

export type ActivityInput = {
  /** A dotted action: config.set, formation.scale, member.removed, auth.sign_in_failed, … */
  kind: string;
  message: string;
  appId?: string | null;
  teamId?: string | null;
  /** Defaults to the request's user. */
  userId?: string | null;
  /** For events without a signed-in user (a failed sign-in names the email tried). */
  actorEmail?: string | null;
  data?: Prisma.InputJsonValue;
};

// A list of 300 config var names stays whole in `data`; the line people read is capped.
const MAX_MESSAGE = 500;

export async function recordActivity(input: ActivityInput) {
  const origin = currentOrigin();
  const userId = input.userId === undefined ? origin.userId : input.userId;
  const [app, user] = await Promise.all([
    input.appId ? db.app.findUnique({ where: { id: input.appId }, select: { name: true, teamId: true } }) : null,
    userId ? db.user.findUnique({ where: { id: userId }, select: { email: true } }) : null,
  ]);
  return db.activityEvent.create({
    data: {
      kind: input.kind,
      message: input.message.length > MAX_MESSAGE ? `${input.message.slice(0, MAX_MESSAGE - 1)}…` : input.message,
      appId: app ? input.appId : null,
      appName: app?.name ?? null,
      teamId: input.teamId ?? app?.teamId ?? null,
      userId: user ? userId : null,
      actorEmail: input.actorEmail ?? user?.email ?? null,
      via: origin.via,
      ip: origin.ip,
      data: input.data,
    },
    select: { id: true },
  });
}
