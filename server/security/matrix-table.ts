// The authorization matrix's one table of expectations.
//
// App-scoped doors need no row: every tRPC appProcedure, Platform API appRoute and
// withApp route handler names its operation, and the expected answer for each caller
// follows from OPERATIONS[operation] and effectivePermissions (server/auth/permissions.ts):
//   anonymous → 401 · cannot see the app → 404 · sees it, lacks the permission → 403 ·
//   holds it → past the access check (any answer but those refusals).
// Team doors (tRPC teamProcedure(minRole), the Platform API's team routes) need no row
// either: they carry the lowest team role they need, and the expectation follows:
//   anonymous → 401 · not in the team → 404 · role too low → 403 · else past the check.
// Pipeline doors (tRPC pipelineProcedure(operation), the Platform API's pipelineRoute) need
// no row: a team pipeline follows its team, so each role is tried against the lowest role
// PIPELINE_OPERATIONS gives the operation, with the same four answers (the pipeline's
// NOT_FOUND when not in the team). Pipeline doors that name their pipeline or app in the
// body (couplings, promotions, transfers) are hand rows; their services check both sides
// and server/services/pipelines/pipelines.test.ts proves each refusal.
// Doors that are about neither are listed here by hand; a door in no place fails the
// matrix test with "add a row for …".
import type { TeamRole } from "@/server/auth/permissions";

export type HandRow =
  /** Anyone, signed in or not (sign-up, health). */
  | { kind: "public"; note?: string }
  /** Any signed-in user; what they reach is their own (their account, their apps list). */
  | { kind: "signed-in"; note?: string }
  /** HTTP Basic email:password only (how `heroku login -i` gets a key): an API key is refused. */
  | { kind: "password"; note?: string }
  /** About one team (a route handler without meta): tried as every team role, as team doors are. */
  | { kind: "team"; minRole: TeamRole; note?: string }
  /**
   * Installation-wide (an installationProcedure, INSTALLATION_OPERATIONS in
   * server/auth/permissions.ts): anonymous → 401, every signed-in caller of the cast (team
   * admins included) → 403, an installation admin (User.isAdmin) → past the check.
   */
  | { kind: "installation-admin"; note?: string }
  /** Not called by the matrix: checked by its own code and tests (named in the note). */
  | { kind: "elsewhere"; note: string };

/** tRPC procedures without an operation, by path. */
export const TRPC_ROWS: Record<string, HandRow> = {
  "auth.signUp": { kind: "public" },
  "account.me": { kind: "signed-in" },
  "account.apiKeys.list": { kind: "signed-in" },
  "account.apiKeys.create": { kind: "signed-in" },
  "account.apiKeys.revoke": { kind: "signed-in", note: "another user's key is NOT_FOUND (api-keys tests)" },
  "teams.list": { kind: "signed-in" },
  "teams.create": { kind: "signed-in" },
  "account.signOutEverywhere": { kind: "signed-in", note: "the caller's own sessions" },
  "teams.invitations.preview": { kind: "public", note: "needs the invitation's secret token (invitations tests)" },
  "teams.invitations.signUp": { kind: "public", note: "needs the invitation's secret token; makes the invited email's account only" },
  "teams.invitations.accept": { kind: "signed-in", note: "token + the invited email must match the caller (invitations tests)" },
  "access.join": { kind: "signed-in", note: "team members only, refused on a locked app without a grant (collaborators tests)" },
  "access.transfers": { kind: "signed-in", note: "transfers offered to or by the caller" },
  "access.respond": { kind: "signed-in", note: "only the transfer's recipient (transfers tests)" },
  "apps.list": { kind: "signed-in" },
  "apps.create": { kind: "signed-in", note: "team apps: membership checked by createApp" },
  "formation.sizes": { kind: "public" },
  "addons.services": { kind: "signed-in" },
  "appSetups.create": { kind: "signed-in", note: "makes its app through createApp (team membership, quotas); an upload id only its uploader may claim (app-setups tests)" },
  "appSetups.get": { kind: "signed-in", note: "its creator, or whoever may see its app (app:info); others NOT_FOUND (app-setups tests)" },
  "appSetups.list": { kind: "signed-in", note: "the caller's own setups" },
  "installation.nodes": { kind: "installation-admin", note: "nodes:list" },
  "installation.setNodeAvailability": { kind: "installation-admin", note: "nodes:update" },
  "pipelines.list": { kind: "signed-in", note: "the caller's own and their teams' pipelines" },
  "pipelines.create": { kind: "signed-in", note: "team pipelines: member or admin, checked by createPipeline (pipelines tests)" },
};

