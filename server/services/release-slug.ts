import "server-only";
// A new release of a build's image (Heroku's POST /apps/{app}/releases with a slug), which
// is how `heroku releases:retry` copies the latest release and runs its release phase
// again. The release is answered at once (pending when there is a release phase); the
// phase runs in the background and its output is the release's own (releases:output).
import { db } from "@/server/db";
import { AppError, toAppError } from "@/server/errors";
import { openReleaseLog } from "@/server/build/output";
import { runReleasePhase } from "@/server/build/release-phase";
import { pokeApp } from "@/server/runtime";
import { recordActivity } from "@/server/services/activity";
import { apiLog } from "@/server/services/api-log";
import { createImageRelease } from "@/server/services/deploys";

export async function releaseSlug(input: { appId: string; userId: string | null; slug: string; description?: string | null }) {
  // The slug is a build; its image and process types are those of its newest release
  // (failed ones included: retrying a failed release phase is the point).
  const source = /^[0-9a-f-]{36}$/.test(input.slug)
    ? await db.release.findFirst({
        // A promoted release has no build of this app: its slug is the release itself.
        where: { appId: input.appId, imageTag: { not: null }, OR: [{ buildId: input.slug }, { id: input.slug }] },
        orderBy: { version: "desc" },
        select: { imageTag: true, processTypes: true, buildId: true, commit: true },
      })
    : null;
  if (!source?.imageTag) throw new AppError("NOT_FOUND", "Couldn't find that slug.", { resource: "slug" });
  const processTypes = (source.processTypes ?? {}) as Record<string, string>;
  const command = processTypes.release;
  const description = input.description?.trim().slice(0, 500) || `Deploy ${input.slug.slice(0, 7)}`;
  const created = await createImageRelease({
    appId: input.appId,
    userId: input.userId,
    description,
    imageTag: source.imageTag,
    processTypes,
    buildId: source.buildId,
    commit: source.commit,
    status: command ? "pending" : "succeeded",
    outputSource: command ? "release" : null,
  });
  if (!command) {
    await released(input, description, created.version);
    return created;
  }
  const log = openReleaseLog(created.id);
  void (async () => {
    try {
      await runReleasePhase({ appId: input.appId, release: created, command, log });
      log.line(`-----> Released v${created.version}`);
      await released(input, description, created.version);
      await log.end({ status: "succeeded", error: null, release: { version: created.version } });
    } catch (err) {
      const message = toAppError(err).message;
      log.line(` !     ${message}`);
      await recordActivity({ kind: "deploy.release_failed", message: `${description}: v${created.version} failed in its release phase`, appId: input.appId, userId: input.userId, data: { release: created.version } }).catch(
        (e: unknown) => console.error("slipway: could not record a failed release", e),
      );
      await log.end({ status: "failed", error: message, release: { version: created.version } });
    }
  })();
  return created;
}

async function released(input: { appId: string; userId: string | null }, description: string, version: number) {
  await apiLog(input.appId, input.userId, description);
  await apiLog(input.appId, input.userId, `Release v${version} created`);
  await recordActivity({ kind: "deploy.released", message: `${description}: released v${version}`, appId: input.appId, userId: input.userId, data: { release: version } });
  void pokeApp(input.appId);
}
