import "server-only";
import { z } from "zod";
import { db } from "@/server/db";
import { paginate } from "@/server/platform-api/range";
import { appRoute, userRoute } from "@/server/platform-api/router";
import { appShape, collaboratorShape } from "@/server/platform-api/shapes";
import { findAppForUser, type AccessibleApp } from "@/server/services/access";
import { addCollaborator, joinApp, listAppAccess, removeCollaborator, setAppLocked, updateCollaborator } from "@/server/services/collaborators";
import { listTransfers, respondToTransfer, transferApp, type AppTransferRow } from "@/server/services/transfers";

// Heroku's Collaborator, Team App Collaborator, Team App and App Transfer resources: what
// `heroku access`, `access:add/update/remove`, `apps:join/leave/lock/unlock` and
// `apps:transfer` call (docs/HEROKU-CLI-CALLS.md sections 2 and 3). The rules are the
// services'; who may call what is the permission table's (appRoute's operation).

const iso = (d: Date) => d.toISOString();
const userField = z.string().trim().min(1).max(254);
const permissionNames = z.array(z.string().max(32)).max(8);

/** Everyone with access, as Heroku lists collaborators: a personal app's owner has role "owner". */
async function collaboratorRows(app: AccessibleApp) {
  const { entries } = await listAppAccess(app);
  const grants = await db.collaborator.findMany({ where: { appId: app.id }, select: { id: true, userId: true, createdAt: true, updatedAt: true } });
  return entries
    .filter((e) => e.permissions.length > 0)
    .map((e) => {
      const grant = grants.find((g) => g.userId === e.userId);
      return {
        id: grant?.id ?? e.userId,
        role: e.role,
        permissions: e.permissions as string[],
        createdAt: grant?.createdAt ?? app.createdAt,
        updatedAt: grant?.updatedAt ?? app.createdAt,
        user: { id: e.userId, email: e.email },
      };
    });
}

const listCollaborators = async ({ req, app }: { req: Request; app: AccessibleApp }) =>
  paginate(req, await collaboratorRows(app), { id: (c) => c.id }, (c) => collaboratorShape(app, c, c.role));

/** A grant row as the Collaborator resource, with its holder's role on the app. */
async function grantShape(app: AccessibleApp, row: { id: string; permissions: string[]; createdAt: Date; updatedAt: Date; user: { id: string; email: string } }) {
  const member = app.teamId ? await db.teamMember.findUnique({ where: { teamId_userId: { teamId: app.teamId, userId: row.user.id } }, select: { role: true } }) : null;
  return collaboratorShape(app, row, app.teamId ? (member?.role ?? "collaborator") : "collaborator");
}

/**
 * A DELETE removes the caller's own grant (`apps:leave`, app:leave) or, with access:write
 * (checked by removeCollaborator against the same table), anyone's.
 */
const removeRoute = (pattern: string) =>
  appRoute("DELETE", pattern, "app:leave", {
    handler: async ({ app, params, userId }) => {
      const row = await removeCollaborator({ app, actorUserId: userId, user: params.user! });
      return { body: collaboratorShape(app, row, app.teamId ? null : "collaborator") };
    },
  });

/** Heroku's Team App: an app with `locked` and whether the caller has joined it. */
function teamAppShape(app: AccessibleApp, joined: boolean) {
  return { ...appShape(app), locked: app.locked, joined };
}

async function teamAppBody(app: AccessibleApp, userId: string) {
  const fresh = await findAppForUser({ userId, app: app.id, operation: "app:info" });
  const joined = (await db.collaborator.count({ where: { appId: app.id, userId } })) > 0;
  return teamAppShape(fresh, joined);
}

function transferShape(t: AppTransferRow) {
  return {
    id: t.id,
    app: t.app,
    owner: t.sender,
    recipient: t.recipient,
    state: t.state,
    created_at: iso(t.createdAt),
    updated_at: iso(t.updatedAt),
  };
}

