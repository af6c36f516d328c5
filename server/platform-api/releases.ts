import "server-only";
import { paginate } from "@/server/platform-api/range";
import { appRoute } from "@/server/platform-api/router";
import { releaseShape } from "@/server/platform-api/shapes";
import { z } from "zod";
import { AppError } from "@/server/errors";
import { buildShape } from "@/server/platform-api/shapes";
import { getBuild, listBuilds } from "@/server/services/builds";
import { rollbackRelease } from "@/server/services/deploys";
import { getRelease, getReleaseConfig, getSlug, listReleases } from "@/server/services/releases";
import { slugShape } from "@/server/platform-api/shapes";

// Paging happens on the whole list (Range may ask for any slice, in either order); an
// app's releases number in the hundreds at most.
const ALL = 100_000;

export const releaseRoutes = [
  appRoute("GET", "/apps/:app/releases", "releases:list", {
    handler: async ({ req, app }) => {
      const releases = await listReleases({ appId: app.id, limit: ALL });
      return paginate(req, releases, { version: (r) => r.version, id: (r) => r.id }, (r) => releaseShape(app, r));
    },
  }),
  appRoute("GET", "/apps/:app/releases/:release", "releases:list", {
    handler: async ({ app, params }) => ({ body: releaseShape(app, await getRelease({ appId: app.id, release: params.release! })) }),
  }),
  // releases:rollback: {release: id or version} → a new release with that one's image and config.
  appRoute("POST", "/apps/:app/releases", "releases:rollback", {
    body: z.object({ release: z.union([z.string().min(1).max(64), z.number().int().positive()]) }),
    handler: async ({ app, userId, body }) => {
      const target = await getRelease({ appId: app.id, release: String(body.release) });
      const created = await rollbackRelease({ appId: app.id, userId, version: target.version });
      return { status: 201, body: releaseShape(app, { ...created, current: true }) };
    },
  }),
  appRoute("GET", "/apps/:app/builds", "builds:list", {
    handler: async ({ req, app }) => {
      const builds = await listBuilds({ appId: app.id, limit: 1000 });
      return paginate(req, builds, { created_at: (b) => b.createdAt.toISOString(), id: (b) => b.id }, (b) => buildShape(app, b));
    },
  }),
  appRoute("GET", "/apps/:app/builds/:build", "builds:list", {
    handler: async ({ app, params }) => {
      if (!/^[0-9a-f-]{36}$/.test(params.build!)) throw new AppError("NOT_FOUND", "Couldn't find that build.", { resource: "build" });
      return { body: buildShape(app, await getBuild({ appId: app.id, buildId: params.build! })) };
    },
  }),
  // pipelines:diff reads the commit of a release's slug: a build's id, or a promoted release's own id.
  appRoute("GET", "/apps/:app/slugs/:slug", "releases:list", {
    handler: async ({ app, params }) => ({ body: slugShape(app, await getSlug({ appId: app.id, slug: params.slug! })) }),
  }),
  // Values, so "deploy" as for the app's own config vars.
  appRoute("GET", "/apps/:app/releases/:release/config-vars", "config:read", {
    handler: async ({ app, params }) => ({ body: await getReleaseConfig({ appId: app.id, release: params.release! }) }),
  }),
];
