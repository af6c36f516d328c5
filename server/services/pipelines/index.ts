import "server-only";
import { STAGES, type Stage } from "@/server/auth/permissions";
import { db } from "@/server/db";
import { AppError, isUniqueViolation } from "@/server/errors";
import { appPermissions, assertAllowed, findAppForUser, type AccessibleApp } from "@/server/services/access";
import { recordActivity } from "@/server/services/activity";
import { listApps } from "@/server/services/apps";
import { appNameSchema } from "@/server/services/names";
import {
  assertPipelineAllowed,
  findPipelineForUser,
  pipelineSelect,
  visiblePipelinesWhere,
  type AccessiblePipeline,
} from "@/server/services/pipelines/access";
import { destroyReviewApp } from "@/server/services/pipelines/review-apps";
import { requireTeamRole } from "@/server/services/teams/roles";

// Pipelines as Heroku has them: a named group of apps, each coupled to one stage (review,
// development, staging, production), owned by a user or a team. Slipway keeps a
// pipeline's apps with the pipeline's owner (Heroku only warns about mixed ownership):
// a pipeline page shows its apps' releases to everyone who sees the pipeline, so an app
// of another owner could otherwise be shown to people who cannot see it.

export { findPipelineForUser, pipelineForUser, type AccessiblePipeline } from "@/server/services/pipelines/access";

export function isStage(value: string): value is Stage {
  return (STAGES as readonly string[]).includes(value);
}

function stageOf(value: string): Stage {
  if (!isStage(value)) {
    const message = `Unknown stage ${value}: use ${STAGES.join(", ")}.`;
    throw new AppError("UNPROCESSABLE", message, { fieldErrors: { stage: message } });
  }
  return value;
}

function validateName(name: string): string {
  const parsed = appNameSchema.safeParse(name);
  if (!parsed.success) {
    const message = parsed.error.issues[0]!.message;
    throw new AppError("UNPROCESSABLE", message, { fieldErrors: { name: message } });
  }
  return parsed.data;
}

const taken = (name: string) => new AppError("CONFLICT", `Name ${name} is already taken by another pipeline.`, { fieldErrors: { name: "Already taken." } });

/** A team by name or id, if the user may create things in it (member or admin). */
async function teamForCreate(userId: string, team: string) {
  const byId = /^[0-9a-f-]{36}$/i.test(team) ? await db.team.findUnique({ where: { id: team }, select: { name: true } }) : null;
  return requireTeamRole({ userId, teamName: byId?.name ?? team, minRole: "member" });
}

/**
 * `heroku pipelines:create NAME -a APP [-t TEAM]` and the dashboard's form: a pipeline of
 * the user or of a team they may create apps in, with its first app when one is given.
 */
export async function createPipeline(input: { userId: string; name: string; team?: string | null; app?: string | null; stage?: string | null }) {
  const name = validateName(input.name);
  const team = input.team ? await teamForCreate(input.userId, input.team) : null;
  let pipeline;
  try {
    pipeline = await db.pipeline.create({ data: { name, ownerId: team ? null : input.userId, teamId: team?.id ?? null }, select: pipelineSelect });
  } catch (err) {
    if (isUniqueViolation(err)) throw taken(name);
    throw err;
  }
  await recordActivity({ kind: "pipeline.created", message: `Created pipeline ${name}${team ? ` in team ${team.name}` : ""}`, teamId: team?.id ?? null, userId: input.userId, data: { pipeline: name } });
  const created: AccessiblePipeline = { ...pipeline, role: "admin" };
  if (input.app) {
    try {
      await coupleApp({ userId: input.userId, pipeline: created, app: input.app, stage: input.stage ?? "production" });
    } catch (err) {
      // The CLI creates and couples in two calls; the dashboard's one form makes both or neither.
      await db.pipeline.delete({ where: { id: pipeline.id } }).catch(() => undefined);
      throw err;
    }
  }
  return pipeline;
}

/** The pipelines a user can see (their own and their teams'), optionally with one name. */
export async function listPipelines(input: { userId: string; name?: string | null; teamName?: string | null }) {
  return db.pipeline.findMany({
    where: {
      ...visiblePipelinesWhere(input.userId),
      ...(input.name ? { name: input.name } : {}),
      ...(input.teamName ? { team: { name: input.teamName } } : {}),
    },
    orderBy: { name: "asc" },
    select: { ...pipelineSelect, _count: { select: { couplings: true } } },
  });
}