export const collaboratorRoutes = [
  appRoute("GET", "/apps/:app/collaborators", "access:list", { handler: listCollaborators }),
  appRoute("GET", "/teams/apps/:app/collaborators", "access:list", { handler: listCollaborators }),
  appRoute("POST", "/apps/:app/collaborators", "access:write", {
    body: z.object({ user: userField, silent: z.boolean().nullish(), permissions: permissionNames.nullish() }),
    handler: async ({ app, body }) => ({ status: 201, body: await grantShape(app, await addCollaborator({ app, email: body.user, permissions: body.permissions })) }),
  }),
  /**
   * Two commands share this door: `access:add` (an admin grants someone permissions) and
   * `apps:join` (the caller names themselves; the service finds the app among their teams'
   * apps, so a locked one can say so rather than pretend it does not exist).
   */
  userRoute("POST", "/teams/apps/:app/collaborators", {
    body: z.object({ user: userField, silent: z.boolean().nullish(), permissions: permissionNames.nullish() }),
    handler: async ({ params, userId, body }) => {
      const me = await db.user.findUniqueOrThrow({ where: { id: userId }, select: { email: true } });
      if (body.user === "~" || body.user === userId || body.user.toLowerCase() === me.email) {
        const { grant } = await joinApp({ userId, app: params.app! });
        const app = await findAppForUser({ userId, app: params.app!, operation: "app:info" });
        return { status: 201, body: await grantShape(app, grant) };
      }
      const app = await findAppForUser({ userId, app: params.app!, operation: "access:write" });
      return { status: 201, body: await grantShape(app, await addCollaborator({ app, email: body.user, permissions: body.permissions })) };
    },
  }),
  appRoute("PATCH", "/teams/apps/:app/collaborators/:user", "access:write", {
    body: z.object({ permissions: permissionNames }),
    handler: async ({ app, params, body }) => ({ body: await grantShape(app, await updateCollaborator({ app, user: params.user!, permissions: body.permissions })) }),
  }),
  removeRoute("/apps/:app/collaborators/:user"),
  removeRoute("/teams/apps/:app/collaborators/:user"),

  appRoute("GET", "/teams/apps/:app", "app:info", {
    handler: async ({ app, userId }) => ({ body: await teamAppBody(app, userId) }),
  }),
  // `apps:lock`/`unlock` send {locked}; `apps:transfer` sends {owner: team name or email}.
  appRoute("PATCH", "/teams/apps/:app", (body) => (body.owner ? "app:transfer" : "app:lock"), {
    body: z.object({ locked: z.boolean().nullish(), owner: z.string().trim().min(1).max(254).nullish() }),
    handler: async ({ app, userId, body }) => {
      if (body.owner) await transferApp({ app, actorUserId: userId, recipient: body.owner });
      if (typeof body.locked === "boolean") {
        const current = await findAppForUser({ userId, app: app.id, operation: "app:lock" });
        await setAppLocked({ app: current, locked: body.locked });
      }
      // After a transfer to someone else the caller may no longer see the app.
      const after = await findAppForUser({ userId, app: app.id, operation: "app:info" }).catch(() => null);
      return { body: after ? await teamAppBody(after, userId) : teamAppShape(app, false) };
    },
  }),

  // Personal → personal transfers wait for the recipient (`apps:transfer EMAIL` prints "email sent").
  userRoute("POST", "/account/app-transfers", {
    body: z.object({ app: z.string().min(1).max(64), recipient: userField, silent: z.boolean().nullish() }),
    handler: async ({ userId, body }) => {
      const app = await findAppForUser({ userId, app: body.app, operation: "app:transfer" });
      const result = await transferApp({ app, actorUserId: userId, recipient: body.recipient });
      if (!result.transfer) throw new Error("a personal app sent to a person always makes a pending transfer");
      return { status: 201, body: transferShape(result.transfer) };
    },
  }),
  userRoute("GET", "/account/app-transfers", {
    handler: async ({ req, userId }) => paginate(req, await listTransfers({ userId }), { id: (t) => t.id }, transferShape),
  }),
  userRoute("PATCH", "/account/app-transfers/:transfer", {
    body: z.object({ state: z.enum(["accepted", "declined"]) }),
    handler: async ({ userId, params, body }) => ({ body: transferShape(await respondToTransfer({ userId, transfer: params.transfer!, state: body.state })) }),
  }),
  userRoute("DELETE", "/account/app-transfers/:transfer", {
    handler: async ({ userId, params }) => ({ body: transferShape(await respondToTransfer({ userId, transfer: params.transfer!, state: "declined" })) }),
  }),
];
