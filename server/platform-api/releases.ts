import "server-only";
import { paginate } from "@/server/platform-api/range";
import { appRoute } from "@/server/platform-api/router";
import { releaseShape } from "@/server/platform-api/shapes";
import { getRelease, getReleaseConfig, listReleases } from "@/server/services/releases";

// Paging happens on the whole list (Range may ask for any slice, in either order); an
// app's releases number in the hundreds at most.
const ALL = 100_000;

export const releaseRoutes = [
  appRoute("GET", "/apps/:app/releases", "view", {
    handler: async ({ req, app }) => {
      const releases = await listReleases({ appId: app.id, limit: ALL });
      return paginate(req, releases, { version: (r) => r.version, id: (r) => r.id }, (r) => releaseShape(app, r));
    },
  }),
  appRoute("GET", "/apps/:app/releases/:release", "view", {
    handler: async ({ app, params }) => ({ body: releaseShape(app, await getRelease({ appId: app.id, release: params.release! })) }),
  }),
  // Values, so "deploy" as for the app's own config vars.
  appRoute("GET", "/apps/:app/releases/:release/config-vars", "deploy", {
    handler: async ({ app, params }) => ({ body: await getReleaseConfig({ appId: app.id, release: params.release! }) }),
  }),
];
