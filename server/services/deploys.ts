import "server-only";
import { decryptJson, encrypt } from "@/server/crypto";
import { db } from "@/server/db";
import { AppError } from "@/server/errors";
import { recordActivity } from "@/server/services/activity";
import { apiLog } from "@/server/services/api-log";
import { imageForApp } from "@/server/build/image-policy";
import { inspectImage } from "@/server/build/images";
import { pokeApp } from "@/server/runtime";
import { ensureFormation } from "@/server/services/formation";
import { appendRelease, withReleaseTx } from "@/server/services/releases";

type ImageRelease = {
  appId: string;
  userId: string | null;
  imageTag: string;
  processTypes: Record<string, string>;
  description: string;
  buildId?: string | null;
  /** The commit the image was built from (a build's, or the promoted release's). */
  commit?: string | null;
  outputSource?: "build" | "release" | null;
};

/**
 * Records release vN of an image with the app's current config, and formation entries
 * for new process types. `pending` (a release phase is to run first) leaves the current
 * release in place; the caller then pokes the dyno manager when it goes live.
 * The release keeps the image's full `sha256:` id, not its name: dynos start from that
 * id, so re-tagging the name later cannot change the code a release runs.
 */
export async function createImageRelease(input: ImageRelease & { status: "pending" | "succeeded" }) {
  const imageId = await pinImage(input.imageTag);
  return withReleaseTx(async (tx) => {
    const r = await appendRelease(tx, {
      appId: input.appId,
      userId: input.userId,
      description: input.description,
      imageTag: imageId,
      processTypes: input.processTypes,
      buildId: input.buildId ?? null,
      commit: input.commit ?? null,
      status: input.status,
      outputSource: input.outputSource ?? null,
    });
    await ensureFormation(tx, input.appId, input.processTypes);
    return r;
  });
}

/**
 * Releases an image: a new numbered release, then the dyno manager rolls the formation
 * onto it (web with preboot). Tests and `releases.deployImage` use it; builds go through
 * createImageRelease for their release phase.
 */
export async function releaseImage(input: ImageRelease) {
  const release = await createImageRelease({ ...input, status: "succeeded" });
  await apiLog(input.appId, input.userId, input.description);
  await apiLog(input.appId, input.userId, `Release v${release.version} created`);
  await recordActivity({
    kind: "deploy.released",
    message: `${input.description}: released v${release.version}`,
    appId: input.appId,
    userId: input.userId,
    data: { release: release.version, image: input.imageTag, buildId: input.buildId ?? null },
  });
  void pokeApp(input.appId);
  return release;
}

async function pinImage(ref: string): Promise<string> {
  if (/^sha256:[0-9a-f]{64}$/.test(ref)) return ref;
  const image = await inspectImage(ref);
  if (!image) throw new AppError("BAD_REQUEST", `No image ${ref} on this platform's Docker Engine.`, { fieldErrors: { image: "Image not found." } });
  return image.id;
}

/**
 * `releases.deployImage` (like `heroku container:release`): releases an image already on
 * the Engine, which must be one built for this app or a shared allowed image.
 */
export async function deployImage(input: { appId: string; userId: string | null; image: string; processTypes: Record<string, string> }) {
  const imageId = await imageForApp(input.appId, input.image);
  return releaseImage({ appId: input.appId, userId: input.userId, imageTag: imageId, processTypes: input.processTypes, description: `Deploy ${input.image}` });
}

/**
 * Heroku's rollback: a new release with an earlier release's image, process types and
 * config vars (the app's config vars are set back to that snapshot too).
 */
export async function rollbackRelease(input: { appId: string; userId: string | null; version: number }) {
  const target = await db.release.findFirst({
    where: { appId: input.appId, version: input.version },
    select: { version: true, status: true, imageTag: true, processTypes: true, configEnc: true, buildId: true, commit: true },
  });
  if (!target) throw new AppError("NOT_FOUND", `Couldn't find release v${input.version}.`, { resource: "release" });
  if (target.status !== "succeeded") {
    throw new AppError("UNPROCESSABLE", `v${target.version} ${target.status === "failed" ? "failed" : "is still pending"}; only a succeeded release can be rolled back to.`);
  }
  if (!target.imageTag) throw new AppError("UNPROCESSABLE", `v${target.version} has no code (it came before the first deploy); choose a later release.`);
  const config = decryptJson<Record<string, string>>(target.configEnc);
  const processTypes = (target.processTypes ?? {}) as Record<string, string>;
  const release = await withReleaseTx(async (tx) => {
    await tx.configVar.deleteMany({ where: { appId: input.appId } });
    if (Object.keys(config).length) {
      await tx.configVar.createMany({ data: Object.entries(config).map(([key, value]) => ({ appId: input.appId, key, valueEnc: encrypt(value) })) });
    }
    const r = await appendRelease(tx, {
      appId: input.appId,
      userId: input.userId,
      description: `Rollback to v${target.version}`,
      config,
      imageTag: target.imageTag,
      processTypes,
      buildId: target.buildId,
      commit: target.commit,
      rollbackOf: target.version,
    });
    await ensureFormation(tx, input.appId, processTypes);
    return r;
  });
  await apiLog(input.appId, input.userId, `Rollback to v${target.version}`);
  await apiLog(input.appId, input.userId, `Release v${release.version} created`);
  await recordActivity({
    kind: "deploy.rollback",
    message: `Rolled back to v${target.version}: released v${release.version}`,
    appId: input.appId,
    userId: input.userId,
    data: { release: release.version, rollbackOf: target.version },
  });
  void pokeApp(input.appId);
  return release;
}
