import "server-only";
import { z } from "zod";
import type { PipelineOperation } from "@/server/auth/permissions";
import { AppError } from "@/server/errors";
import { appRoute, userRoute, type Ctx, type Method, type Reply, type Route } from "@/server/platform-api/router";
import { findPipelineForUser, type AccessiblePipeline } from "@/server/services/pipelines/access";
import {
  coupleApp,
  couplingOfApp,
  createPipeline,
  destroyPipeline,
  listCouplings,
  listPipelines,
  removeCoupling,
  renamePipeline,
  setCouplingStage,
} from "@/server/services/pipelines";
import { getPromotion, promote } from "@/server/services/pipelines/promotion";
import { defaultParent, disableReviewApps, enableReviewApps, getReviewAppConfig, listReviewApps } from "@/server/services/pipelines/review-apps";
import { transferPipeline } from "@/server/services/pipelines/transfer";

// Pipelines, couplings, promotions, transfers and review-app settings as the official CLI
// calls them (pipelines, pipelines:create/add/remove/update/info/promote/diff/rename/
// destroy/transfer, reviewapps:enable/disable). Routes under /pipelines/:pipeline load the
// pipeline (name or id) and check the caller's role through pipelineRoute; the others name
// their pipeline or app in the body and their services check both.

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

type PipelineRow = { id: string; name: string; ownerId: string | null; teamId: string | null; createdAt: Date; updatedAt: Date };

export function pipelineShape(p: PipelineRow) {
  return {
    id: p.id,
    name: p.name,
    created_at: iso(p.createdAt),
    updated_at: iso(p.updatedAt),
    owner: p.teamId ? { id: p.teamId, type: "team" } : { id: p.ownerId, type: "user" },
    generation: { id: null, name: "cedar" },
  };
}

type CouplingRow = { id: string; stage: string; createdAt: Date; updatedAt: Date; app: { id: string; name: string }; pipeline: { id: string; name: string } };

function couplingShape(c: CouplingRow) {
  return { id: c.id, stage: c.stage, app: { id: c.app.id, name: c.app.name }, pipeline: { id: c.pipeline.id, name: c.pipeline.name }, created_at: iso(c.createdAt), updated_at: iso(c.updatedAt) };
}

type Promotion = Awaited<ReturnType<typeof getPromotion>>;

function promotionShape(p: Promotion) {
  return {
    id: p.id,
    pipeline: { id: p.pipelineId },
    source: { app: { id: p.sourceAppId }, release: { version: p.sourceVersion } },
    status: p.status,
    created_at: iso(p.createdAt),
    updated_at: iso(p.updatedAt),
  };
}

function targetShape(p: Promotion, t: Promotion["targets"][number]) {
  return {
    id: t.id,
    app: { id: t.appId, name: t.appName },
    release: t.releaseId ? { id: t.releaseId, version: t.releaseVersion } : null,
    status: t.status,
    error_message: t.error,
    pipeline_promotion: { id: p.id },
  };
}

type ReviewConfig = NonNullable<Awaited<ReturnType<typeof getReviewAppConfig>>>;

function reviewAppConfigShape(c: ReviewConfig) {
  return {
    pipeline_id: c.pipelineId,
    // Slipway's "repository" is the parent app's git repository.
    repo: { id: c.parentApp.id, name: c.parentApp.name },
    parent_app: { id: c.parentApp.id, name: c.parentApp.name },
    automatic_review_apps: c.automaticReviewApps,
    destroy_stale_apps: c.destroyStaleApps,
    stale_days: c.staleDays,
    wait_for_ci: false,
    deploy_target: null,
    base_name: null,
    created_at: iso(c.createdAt),
    updated_at: iso(c.updatedAt),
  };
}

type PipelineCtx<B> = Ctx<B> & { pipeline: AccessiblePipeline };

/** A route under `/pipelines/:pipeline`: the pipeline (name or id) is loaded if the caller may perform the operation. */
function pipelineRoute<S extends z.ZodType = z.ZodUnknown>(
  method: Method,
  pattern: string,
  operation: PipelineOperation,
  def: { body?: S; handler: (ctx: PipelineCtx<z.infer<S>>) => Promise<Reply> },
): Route {
  return {
    method,
    pipelineOperation: operation,
    segments: pattern.split("/").filter(Boolean),
    auth: "bearer",
    body: def.body,
    run: async (ctx) => {
      const pipeline = await findPipelineForUser({ userId: ctx.userId, pipeline: ctx.params.pipeline!, operation });
      return def.handler({ ...ctx, body: ctx.body as z.infer<S>, pipeline });
    },
  };
}

