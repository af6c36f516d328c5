import "server-only";
import { currentOrigin, withOrigin } from "@/server/audit/origin";
import { db } from "@/server/db";
import { AppError, toAppError } from "@/server/errors";
import { inspectImage, tagImage } from "@/server/build/images";
import { findAppForUser } from "@/server/services/access";
import { recordActivity } from "@/server/services/activity";
import { openReleaseLog } from "@/server/build/output";
import { runReleasePhase } from "@/server/build/release-phase";
import { pokeApp } from "@/server/runtime";
import { apiLog } from "@/server/services/api-log";
import { createImageRelease } from "@/server/services/deploys";
import { findPipelineForUser, pipelineForUser } from "@/server/services/pipelines/access";

// Promotion, as on Heroku: the source app's current release (its image, pinned by sha256
// id, and its process types) becomes a new release of each target — "Promote from
// staging-app v12" — with the target's own config vars, running the target's release
// phase; nothing is built again. Several targets are promoted at once, each with its own
// result (Platform API pipeline-promotions and their promotion-targets).

export const PROMOTION_ORDER = ["development", "staging", "production"] as const;

const targetSelect = { id: true, appId: true, appName: true, status: true, releaseId: true, releaseVersion: true, error: true, createdAt: true, updatedAt: true } as const;
export const promotionSelect = {
  id: true,
  pipelineId: true,
  sourceAppId: true,
  sourceAppName: true,
  sourceVersion: true,
  status: true,
  createdAt: true,
  updatedAt: true,
  pipeline: { select: { id: true, name: true } },
  targets: { select: targetSelect, orderBy: { appName: "asc" as const } },
} as const;

/** The stage after `stage` that promotions go to by default (none after production or from review). */
export function downstreamStage(stage: string): string | null {
  const i = (PROMOTION_ORDER as readonly string[]).indexOf(stage);
  return i >= 0 && i < PROMOTION_ORDER.length - 1 ? PROMOTION_ORDER[i + 1]! : null;
}

/**
 * Checks everything and records the promotion, then promotes in the background (the CLI
 * polls the targets). `targets` omitted: every app of the next stage, as the CLI does.
 */
export async function promote(input: { userId: string; pipeline: string; source: string; targets?: string[] | null }) {
  const pipeline = await findPipelineForUser({ userId: input.userId, pipeline: input.pipeline, operation: "pipeline:promote" });
  const source = await findAppForUser({ userId: input.userId, app: input.source, operation: "pipeline:promote-from" });
  const couplings = await db.pipelineCoupling.findMany({ where: { pipelineId: pipeline.id }, select: { appId: true, stage: true, app: { select: { name: true } } } });
  const sourceCoupling = couplings.find((c) => c.appId === source.id);
  if (!sourceCoupling) throw new AppError("UNPROCESSABLE", `${source.name} is not in pipeline ${pipeline.name}.`);

  let targetRefs = input.targets ?? null;
  if (!targetRefs?.length) {
    const next = downstreamStage(sourceCoupling.stage);
    if (!next) throw new AppError("UNPROCESSABLE", `Cannot promote ${source.name} from its ${sourceCoupling.stage} stage: name the target apps.`);
    targetRefs = couplings.filter((c) => c.stage === next).map((c) => c.appId);
    if (!targetRefs.length) throw new AppError("UNPROCESSABLE", `Cannot promote from ${source.name}: there are no apps in the ${next} stage.`);
  }
  const targets: Awaited<ReturnType<typeof findAppForUser>>[] = [];
  for (const ref of new Set(targetRefs)) {
    const app = await findAppForUser({ userId: input.userId, app: ref, operation: "pipeline:promote-to" });
    if (app.id === source.id) throw new AppError("UNPROCESSABLE", `Cannot promote from an app to itself: ${app.name}.`);
    if (!couplings.some((c) => c.appId === app.id)) throw new AppError("UNPROCESSABLE", `${app.name} is not in pipeline ${pipeline.name}.`);
    if (!targets.some((t) => t.id === app.id)) targets.push(app);
  }

  const release = await db.release.findFirst({
    where: { appId: source.id, status: "succeeded", imageTag: { not: null } },
    orderBy: { version: "desc" },
    select: { id: true, version: true, imageTag: true, processTypes: true, commit: true },
  });
  if (!release?.imageTag) throw new AppError("UNPROCESSABLE", `${source.name} has no release with code to promote: deploy it first.`);
  if (!(await inspectImage(release.imageTag))) {
    throw new AppError("UNPROCESSABLE", `The image of ${source.name} v${release.version} is no longer on this platform's Docker Engine; deploy ${source.name} again, then promote.`);
  }

  const promotion = await db.pipelinePromotion.create({
    data: {
      pipelineId: pipeline.id,
      sourceAppId: source.id,
      sourceAppName: source.name,
      sourceVersion: release.version,
      userId: input.userId,
      targets: { create: targets.map((t) => ({ appId: t.id, appName: t.name })) },
    },
    select: promotionSelect,
  });
  await recordActivity({
    kind: "pipeline.promoted",
    message: `Promoting ${source.name} v${release.version} to ${targets.map((t) => t.name).join(", ")}`,
    appId: source.id,
    data: { pipeline: pipeline.name, promotion: promotion.id, version: release.version, targets: targets.map((t) => t.name) },
  });
  const origin = currentOrigin();
  void withOrigin(origin, () => runPromotion(promotion.id, input.userId, source.name, release as Required<typeof release> & { imageTag: string })).catch((err) =>
    console.error("slipway: promotion", promotion.id, "failed", err),
  );
  return promotion;
}