/** Platform API routes that are not appRoute(...), by "METHOD /pattern". */
export const PLATFORM_ROWS: Record<string, HandRow> = {
  "GET /account": { kind: "signed-in" },
  "GET /teams": { kind: "signed-in" },
  "GET /apps": { kind: "signed-in" },
  "GET /users/~/apps": { kind: "signed-in" },
  "GET /teams/:team/apps": { kind: "signed-in", note: "membership checked by listApps" },
  "POST /apps": { kind: "signed-in" },
  "POST /teams/apps": { kind: "signed-in", note: "membership checked by createApp" },
  "GET /addons": { kind: "signed-in", note: "the caller's own apps' add-ons" },
  "GET /addons/:addon/addon-attachments": { kind: "signed-in", note: "findAddonForUser checks addons:list on an app the add-on is on" },
  "GET /addons/:addon": { kind: "signed-in", note: "findAddonForUser checks the operation on an app the add-on is on" },
  "POST /actions/addons/resolve": { kind: "signed-in", note: "resolves among the caller's apps only" },
  "GET /addon-attachments": { kind: "signed-in", note: "the caller's own apps' attachments" },
  "POST /actions/addon-attachments/resolve": { kind: "signed-in", note: "resolves among the caller's apps only" },
  "POST /addon-attachments": { kind: "signed-in", note: "addons:attach checked on both apps by findAppForUser" },
  "DELETE /addon-attachments/:attachment": { kind: "signed-in", note: "findAttachmentForUser checks addons:detach" },
  "POST /oauth/authorizations": { kind: "password" },
  // The data API (server/platform-api/data-api.ts): dataAddonRoute loads the add-on through findAddonForUser with the operation.
  "GET /client/v11/databases/:addon": { kind: "signed-in", note: "findAddonForUser checks addons:list" },
  "POST /client/v11/databases/:addon/backups": { kind: "signed-in", note: "findAddonForUser checks backups:capture" },
  "POST /client/v11/databases/:addon/restores": { kind: "signed-in", note: "findAddonForUser checks backups:restore on the target, backups:download on the source" },
  "GET /client/v11/databases/:addon/transfer-schedules": { kind: "signed-in", note: "findAddonForUser checks backups:list" },
  "POST /client/v11/databases/:addon/transfer-schedules": { kind: "signed-in", note: "findAddonForUser checks backups:capture" },
  "DELETE /client/v11/databases/:addon/transfer-schedules/:schedule": { kind: "signed-in", note: "findAddonForUser checks backups:capture" },
  "GET /redis/v0/databases/:addon": { kind: "signed-in", note: "findAddonForUser checks addons:credentials (the answer carries the password)" },
  "GET /teams/permissions": { kind: "signed-in", note: "the permission names, the same for everyone" },
  "POST /teams/apps/:app/collaborators": { kind: "signed-in", note: "apps:join (team members; refused on a locked app) or access:add (access:write through findAppForUser) — cli-access tests" },
  "GET /account/app-transfers": { kind: "signed-in", note: "transfers offered to or by the caller" },
  "POST /account/app-transfers": { kind: "signed-in", note: "app:transfer through findAppForUser (transfers tests)" },
  "PATCH /account/app-transfers/:transfer": { kind: "signed-in", note: "only the recipient (transfers tests)" },
  "DELETE /account/app-transfers/:transfer": { kind: "signed-in", note: "only the sender (transfers tests)" },
  "GET /buildpacks/:buildpack": { kind: "public", note: "the buildpack registry the CLI asks before buildpacks:set: the names Slipway builds with, the same for everyone" },
  "GET /buildpacks/:namespace/:name": { kind: "public", note: "the buildpack registry, as above" },
  // App setups are not app-scoped until their app exists (and a failed one's app is gone).
  "POST /app-setups": { kind: "signed-in", note: "makes its app through createApp: team membership and quotas (app-setups tests)" },
  "GET /app-setups/:setup": { kind: "signed-in", note: "its creator, or whoever may see its app (app:info); others NOT_FOUND (app-setups tests)" },
  "GET /account/features/:feature": { kind: "signed-in", note: "the same feature flags for everyone" },
  "GET /users/:user": { kind: "signed-in", note: "the caller, or someone who shares a team with them (pipelines tests)" },
  "POST /filters/apps": { kind: "signed-in", note: "filters the caller's visible apps only (pipelines tests)" },
  "GET /pipelines": { kind: "signed-in", note: "the caller's own and their teams' pipelines" },
  "POST /pipelines": { kind: "signed-in", note: "team pipelines: member or admin, checked by createPipeline (pipelines tests)" },
  "POST /pipeline-couplings": { kind: "signed-in", note: "pipeline:couple on the pipeline and pipeline:couple-app on the app (pipelines tests)" },
  "PATCH /pipeline-couplings/:coupling": { kind: "signed-in", note: "pipeline:couple on its pipeline and pipeline:couple-app on its app (pipelines tests)" },
  "DELETE /pipeline-couplings/:coupling": { kind: "signed-in", note: "pipeline:couple on its pipeline and pipeline:couple-app on its app (pipelines tests)" },
  "POST /pipeline-promotions": { kind: "signed-in", note: "pipeline:promote, view on the source, deploy on every target (pipelines tests)" },
  "GET /pipeline-promotions/:promotion": { kind: "signed-in", note: "only if the caller sees its pipeline (pipelines tests)" },
  "GET /pipeline-promotions/:promotion/promotion-targets": { kind: "signed-in", note: "only if the caller sees its pipeline (pipelines tests)" },
  "POST /pipeline-transfers": { kind: "signed-in", note: "pipeline:transfer, then app:transfer on every app (pipelines tests)" },
};