const ref = z.union([z.string().min(1).max(64), z.object({ id: z.string().min(1).max(64) }).transform((o) => o.id)]);
const stage = z.string().min(1).max(20);

const createBody = z.object({
  name: z.string().min(1).max(64),
  owner: z.object({ id: z.string().min(1).max(64), type: z.enum(["team", "user"]) }).nullish(),
  generation: z.unknown().optional(),
});

// What reviewapps:enable/disable send; `repo` is what GET /pipelines/:id/repo answered (the parent app).
const reviewConfigBody = z.object({
  repo: z.union([z.string().max(200), z.object({ id: z.string().max(64) }).transform((o) => o.id)]).nullish(),
  automatic_review_apps: z.boolean().nullish(),
  destroy_stale_apps: z.boolean().nullish(),
  stale_days: z.number().int().nullish(),
  wait_for_ci: z.boolean().nullish(),
  pipeline: z.string().max(64).nullish(),
});

/** A repository name as the CLI may echo it ("owner/name"): the app is its last part. */
const parentFrom = (repo: string | null | undefined) => (repo ? repo.split("/").pop()! : null);

async function ownerTeam(userId: string, owner: z.infer<typeof createBody>["owner"]): Promise<string | null> {
  if (!owner) return null;
  if (owner.type === "team") return owner.id;
  if (owner.id !== userId && owner.id !== "~") throw new AppError("FORBIDDEN", "A personal pipeline is created for yourself; use a team you are in for anyone else.");
  return null;
}