async function runPromotion(
  promotionId: string,
  userId: string,
  sourceName: string,
  release: { id: string; version: number; imageTag: string; processTypes: unknown; commit: string | null },
) {
  const targets = await db.promotionTarget.findMany({ where: { promotionId }, select: { id: true, appId: true, appName: true } });
  await Promise.all(targets.map((t) => promoteTo(t, userId, sourceName, release)));
  await db.pipelinePromotion.update({ where: { id: promotionId }, data: { status: "completed" } });
}

async function promoteTo(
  target: { id: string; appId: string | null; appName: string },
  userId: string,
  sourceName: string,
  release: { id: string; version: number; imageTag: string; processTypes: unknown; commit: string | null },
) {
  try {
    if (!target.appId) throw new AppError("NOT_FOUND", `${target.appName} no longer exists.`);
    // The target's own name for the image: destroying the source app untags its names
    // only, so the image stays for every app a release of it was promoted to.
    await tagImage(release.imageTag, `slipway-app/${target.appId}`, `promoted-${release.id.slice(0, 12)}`);
    const description = `Promote from ${sourceName} v${release.version}`;
    const processTypes = (release.processTypes ?? {}) as Record<string, string>;
    const command = processTypes.release;
    const created = await createImageRelease({
      appId: target.appId,
      userId,
      description,
      imageTag: release.imageTag,
      processTypes,
      commit: release.commit,
      status: command ? "pending" : "succeeded",
      // The release phase's output is the release's own (output_stream_url, releases:output).
      outputSource: command ? "release" : null,
    });
    // Reported at once, so `pipelines:promote` can stream a single target's release phase.
    await db.promotionTarget.update({ where: { id: target.id }, data: { releaseId: created.id, releaseVersion: created.version } });
    if (command) {
      const log = openReleaseLog(created.id);
      try {
        await runReleasePhase({ appId: target.appId, release: created, command, log });
        log.line(`-----> Released v${created.version}`);
        await log.end({ status: "succeeded", error: null, release: { version: created.version } });
      } catch (err) {
        log.line(` !     ${toAppError(err).message}`);
        await log.end({ status: "failed", error: toAppError(err).message, release: { version: created.version } });
        throw err;
      }
    }
    await apiLog(target.appId, userId, description);
    await apiLog(target.appId, userId, `Release v${created.version} created`);
    await recordActivity({
      kind: "deploy.promoted",
      message: `${description}: released v${created.version}`,
      appId: target.appId,
      userId,
      data: { release: created.version, image: release.imageTag, from: sourceName, fromVersion: release.version },
    });
    void pokeApp(target.appId);
    await db.promotionTarget.update({ where: { id: target.id }, data: { status: "succeeded", releaseId: created.id, releaseVersion: created.version } });
  } catch (err) {
    const e = toAppError(err);
    if (e.code === "INTERNAL") console.error("slipway: promoting to", target.appName, "failed", err);
    await db.promotionTarget.update({ where: { id: target.id }, data: { status: "failed", error: e.code === "INTERNAL" ? "The platform failed to promote to this app; the server log has the details." : e.message } });
  }
}

/** A promotion, if the caller sees its pipeline. */
export async function getPromotion(input: { userId: string; promotion: string }) {
  const row = /^[0-9a-f-]{36}$/i.test(input.promotion) ? await db.pipelinePromotion.findUnique({ where: { id: input.promotion }, select: promotionSelect }) : null;
  if (!row || !(await pipelineForUser({ userId: input.userId, pipeline: row.pipelineId }))) {
    throw new AppError("NOT_FOUND", "Couldn't find that promotion.", { resource: "pipeline_promotion" });
  }
  return row;
}

export async function listPromotions(pipelineId: string, take = 10) {
  return db.pipelinePromotion.findMany({ where: { pipelineId }, orderBy: { createdAt: "desc" }, take, select: promotionSelect });
}

/** After a restart nothing runs promotions that were in flight: end their targets with a message. */
export async function failInterruptedPromotions() {
  const message = "The platform restarted while this promotion was in progress; promote again.";
  await db.promotionTarget.updateMany({ where: { status: "pending" }, data: { status: "failed", error: message } });
  await db.pipelinePromotion.updateMany({ where: { status: "pending" }, data: { status: "completed" } });
}