export async function renamePipeline(input: { pipeline: AccessiblePipeline; name: string }) {
  const name = validateName(input.name);
  try {
    const updated = await db.pipeline.update({ where: { id: input.pipeline.id }, data: { name }, select: pipelineSelect });
    await recordActivity({ kind: "pipeline.renamed", message: `Renamed pipeline ${input.pipeline.name} to ${name}`, teamId: input.pipeline.teamId, data: { from: input.pipeline.name, to: name } });
    return updated;
  } catch (err) {
    if (isUniqueViolation(err)) throw taken(name);
    throw err;
  }
}

/**
 * Destroys a pipeline: its apps stay (uncoupled), its review apps go with it (they exist
 * only for the pipeline; each runs its pr-predestroy first). The caller confirms with the
 * name, as for apps.
 */
export async function destroyPipeline(input: { pipeline: AccessiblePipeline; confirm: string; userId: string }) {
  if (input.confirm !== input.pipeline.name) {
    throw new AppError("BAD_REQUEST", `Type the pipeline's name (${input.pipeline.name}) to confirm.`, { fieldErrors: { confirm: "Does not match the pipeline's name." } });
  }
  const reviewApps = await db.reviewApp.findMany({ where: { pipelineId: input.pipeline.id }, select: { id: true } });
  for (const r of reviewApps) await destroyReviewApp({ reviewAppId: r.id, userId: input.userId, reason: "its pipeline was destroyed" });
  await db.pipeline.delete({ where: { id: input.pipeline.id } });
  await recordActivity({ kind: "pipeline.destroyed", message: `Destroyed pipeline ${input.pipeline.name}`, teamId: input.pipeline.teamId, data: { pipeline: input.pipeline.name } });
  return input.pipeline;
}

// ---- couplings ---------------------------------------------------------------------------

export const couplingSelect = {
  id: true,
  stage: true,
  createdAt: true,
  updatedAt: true,
  app: { select: { id: true, name: true } },
  pipeline: { select: { id: true, name: true } },
} as const;

function assertSameOwner(pipeline: Pick<AccessiblePipeline, "name" | "ownerId" | "teamId" | "team">, app: Pick<AccessibleApp, "name" | "ownerId" | "teamId">) {
  if (pipeline.teamId === app.teamId && pipeline.ownerId === app.ownerId) return;
  const owner = pipeline.team ? `team ${pipeline.team.name}` : "its owner";
  throw new AppError(
    "UNPROCESSABLE",
    `${app.name} does not belong to ${owner}: a pipeline's apps belong to the pipeline's owner. Transfer the app (or the pipeline) first.`,
    { fieldErrors: { app: "Another owner's app." } },
  );
}

/** `pipelines:add` / `pipelines:create -a`: puts an app the caller may deploy into the pipeline at a stage. */
export async function coupleApp(input: { userId: string; pipeline: AccessiblePipeline | string; app: string; stage: string }) {
  const stage = stageOf(input.stage);
  const pipeline =
    typeof input.pipeline === "string" ? await findPipelineForUser({ userId: input.userId, pipeline: input.pipeline, operation: "pipeline:couple" }) : input.pipeline;
  const app = await findAppForUser({ userId: input.userId, app: input.app, operation: "pipeline:couple-app" });
  assertSameOwner(pipeline, app);
  const existing = await db.pipelineCoupling.findUnique({ where: { appId: app.id }, select: { pipeline: { select: { name: true } } } });
  if (existing) {
    throw new AppError("CONFLICT", `${app.name} is already in pipeline ${existing.pipeline.name}; move it with \`heroku pipelines:update -s STAGE -a ${app.name}\` or remove it first.`);
  }
  try {
    const coupling = await db.pipelineCoupling.create({ data: { pipelineId: pipeline.id, appId: app.id, stage }, select: couplingSelect });
    await recordActivity({ kind: "pipeline.app_added", message: `Added to pipeline ${pipeline.name} as ${stage}`, appId: app.id, data: { pipeline: pipeline.name, stage } });
    return coupling;
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError("CONFLICT", `${app.name} is already in a pipeline.`);
    throw err;
  }
}