export const pipelineRoutes: Route[] = [
  // `heroku pipelines`, and `GET /pipelines?eq[name]=P` (how the CLI finds a pipeline by name).
  userRoute("GET", "/pipelines", {
    handler: async ({ req, userId }) => {
      const name = new URL(req.url).searchParams.get("eq[name]");
      return { body: (await listPipelines({ userId, name })).map(pipelineShape) };
    },
  }),
  userRoute("POST", "/pipelines", {
    body: createBody,
    handler: async ({ userId, body }) => ({ status: 201, body: pipelineShape(await createPipeline({ userId, name: body.name, team: await ownerTeam(userId, body.owner) })) }),
  }),
  pipelineRoute("GET", "/pipelines/:pipeline", "pipeline:view", { handler: async ({ pipeline }) => ({ body: pipelineShape(pipeline) }) }),
  pipelineRoute("PATCH", "/pipelines/:pipeline", "pipeline:rename", {
    body: z.object({ name: z.string().min(1).max(64) }),
    handler: async ({ pipeline, body }) => ({ body: pipelineShape(await renamePipeline({ pipeline, name: body.name })) }),
  }),
  // The CLI asks for nothing more than the name before it sends DELETE.
  pipelineRoute("DELETE", "/pipelines/:pipeline", "pipeline:destroy", {
    handler: async ({ pipeline, userId }) => ({ body: pipelineShape(await destroyPipeline({ pipeline, confirm: pipeline.name, userId })) }),
  }),
  pipelineRoute("GET", "/pipelines/:pipeline/pipeline-couplings", "pipeline:view", {
    handler: async ({ pipeline, userId }) => ({ body: (await listCouplings({ userId, pipeline })).map(couplingShape) }),
  }),
  // reviewapps:enable reads the pipeline's "connected repository" here: Slipway's is the parent app's.
  pipelineRoute("GET", "/pipelines/:pipeline/repo", "pipeline:view", {
    handler: async ({ pipeline }) => {
      const parent = await defaultParent(pipeline.id);
      return { body: { id: parent?.id ?? null, name: parent?.name ?? null, full_name: parent?.name ?? null, type: "slipway" } };
    },
  }),
  pipelineRoute("GET", "/pipelines/:pipeline/review-app-config", "pipeline:view", {
    handler: async ({ pipeline }) => {
      const config = await getReviewAppConfig(pipeline.id);
      if (!config) throw new AppError("NOT_FOUND", `Review apps are not enabled on ${pipeline.name}.`, { resource: "review_app_config" });
      return { body: reviewAppConfigShape(config) };
    },
  }),
  ...(["POST", "PATCH"] as const).map((method) =>
    pipelineRoute(method, "/pipelines/:pipeline/review-app-config", "pipeline:review-apps", {
      body: reviewConfigBody,
      handler: async ({ pipeline, userId, body }) => {
        const config = await enableReviewApps({
          userId,
          pipeline,
          parent: parentFrom(body.repo),
          settings: { automatic: body.automatic_review_apps, destroyStaleApps: body.destroy_stale_apps, staleDays: body.stale_days },
        });
        return { status: method === "POST" ? 201 : 200, body: reviewAppConfigShape(config) };
      },
    }),
  ),
  pipelineRoute("DELETE", "/pipelines/:pipeline/review-app-config", "pipeline:review-apps", {
    handler: async ({ pipeline }) => {
      const config = await getReviewAppConfig(pipeline.id);
      await disableReviewApps({ pipeline });
      return { body: config ? reviewAppConfigShape(config) : { pipeline_id: pipeline.id } };
    },
  }),
  pipelineRoute("GET", "/pipelines/:pipeline/review-apps", "pipeline:view", {
    handler: async ({ pipeline }) => ({
      body: (await listReviewApps(pipeline.id)).map((r) => ({
        id: r.id,
        app: { id: r.app.id, name: r.app.name },
        branch: r.branch,
        status: r.status,
        error_status: r.error,
        commit: r.commit,
        web_url: r.webUrl,
        pr_number: null,
        pipeline: { id: pipeline.id },
        created_at: iso(r.createdAt),
        updated_at: iso(r.updatedAt),
      })),
    }),
  }),
  userRoute("POST", "/pipeline-couplings", {
    body: z.object({ app: ref, pipeline: ref, stage }),
    handler: async ({ userId, body }) => ({ status: 201, body: couplingShape(await coupleApp({ userId, pipeline: body.pipeline, app: body.app, stage: body.stage })) }),
  }),
  userRoute("PATCH", "/pipeline-couplings/:coupling", {
    body: z.object({ stage }),
    handler: async ({ userId, params, body }) => ({ body: couplingShape(await setCouplingStage({ userId, coupling: params.coupling!, stage: body.stage })) }),
  }),
  userRoute("DELETE", "/pipeline-couplings/:coupling", {
    handler: async ({ userId, params }) => ({ body: couplingShape(await removeCoupling({ userId, coupling: params.coupling! })) }),
  }),
  // One object (apps:info and pipelines:promote read it); Heroku answers 404 for an app in no pipeline.
  appRoute("GET", "/apps/:app/pipeline-couplings", "app:info", {
    handler: async ({ app }) => {
      const coupling = await couplingOfApp(app.id);
      if (!coupling) throw new AppError("NOT_FOUND", "This app is not in a pipeline.", { resource: "pipeline_coupling" });
      return { body: couplingShape(coupling) };
    },
  }),
  userRoute("POST", "/pipeline-promotions", {
    body: z.object({
      pipeline: ref,
      source: z.object({ app: ref }),
      targets: z.array(z.object({ app: ref })).max(50).optional(),
    }),
    handler: async ({ userId, body }) => {
      const promotion = await promote({ userId, pipeline: body.pipeline, source: body.source.app, targets: body.targets?.map((t) => t.app) });
      return { status: 201, body: promotionShape(promotion) };
    },
  }),
  userRoute("GET", "/pipeline-promotions/:promotion", {
    handler: async ({ userId, params }) => ({ body: promotionShape(await getPromotion({ userId, promotion: params.promotion! })) }),
  }),
  userRoute("GET", "/pipeline-promotions/:promotion/promotion-targets", {
    handler: async ({ userId, params }) => {
      const promotion = await getPromotion({ userId, promotion: params.promotion! });
      return { body: promotion.targets.map((t) => targetShape(promotion, t)) };
    },
  }),
  userRoute("POST", "/pipeline-transfers", {
    body: z.object({ pipeline: z.object({ id: z.string().min(1).max(64) }), new_owner: z.object({ id: z.string().min(1).max(320), type: z.enum(["team", "user"]) }) }),
    handler: async ({ userId, body }) => {
      const pipeline = await findPipelineForUser({ userId, pipeline: body.pipeline.id, operation: "pipeline:transfer" });
      const moved = await transferPipeline({ userId, pipeline, newOwner: body.new_owner });
      return { status: 201, body: { id: moved.id, pipeline: { id: moved.id }, previous_owner: pipelineShape(pipeline).owner, new_owner: pipelineShape(moved).owner, created_at: iso(new Date()), updated_at: iso(new Date()) } };
    },
  }),
];
