import "server-only";
import { PERMISSION_HELP, type Permission } from "@/server/auth/permissions";
import { env, publicUrl } from "@/server/env";
import type { BuildSummary } from "@/server/services/builds";
import type { ReleaseRow } from "@/server/services/releases";
import { releaseOutputUrl, type OutputViewer } from "@/server/build/output-stream";

// Heroku's JSON shapes for the resources we serve, built field by field from our rows.
// Field names and nesting follow the Platform API reference; the CLI reads them as-is.

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export type AppRow = {
  id: string;
  name: string;
  region: string;
  stack: string;
  maintenance: boolean;
  acm?: boolean;
  locked?: boolean;
  createdAt: Date;
  updatedAt: Date;
  releasedAt: Date | null;
  slugSize: number | null;
  repoSize: number | null;
  owner: { id: string; email: string } | null;
  team: { id: string; name: string } | null;
};


import { defaultHostname, webUrl } from "@/server/services/domains";
export { defaultHostname, webUrl };

/**
 * Team apps have no user owner. Heroku reports `<team>@herokumanager.com` as their owner,
 * and the CLI recognises that suffix (it hides it from `access`, derives the team from it).
 */
function ownerOf(app: AppRow) {
  if (app.owner) return { id: app.owner.id, email: app.owner.email };
  return { id: app.team?.id ?? null, email: `${app.team?.name ?? "unknown"}@herokumanager.com` };
}

export function appShape(app: AppRow) {
  const team = app.team ? { id: app.team.id, name: app.team.name } : null;
  return {
    id: app.id,
    name: app.name,
    created_at: iso(app.createdAt),
    updated_at: iso(app.updatedAt),
    released_at: iso(app.releasedAt),
    web_url: webUrl(app.name),
    git_url: `${publicUrl()}/${app.name}.git`,
    owner: ownerOf(app),
    team,
    organization: team,
    space: null,
    region: { id: null, name: app.region },
    stack: { id: null, name: app.stack },
    build_stack: { id: null, name: app.stack },
    buildpack_provided_description: null,
    maintenance: app.maintenance,
    locked: app.locked ?? false,
    acm: app.acm ?? false,
    archived_at: null,
    internal_routing: null,
    repo_size: app.repoSize ?? 0,
    slug_size: app.slugSize ?? 0,
    generation: "cedar",
    create_status: "complete",
  };
}

export function accountShape(user: { id: string; email: string; name: string | null; createdAt: Date }) {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    created_at: iso(user.createdAt),
    updated_at: iso(user.createdAt),
    allow_tracking: false,
    beta: false,
    verified: true,
    federated: false,
    two_factor_authentication: false,
    default_organization: null,
    default_team: null,
    delinquent_at: null,
    identity_provider: null,
    last_login: null,
    sms_number: null,
    suspended_at: null,
  };
}

/** `viewer` is who the output link is for (releases:output reads it without credentials). */
export function releaseShape(app: { id: string; name: string }, release: ReleaseRow & { current: boolean }, viewer: OutputViewer | null = null) {
  return {
    id: release.id,
    version: release.version,
    description: release.description,
    status: release.status,
    current: release.current,
    created_at: iso(release.createdAt),
    updated_at: iso(release.updatedAt),
    app: { id: app.id, name: app.name },
    // A release made before any deploy has no slug, as on Heroku. A promoted release has
    // no build of its own app: its slug is named by the release (GET /apps/:app/slugs/:id).
    slug: release.imageTag ? { id: release.buildId ?? release.id } : null,
    user: release.user ? { id: release.user.id, email: release.user.email } : { id: null, email: null },
    addon_plan_names: release.addonPlanNames,
    // What releases:rollback without a version picks from (the second of these).
    eligible_for_rollback: release.status === "succeeded" && !!release.imageTag,
    output_stream_url: releaseOutputUrl(app, release, viewer),
  };
}

