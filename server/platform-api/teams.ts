import "server-only";
import { z } from "zod";
import { PERMISSION_HELP, PERMISSIONS, type TeamRole } from "@/server/auth/permissions";
import { paginate } from "@/server/platform-api/range";
import { userRoute, type Ctx, type Method, type Reply, type Route } from "@/server/platform-api/router";
import { teamShape } from "@/server/platform-api/shapes";
import { createInvitation, listPendingInvitations, revokeInvitation } from "@/server/services/invitations";
import {
  addOrUpdateTeamMember,
  addTeamMember,
  deleteTeam,
  listTeamMembers,
  listTeams,
  removeTeamMember,
  requireTeamRole,
  setTeamMemberRole,
  type TeamWithRole,
} from "@/server/services/teams";

// Teams, members and invitations as the official CLI calls them (`teams`, `members`,
// `members:add/set/remove`, and `access` reading the permission names). Each route names
// the lowest team role it needs; requireTeamRole (the same check as tRPC's teamProcedure)
// loads the team: teams the caller is not in are 404, a role too low is 403 forbidden.

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

type TeamCtx<B> = Ctx<B> & { team: TeamWithRole };
function teamRoute<S extends z.ZodType = z.ZodUnknown>(
  method: Method,
  pattern: string,
  minRole: TeamRole,
  def: { body?: S; handler: (ctx: TeamCtx<z.infer<S>>) => Promise<Reply> },
): Route {
  return {
    method,
    teamRole: minRole,
    segments: pattern.split("/").filter(Boolean),
    auth: "bearer",
    body: def.body,
    run: async (ctx) => {
      const team = await requireTeamRole({ userId: ctx.userId, teamName: ctx.params.team!, minRole });
      return def.handler({ ...ctx, body: ctx.body as z.infer<S>, team });
    },
  };
}

// The CLI offers admin, collaborator, member and owner; Slipway's teams have Heroku Teams'
// three roles and say so, rather than guessing what the others should mean.
const roleBody = z.enum(["admin", "member", "viewer"], { message: "role must be admin, member or viewer." });
const memberBody = z.object({ email: z.string().min(1).max(320), role: roleBody });

type MemberRow = Awaited<ReturnType<typeof listTeamMembers>>[number];
function memberShape(m: MemberRow) {
  return {
    id: m.id,
    email: m.user.email,
    role: m.role,
    federated: false,
    identity_provider: null,
    two_factor_authentication: false,
    created_at: iso(m.createdAt),
    updated_at: iso(m.createdAt),
    user: { id: m.user.id, email: m.user.email, name: m.user.name },
  };
}

type InvitationRow = Awaited<ReturnType<typeof listPendingInvitations>>[number];
function invitationShape(i: InvitationRow) {
  return {
    id: i.id,
    role: i.role,
    created_at: iso(i.createdAt),
    updated_at: iso(i.createdAt),
    expires_at: iso(i.expiresAt),
    team: { id: i.team.id, name: i.team.name },
    user: { id: null, email: i.email, name: null },
    invited_by: i.invitedBy ? { id: i.invitedBy.id, email: i.invitedBy.email, name: i.invitedBy.name } : null,
  };
}

/**
 * `team-invite-acceptance` is listed but off: with it on, `members:add` would create an
 * invitation whose link the CLI never prints (Slipway sends no email), so the person could
 * not join. Off, `members:add` adds an existing account at once; people without one are
 * invited from the dashboard, which shows the link. `org-access-controls` is on: it makes
 * `access:add` send the --permissions it was given (Heroku's per-app permissions).
 */
function featureShape(name: string, enabled: boolean, description: string) {
  return { id: name, name, display_name: name, description, doc_url: "", enabled, state: "general", feedback_email: null, created_at: null, updated_at: null };
}

export const teamRoutes: Route[] = [
  userRoute("GET", "/teams", {
    handler: async ({ req, userId }) => paginate(req, await listTeams(userId), { name: (t) => t.name, id: (t) => t.id }, teamShape),
  }),
  // Before /teams/:team, which would take "permissions" for a team's name.
  userRoute("GET", "/teams/permissions", {
    handler: async () => ({ body: PERMISSIONS.map((name) => ({ name, description: PERMISSION_HELP[name] })) }),
  }),
  teamRoute("GET", "/teams/:team", "viewer", { handler: async ({ team }) => ({ body: teamShape(team) }) }),
  teamRoute("DELETE", "/teams/:team", "admin", {
    handler: async ({ team }) => {
      const deleted = await deleteTeam({ teamId: team.id });
      return { body: teamShape({ ...team, ...deleted }) };
    },
  }),
  teamRoute("GET", "/teams/:team/features", "viewer", {
    handler: async () => ({
      body: [
        featureShape("team-invite-acceptance", false, "Members join through an invitation they accept (Slipway: invite from the dashboard)"),
        featureShape("org-access-controls", true, "Per-app permissions for team members: view, deploy, operate, manage"),
      ],
    }),
  }),
  teamRoute("GET", "/teams/:team/members", "viewer", {
    handler: async ({ req, team }) => paginate(req, await listTeamMembers(team.id), { email: (m) => m.user.email, id: (m) => m.id }, memberShape),
  }),
  teamRoute("PUT", "/teams/:team/members", "admin", {
    body: memberBody,
    handler: async ({ team, body }) => ({ body: memberShape(await addOrUpdateTeamMember({ teamId: team.id, email: body.email, role: body.role })) }),
  }),
  teamRoute("POST", "/teams/:team/members", "admin", {
    body: memberBody,
    handler: async ({ team, body }) => ({ status: 201, body: memberShape(await addTeamMember({ teamId: team.id, email: body.email, role: body.role })) }),
  }),
  teamRoute("PATCH", "/teams/:team/members", "admin", {
    body: memberBody,
    handler: async ({ team, body }) => ({ body: memberShape(await setTeamMemberRole({ teamId: team.id, email: body.email, role: body.role })) }),
  }),
  teamRoute("DELETE", "/teams/:team/members/:member", "admin", {
    handler: async ({ team, params }) => ({ body: memberShape(await removeTeamMember({ teamId: team.id, email: params.member! })) }),
  }),
  teamRoute("GET", "/teams/:team/invitations", "admin", {
    handler: async ({ team }) => ({ body: (await listPendingInvitations(team.id)).map(invitationShape) }),
  }),
  teamRoute("PUT", "/teams/:team/invitations", "admin", {
    body: memberBody,
    handler: async ({ team, body, userId }) => {
      const { invitation, url } = await createInvitation({ teamId: team.id, email: body.email, role: body.role, invitedById: userId });
      // Not in Heroku's shape: there is no email, so the link is handed to the admin once, here.
      return { status: 201, body: { ...invitationShape(invitation), invitation_url: url } };
    },
  }),
  teamRoute("DELETE", "/teams/:team/invitations/:invitation", "admin", {
    handler: async ({ team, params }) => ({ body: invitationShape(await revokeInvitation({ teamId: team.id, invitation: params.invitation! })) }),
  }),
];

