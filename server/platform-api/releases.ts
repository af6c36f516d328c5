import "server-only";
import { paginate } from "@/server/platform-api/range";
import { appRoute } from "@/server/platform-api/router";
import { releaseShape } from "@/server/platform-api/shapes";
import { z } from "zod";
import { AppError } from "@/server/errors";
import { buildShape } from "@/server/platform-api/shapes";
import { getBuild, listBuilds } from "@/server/services/builds";
import { rollbackRelease } from "@/server/services/deploys";
import { slugShape } from "@/server/platform-api/shapes";
import { getRelease, getReleaseConfig, getSlug, listReleases } from "@/server/services/releases";
import { releaseSlug } from "@/server/services/release-slug";
import { apiKeyFrom } from "@/server/auth/basic";
import { authenticateApiKey } from "@/server/services/api-keys";
import type { OutputViewer } from "@/server/build/output-stream";

/** Who output_stream_url links are made for: the caller, and the API key they used (revoking it ends the link). */
async function viewerOf(req: Request, userId: string): Promise<OutputViewer> {
  return { userId, keyId: (await authenticateApiKey(apiKeyFrom(req.headers.get("authorization")) ?? ""))?.keyId ?? null };
}

// POST /apps/:app/releases: `release` rolls back to it (releases:rollback); `slug` releases
// that build's image again (releases:retry sends the latest release's slug and a description).
const createBody = z
  .object({
    release: z.union([z.string().min(1).max(64), z.number().int().positive()]).optional(),
    slug: z.string().min(1).max(64).optional(),
    description: z.string().max(1000).optional(),
  })
  .refine((b) => b.release !== undefined || b.slug !== undefined, { message: "Give the release to roll back to, or the slug to release.", path: ["slug"] });

// Paging happens on the whole list (Range may ask for any slice, in either order); an
// app's releases number in the hundreds at most.
const ALL = 100_000;

export const releaseRoutes = [
  appRoute("GET", "/apps/:app/releases", "releases:list", {
    handler: async ({ req, app, userId }) => {
      const releases = await listReleases({ appId: app.id, limit: ALL });
      const viewer = await viewerOf(req, userId);
      return paginate(req, releases, { version: (r) => r.version, id: (r) => r.id }, (r) => releaseShape(app, r, viewer));
    },
  }),
  appRoute("GET", "/apps/:app/releases/:release", "releases:list", {
    handler: async ({ req, app, params, userId }) => ({ body: releaseShape(app, await getRelease({ appId: app.id, release: params.release! }), await viewerOf(req, userId)) }),
  }),
  appRoute("POST", "/apps/:app/releases", (b) => (b.release === undefined ? "code:deploy" : "releases:rollback"), {
    body: createBody,
    handler: async ({ req, app, userId, body }) => {
      if (body.release !== undefined) {
        const target = await getRelease({ appId: app.id, release: String(body.release) });
        const created = await rollbackRelease({ appId: app.id, userId, version: target.version });
        return { status: 201, body: releaseShape(app, { ...created, current: true }, await viewerOf(req, userId)) };
      }
      const created = await releaseSlug({ appId: app.id, userId, slug: body.slug!, description: body.description });
      return { status: 201, body: releaseShape(app, { ...created, current: created.status === "succeeded" }, await viewerOf(req, userId)) };
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