/** Heroku's build: pending while queued or building. */
export function buildShape(app: { id: string; name: string }, build: BuildSummary) {
  return {
    id: build.id,
    app: { id: app.id },
    status: build.status === "queued" || build.status === "building" ? "pending" : build.status,
    created_at: iso(build.createdAt),
    updated_at: iso(build.updatedAt),
    // Several when the app set several (stored comma-joined, in order).
    buildpacks: build.buildpack ? build.buildpack.split(",").map((name) => ({ name, url: `slipway/${name}` })) : [],
    source_blob: { checksum: build.sourceKind === "tarball" && build.sourceVersion ? `SHA256:${build.sourceVersion}` : null, url: null, version: build.sourceVersion },
    release: build.release ? { id: build.release.id, version: build.release.version } : null,
    slug: build.imageTag ? { id: build.id } : null,
    stack: "bookworm",
    user: build.user ? { id: build.user.id, email: build.user.email } : { id: null, email: null },
    output_stream_url: null,
  };
}

export function formationShape(
  app: { id: string; name: string },
  f: { id: string; type: string; quantity: number; size: string; command: string | null; createdAt: Date; updatedAt: Date },
) {
  return {
    id: f.id,
    type: f.type,
    quantity: f.quantity,
    size: f.size,
    command: f.command ?? "",
    app: { id: app.id, name: app.name },
    created_at: iso(f.createdAt),
    updated_at: iso(f.updatedAt),
  };
}

export function dynoShape(
  app: { id: string; name: string },
  d: {
    id: string;
    name: string;
    type: string;
    size: string;
    state: string;
    command: string | null;
    createdAt: Date;
    updatedAt: Date;
    release: { id: string; version: number } | null;
  },
) {
  return {
    id: d.id,
    name: d.name,
    type: d.type,
    size: d.size,
    state: d.state,
    command: d.command ?? "",
    attach_url: null,
    app: { id: app.id, name: app.name },
    release: d.release ? { id: d.release.id, version: d.release.version } : null,
    created_at: iso(d.createdAt),
    updated_at: iso(d.updatedAt),
  };
}

export function collaboratorShape(
  app: { id: string; name: string },
  c: { id: string; permissions: string[]; createdAt: Date; updatedAt: Date; user: { id: string; email: string } },
  role: string | null = "collaborator",
) {
  return {
    id: c.id,
    app: { id: app.id, name: app.name },
    user: { id: c.user.id, email: c.user.email, federated: false },
    role,
    permissions: c.permissions.map((name) => ({ name, description: PERMISSION_HELP[name as Permission] ?? name })),
    created_at: iso(c.createdAt),
    updated_at: iso(c.updatedAt),
  };
}

export function domainShape(
  app: { id: string; name: string },
  d: { id: string; hostname: string; kind: string; createdAt: Date; updatedAt: Date; acmStatus?: string | null; acmStatusReason?: string | null },
) {
  return {
    id: d.id,
    hostname: d.hostname,
    kind: d.kind,
    // Custom domains point straight at the router: CNAME to the app's default hostname.
    cname: d.kind === "custom" ? defaultHostname(app.name) : null,
    // "none": nothing left to do (the CLI's domains:add waits while it is "pending").
    status: "none",
    acm_status: d.acmStatus ?? null,
    acm_status_reason: d.acmStatusReason ?? null,
    sni_endpoint: null,
    app: { id: app.id, name: app.name },
    created_at: iso(d.createdAt),
    updated_at: iso(d.updatedAt),
  };
}

export function teamShape(t: { id: string; name: string; role: string; createdAt: Date }) {
  return { id: t.id, name: t.name, role: t.role, type: "team", default: false, created_at: iso(t.createdAt), updated_at: iso(t.createdAt) };
}

/** Heroku's slug: here the image a build (or a promotion) released, with the commit it came from. */
export function slugShape(app: { id: string; name: string }, slug: { id: string; commit: string | null; processTypes: unknown; createdAt: Date; updatedAt: Date }) {
  return {
    id: slug.id,
    app: { id: app.id, name: app.name },
    commit: slug.commit,
    commit_description: null,
    process_types: (slug.processTypes ?? {}) as Record<string, string>,
    buildpack_provided_description: null,
    checksum: null,
    size: null,
    stack: { id: null, name: "bookworm" },
    blob: null,
    created_at: iso(slug.createdAt),
    updated_at: iso(slug.updatedAt),
  };
}
