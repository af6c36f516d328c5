// The one permission table (issue 11). Every door — tRPC procedures, Platform API routes,
// the app/api route handlers (builds, run, logs, backups, git) — names the operation it
// performs, and this table says which app permission that operation needs. No door decides
// a permission on its own. Pure data and functions: the dashboard imports it too, to hide
// or disable what a user may not do (the server refuses it anyway).

/** Heroku's per-app permissions. Each implies `view`. */
export const PERMISSIONS = ["view", "deploy", "operate", "manage"] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** Heroku Teams roles. */
export const TEAM_ROLES = ["admin", "member", "viewer"] as const;
export type TeamRole = (typeof TEAM_ROLES)[number];

/** What a team member gets on an unlocked team app when the team has not chosen otherwise. */
export const DEFAULT_MEMBER_PERMISSIONS: Permission[] = ["view", "deploy", "operate"];

export const PERMISSION_HELP: Record<Permission, string> = {
  view: "See the app, its config var names, activity, logs and metrics",
  deploy: "Push and upload code, roll back, set config vars, attach and detach add-ons",
  operate: "Scale, resize, restart and stop dynos, run one-off dynos, maintenance mode",
  manage: "Rename, destroy and transfer the app; domains, certificates, log drains and access",
};

/**
 * Operation → the permission it needs. Names are `<resource>:<verb>`, shared by every door
 * that offers the operation (so maintenance is `operate` in the dashboard and the CLI alike).
 */
export const OPERATIONS = {
  // view
  "app:info": "view",
  "config:names": "view",
  "releases:list": "view",
  "builds:list": "view",
  "builds:output": "view",
  "buildpacks:list": "view",
  "formation:list": "view",
  "dynos:list": "view",
  "domains:list": "view",
  "certs:list": "view", // certificates and HTTPS settings; never a private key
  "drains:list": "view",
  "addons:list": "view",
  "backups:list": "view",
  "metrics:read": "view",
  "logs:read": "view",
  "access:list": "view",
  "activity:list": "view",
  "pipeline:promote-from": "view", // a promotion's source: its current release is copied
  "app:leave": "view", // removing one's own grant (apps:leave); removing anyone else's is access:write
  // deploy
  "code:deploy": "deploy", // git push, tarball upload, deploying an image
  "releases:rollback": "deploy",
  "buildpacks:write": "deploy", // buildpacks:set/add/remove/clear: what the next build runs
  "builds:cache_purge": "deploy",
  "pipeline:couple-app": "deploy", // putting the app in a pipeline (or taking it out, or restaging it)
  "pipeline:promote-to": "deploy", // a promotion's target gets a new release of another app's code
  "config:read": "deploy", // values
  "config:write": "deploy",
  "addons:create": "deploy",
  "addons:attach": "deploy",
  "addons:detach": "deploy",
  "addons:credentials": "deploy",
  "backups:capture": "deploy",
  "backups:download": "deploy",
  // operate
  "formation:scale": "operate", // quantity and size
  "dynos:restart": "operate",
  "dynos:stop": "operate",
  "dynos:run": "operate", // one-off dynos, the release phase runs under code:deploy
  "app:maintenance": "operate",
  // manage
  "app:rename": "manage",
  "app:destroy": "manage",
  "app:transfer": "manage",
  "app:lock": "manage",
  "domains:write": "manage",
  "certs:write": "manage", // upload, replace, remove certificates; HTTPS redirect and HSTS
  "drains:write": "manage",
  "access:write": "manage",
  "addons:destroy": "manage",
  "backups:restore": "manage",
} as const satisfies Record<string, Permission>;

export type Operation = keyof typeof OPERATIONS;

/**
 * Installation-wide operations: about the machines every app runs on, not about one app or
 * team. Only the installation's admins (User.isAdmin: the account SLIPWAY_ADMIN_EMAIL
 * created at install) hold them. Each names what it does, for the refusal message.
 */
export const INSTALLATION_OPERATIONS = {
  "nodes:list": "see the installation's nodes",
  "nodes:update": "drain or activate a node",
} as const satisfies Record<string, string>;

export type InstallationOperation = keyof typeof INSTALLATION_OPERATIONS;

/** May this user perform an installation-wide operation? Installation admins only. */
export function allowsInstallation(user: { isAdmin: boolean } | null, _operation: InstallationOperation): boolean {
  return user?.isAdmin === true;
}