/** app/api route handlers not wrapped by withApp, by "file METHOD". */
export const ROUTE_FILE_ROWS: Record<string, HandRow> = {
  "app/api/health/route.ts GET": { kind: "public" },
  "app/api/rendezvous-ca/route.ts GET": { kind: "public", note: "the CA certificate heroku run's clients trust: public by nature" },
  "app/api/app-setups/sources/route.ts POST": { kind: "signed-in", note: "stages an archive for its uploader only; a body that is not a tar/tar.gz is refused and leaves nothing" },
  "app/api/teams/[team]/activity/route.ts GET": { kind: "team", minRole: "viewer" },
  "app/api/auth/[...nextauth]/route.ts GET": { kind: "elsewhere", note: "next-auth's own endpoints (its CSRF token guards sign-in)" },
  "app/api/auth/[...nextauth]/route.ts POST": { kind: "elsewhere", note: "next-auth's own endpoints (its CSRF token guards sign-in)" },
  "app/api/trpc/[trpc]/route.ts GET": { kind: "elsewhere", note: "every tRPC procedure is a row of its own above" },
  "app/api/trpc/[trpc]/route.ts POST": { kind: "elsewhere", note: "every tRPC procedure is a row of its own above" },
  ...Object.fromEntries(
    ["DELETE", "GET", "PATCH", "POST", "PUT"].map((m) => [`app/api/v3/[...path]/route.ts ${m}`, { kind: "elsewhere", note: "every Platform API route is a row of its own above" } as HandRow]),
  ),
};

/**
 * Platform API bodies that pass the route's schema (checked before the app is loaded),
 * chosen to fail after the access check so allowed callers change nothing.
 */
export const PLATFORM_BODIES: Record<string, unknown> = {
  "PATCH /apps/:app": { maintenance: false },
  "POST /apps/:app/addons": { plan: "no-such-service:plan" },
  "PATCH /apps/:app/formation": { updates: [{ type: "no-such-type", quantity: 1 }] },
  "PATCH /apps/:app/formation/:type": { quantity: 1 },
  "PATCH /apps/:app/standby-pool": { size: 999 },
  "POST /apps/:app/dynos": { command: "true", size: "no-such-size" },
  "POST /apps/:app/dynos/:dyno": { command: "true" },
  "POST /apps/:app/log-drains": { url: "not-a-drain-url" },
  "PATCH /apps/:app/config-vars": {},
  "POST /client/v11/databases/:addon/restores": { backup_url: "not-a-backup" },
  "POST /client/v11/databases/:addon/transfer-schedules": { hour: "02", timezone: "UTC" },
  "POST /apps/:app/log-sessions": {},
  "POST /apps/:app/releases": { release: 999_999 },
  "PUT /apps/:app/buildpack-installations": { updates: [{ buildpack: "no-such/buildpack" }] },
  "POST /apps/:app/domains": { hostname: "not a hostname" },
  "POST /apps/:app/sni-endpoints": { certificate_chain: "not a certificate", private_key: "not a key" },
  "PATCH /apps/:app/sni-endpoints/:endpoint": { certificate_chain: "not a certificate", private_key: "not a key" },
  "PATCH /apps/:app/domains/:hostname": { sni_endpoint: "no-such-endpoint" },
  "POST /apps/:app/collaborators": { user: "nobody-matrix@example.com" },
  "PATCH /teams/apps/:app/collaborators/:user": { permissions: ["view"] },
  "PUT /teams/:team/members": { email: "nobody-matrix@example.com", role: "viewer" },
  "POST /teams/:team/members": { email: "nobody-matrix@example.com", role: "viewer" },
  "PATCH /teams/:team/members": { email: "nobody-matrix@example.com", role: "viewer" },
  "PUT /teams/:team/invitations": { email: "nobody-matrix@example.com", role: "viewer" },
  "PATCH /pipelines/:pipeline": { name: "Not A Name" },
  "POST /pipelines/:pipeline/review-app-config": { repo: "no-such-app" },
  "PATCH /pipelines/:pipeline/review-app-config": { repo: "no-such-app" },
  "POST /pipeline-couplings": { app: "no-such-app", pipeline: "no-such-pipeline", stage: "staging" },
  "PATCH /pipeline-couplings/:coupling": { stage: "staging" },
  "POST /pipeline-promotions": { pipeline: { id: "no-such-pipeline" }, source: { app: { id: "no-such-app" } } },
  "POST /pipeline-transfers": { pipeline: { id: "no-such-pipeline" }, new_owner: { id: "no-such-team", type: "team" } },
  "POST /filters/apps": { in: { id: [] } },
  "POST /pipelines": { name: "Not A Name" },
};

/**
 * Route parameters filled with the caller's own email: these doors act on the caller
 * (DELETE …/collaborators/<me> is apps:leave, needing app:leave); acting on someone else
 * needs access:write, which the collaborators tests check.
 */
export const PLATFORM_SELF_PARAMS: Record<string, string> = {
  "DELETE /apps/:app/collaborators/:user": "user",
  "DELETE /teams/apps/:app/collaborators/:user": "user",
};
