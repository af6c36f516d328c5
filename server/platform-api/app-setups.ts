import "server-only";
import { z } from "zod";
import { userRoute } from "@/server/platform-api/router";
import { createAppSetup, getAppSetup, type AppSetupView } from "@/server/services/app-setups";

// Heroku's app-setups: POST /app-setups makes an app from a source tarball URL and its
// app.json and answers `pending` at once; GET /app-setups/:id is polled until `succeeded` or
// `failed` (as `heroku pipelines:setup` does). Not app routes: the app does not exist before
// the call, and after a failure it is gone; the service decides who may read a setup (its
// creator, or whoever may see its app) and createApp who may create in a team.

const REGION = "local";
const STACK = "bookworm";

const createBody = z.object({
  app: z
    .object({
      name: z.string().max(64).nullish(),
      organization: z.string().max(64).nullish(),
      team: z.string().max(64).nullish(),
      personal: z.boolean().nullish(),
      locked: z.boolean().nullish(),
      region: z.string().nullish().refine((r) => !r || r === REGION, `Unknown region. Slipway has one region: ${REGION}.`),
      stack: z.string().nullish().refine((s) => !s || s === STACK, `Unknown stack. Slipway has one stack: ${STACK}.`),
      space: z.null().optional(),
    })
    .nullish(),
  source_blob: z.object({
    url: z.string().min(1).max(2048),
    checksum: z.string().max(100).nullish(),
    version: z.string().max(200).nullish(),
  }),
  overrides: z
    .object({
      env: z.record(z.string(), z.string()).nullish(),
      buildpacks: z.array(z.object({ url: z.string() })).max(0, "Buildpack overrides are not supported here: name the buildpack in app.json.").nullish(),
    })
    .nullish(),
});

const iso = (d: Date) => d.toISOString();

export function appSetupShape(s: AppSetupView) {
  return {
    id: s.id,
    created_at: iso(s.createdAt),
    updated_at: iso(s.updatedAt),
    status: s.status,
    failure_message: s.failureMessage,
    app: { id: s.app.id, name: s.app.name },
    build: s.build ? { id: s.build.id, status: s.build.status === "succeeded" || s.build.status === "failed" ? s.build.status : "pending", output_stream_url: null } : null,
    manifest_errors: s.manifestErrors,
    postdeploy: s.postdeploy ? { output: s.postdeploy.output, exit_code: s.postdeploy.exitCode } : null,
    resolved_success_url: s.status === "succeeded" ? s.resolvedSuccessUrl : null,
  };
}

export const appSetupRoutes = [
  userRoute("POST", "/app-setups", {
    body: createBody,
    handler: async ({ userId, body }) => {
      const team = body.app?.personal ? null : (body.app?.team ?? body.app?.organization ?? null);
      const setup = await createAppSetup({
        userId,
        name: body.app?.name,
        teamName: team,
        source: { url: body.source_blob.url, checksum: body.source_blob.checksum },
        overrides: { env: body.overrides?.env ?? {} },
      });
      return { status: 201, body: appSetupShape(setup) };
    },
  }),
  userRoute("GET", "/app-setups/:setup", {
    handler: async ({ userId, params }) => ({ body: appSetupShape(await getAppSetup({ userId, setupId: params.setup! })) }),
  }),
];