/** A coupling (by id, or by its app's name or id) if the caller may change it: couple on the pipeline, couple-app on the app. */
export async function findCouplingForChange(input: { userId: string; coupling?: string; app?: string }) {
  const row = await db.pipelineCoupling.findFirst({
    where: input.coupling ? { id: /^[0-9a-f-]{36}$/i.test(input.coupling) ? input.coupling : "-" } : { app: /^[0-9a-f-]{36}$/i.test(input.app!) ? { id: input.app } : { name: input.app } },
    select: { id: true, appId: true, pipelineId: true },
  });
  const notFound = () => new AppError("NOT_FOUND", "Couldn't find that pipeline coupling.", { resource: "pipeline_coupling" });
  if (!row) throw notFound();
  // Seen only by those who see both the app and the pipeline.
  const pipeline = await findPipelineForUser({ userId: input.userId, pipeline: row.pipelineId, operation: "pipeline:view" }).catch((err) => {
    throw err instanceof AppError && err.code === "NOT_FOUND" ? notFound() : err;
  });
  const app = await findAppForUser({ userId: input.userId, app: row.appId, operation: "app:info" }).catch((err) => {
    throw err instanceof AppError && err.code === "NOT_FOUND" ? notFound() : err;
  });
  assertPipelineAllowed(pipeline, "pipeline:couple");
  assertAllowed(app, "pipeline:couple-app");
  return { id: row.id, pipeline, app };
}

/** `pipelines:update -s STAGE`: moves the app to another stage of its pipeline. */
export async function setCouplingStage(input: { userId: string; coupling?: string; app?: string; stage: string }) {
  const stage = stageOf(input.stage);
  const { id, pipeline, app } = await findCouplingForChange(input);
  const coupling = await db.pipelineCoupling.update({ where: { id }, data: { stage }, select: couplingSelect });
  await recordActivity({ kind: "pipeline.app_moved", message: `Moved to ${stage} in pipeline ${pipeline.name}`, appId: app.id, data: { pipeline: pipeline.name, stage } });
  return coupling;
}

/** `pipelines:remove`: takes the app out of its pipeline (the review apps' parent must stay while they are enabled). */
export async function removeCoupling(input: { userId: string; coupling?: string; app?: string }) {
  const { id, pipeline, app } = await findCouplingForChange(input);
  const parentOf = await db.reviewAppConfig.findFirst({ where: { pipelineId: pipeline.id, parentAppId: app.id }, select: { pipelineId: true } });
  if (parentOf) throw new AppError("CONFLICT", `${app.name} is the parent of ${pipeline.name}'s review apps: disable review apps (or choose another parent) first.`);
  const coupling = await db.pipelineCoupling.delete({ where: { id }, select: couplingSelect });
  await recordActivity({ kind: "pipeline.app_removed", message: `Removed from pipeline ${pipeline.name}`, appId: app.id, data: { pipeline: pipeline.name } });
  return coupling;
}

/** The pipeline's couplings, only of apps the caller can see (a locked team app stays hidden). */
export async function listCouplings(input: { userId: string; pipeline: AccessiblePipeline }) {
  const rows = await db.pipelineCoupling.findMany({ where: { pipelineId: input.pipeline.id }, orderBy: { createdAt: "asc" }, select: couplingSelect });
  const visible = await Promise.all(rows.map((r) => appPermissions({ userId: input.userId, app: r.app.id })));
  return rows.filter((_, i) => visible[i] !== null);
}

/** The coupling of an app the caller can see (GET /apps/:app/pipeline-couplings, the app page's link). */
export async function couplingOfApp(appId: string) {
  return db.pipelineCoupling.findUnique({ where: { appId }, select: couplingSelect });
}

/** Apps the caller could add: the pipeline owner's, in no pipeline, that they may deploy. */
export async function addableApps(input: { userId: string; pipeline: AccessiblePipeline }) {
  const apps = await listApps({ userId: input.userId, teamName: input.pipeline.team?.name ?? null, scope: input.pipeline.teamId ? "all" : "personal" });
  const mine = apps.filter((a) => a.teamId === input.pipeline.teamId && a.ownerId === input.pipeline.ownerId);
  const coupled = new Set((await db.pipelineCoupling.findMany({ where: { appId: { in: mine.map((a) => a.id) } }, select: { appId: true } })).map((c) => c.appId));
  const result = [];
  for (const app of mine.filter((a) => !coupled.has(a.id))) {
    const access = await appPermissions({ userId: input.userId, app: app.id });
    if (access?.permissions.includes("deploy")) result.push({ id: app.id, name: app.name });
  }
  return result;
}