export function permissionFor(operation: Operation): Permission {
  return OPERATIONS[operation];
}

/** Sorted, de-duplicated, with `view` added: what a grant of `permissions` really holds. */
export function normalizePermissions(permissions: readonly string[]): Permission[] {
  const set = new Set<Permission>(["view"]);
  for (const p of permissions) if ((PERMISSIONS as readonly string[]).includes(p)) set.add(p as Permission);
  return PERMISSIONS.filter((p) => set.has(p));
}

export function isPermission(value: string): value is Permission {
  return (PERMISSIONS as readonly string[]).includes(value);
}

const ROLE_RANK: Record<TeamRole, number> = { viewer: 0, member: 1, admin: 2 };

/** Team roles are ordered: admin > member > viewer. */
export function roleAtLeast(role: TeamRole, min: TeamRole): boolean {
  return ROLE_RANK[role] >= ROLE_RANK[min];
}

export function isTeamRole(value: string): value is TeamRole {
  return (TEAM_ROLES as readonly string[]).includes(value);
}

/** May someone holding `held` perform `operation`? */
export function allows(held: readonly Permission[], operation: Operation): boolean {
  return held.includes(OPERATIONS[operation]);
}

/**
 * What `userId` may do on an app, from the facts about it; `null` when they may not even
 * see it (which every door reports as NOT_FOUND). The rules, as on Heroku:
 * - personal app: the owner everything; a collaborator what their grant says.
 * - team app: an admin everything; anyone with a grant (member or outsider) at least the
 *   grant; a member also the team's defaults and a viewer `view`, unless the app is locked.
 */
export function effectivePermissions(facts: {
  isOwner: boolean;
  teamRole: TeamRole | null;
  teamDefaults: readonly string[];
  grant: readonly string[] | null;
  locked: boolean;
  isTeamApp: boolean;
}): Permission[] | null {
  if (facts.isOwner) return [...PERMISSIONS];
  if (facts.isTeamApp && facts.teamRole === "admin") return [...PERMISSIONS];
  const held = new Set<string>(facts.grant ?? []);
  if (facts.isTeamApp && !facts.locked) {
    if (facts.teamRole === "member") for (const p of facts.teamDefaults) held.add(p);
    if (facts.teamRole === "viewer") held.add("view");
  }
  // A viewer changes nothing, whatever a grant says.
  if (facts.isTeamApp && facts.teamRole === "viewer") return held.size ? ["view"] : null;
  if (held.size === 0) return null;
  return normalizePermissions([...held]);
}

// ---- Pipelines -------------------------------------------------------------------------
// A pipeline belongs to a user or a team and follows its owner, like the owner's apps: on a
// team pipeline the caller's team role decides (viewers look, members build the flow,
// admins rename, transfer and destroy it); a personal pipeline is its owner's alone. What a
// pipeline does to an app is also checked on the app: coupling it needs `deploy` there,
// promotion `view` on the source and `deploy` on every target (OPERATIONS above).

export const STAGES = ["review", "development", "staging", "production"] as const;
export type Stage = (typeof STAGES)[number];

/** Pipeline operation → the lowest team role (a personal pipeline's owner holds them all). */
export const PIPELINE_OPERATIONS = {
  "pipeline:view": "viewer", // the pipeline, its apps' stages and releases, promotions, review apps
  "pipeline:couple": "member", // add an app, move it to another stage, remove it
  "pipeline:promote": "viewer", // plus view on the source and deploy on each target
  "pipeline:review-apps": "member", // enable, configure, disable review apps
  "pipeline:rename": "admin",
  "pipeline:transfer": "admin",
  "pipeline:destroy": "admin",
} as const satisfies Record<string, TeamRole>;

export type PipelineOperation = keyof typeof PIPELINE_OPERATIONS;

/** The role `userId` holds on a pipeline: its team role, or admin for a personal pipeline's owner; null = cannot see it. */
export function pipelineRole(facts: { isOwner: boolean; isTeamPipeline: boolean; teamRole: TeamRole | null }): TeamRole | null {
  if (facts.isTeamPipeline) return facts.teamRole;
  return facts.isOwner ? "admin" : null;
}

export function pipelineAllows(role: TeamRole, operation: PipelineOperation): boolean {
  return roleAtLeast(role, PIPELINE_OPERATIONS[operation]);
}
