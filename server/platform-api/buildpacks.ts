import "server-only";
import { z } from "zod";
import { AppError } from "@/server/errors";
import { SETTABLE_BUILDPACKS, settableBuildpack } from "@/server/build/buildpack-names";
import { appRoute, publicRoute } from "@/server/platform-api/router";
import { purgeBuildCache } from "@/server/services/build-cache";
import { listBuildpacks, setBuildpacks } from "@/server/services/buildpacks";

// `heroku buildpacks[:set|:add|:remove|:clear]` and `heroku builds:cache:purge`.
// The CLI reads and replaces the whole list through buildpack-installations. Before a PUT
// it turns a name such as heroku/python into a URL by asking the buildpack registry
// (HEROKU_BUILDPACK_REGISTRY_URL; Slipway answers at its own address for the buildpacks
// it has). When the registry does not know a name the CLI sends the entry without one,
// and the PUT refuses it (services/buildpacks.ts).

const installationShape = (name: string, ordinal: number) => ({ ordinal, buildpack: { url: name, name } });

const putBody = z.object({
  updates: z.array(z.object({ buildpack: z.string().max(2000).nullish() }).passthrough()).max(20),
});

/** Heroku's registry record for a buildpack, with what the CLI reads (blob_url). */
function registryEntry(name: string) {
  const known = settableBuildpack(name);
  if (!known) throw new AppError("NOT_FOUND", `${name} is not in Slipway's buildpack registry: it has ${SETTABLE_BUILDPACKS.map((b) => b.name).join(" and ")}.`, { resource: "buildpack" });
  const [namespace, short] = known.name.split("/");
  return { id: known.name, name: short, namespace, blob_url: `urn:buildpack:${known.name}`, description: `${known.label} apps (${known.detects})` };
}

export const buildpackRoutes = [
  appRoute("GET", "/apps/:app/buildpack-installations", "buildpacks:list", {
    handler: async ({ app }) => ({ body: (await listBuildpacks(app.id)).installed.map(installationShape) }),
  }),
  appRoute("PUT", "/apps/:app/buildpack-installations", "buildpacks:write", {
    body: putBody,
    handler: async ({ app, userId, body }) => {
      const names = await setBuildpacks({ appId: app.id, userId, buildpacks: body.updates.map((u) => u.buildpack) });
      return { body: names.map(installationShape) };
    },
  }),
  // Heroku answers 202 with no body; the CLI ignores the body either way.
  appRoute("DELETE", "/apps/:app/build-cache", "builds:cache_purge", {
    handler: async ({ app, userId }) => {
      await purgeBuildCache({ appId: app.id, userId });
      return { status: 202, body: {} };
    },
  }),
  // The registry lookup the CLI makes (encodeURIComponent("heroku/python") is one segment).
  publicRoute("GET", "/buildpacks/:buildpack", async ({ params }) => ({ body: registryEntry(params.buildpack!) })),
  publicRoute("GET", "/buildpacks/:namespace/:name", async ({ params }) => ({ body: registryEntry(`${params.namespace}/${params.name}`) })),
];
