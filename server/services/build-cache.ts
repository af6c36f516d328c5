import "server-only";
// `heroku builds:cache:purge`: the app's build cache (server/build/image.ts mounts it on
// /cache in every build) is removed, so the next build starts from nothing, as on Heroku.
import { db } from "@/server/db";
import { AppError } from "@/server/errors";
import { cacheVolumeName } from "@/server/build/image";
import { removeVolume } from "@/server/build/images";
import { engineStatus } from "@/server/runtime/docker";
import { recordActivity } from "@/server/services/activity";

const BUSY = "A build of this app is running and using its build cache; purge the cache once the build has finished.";

export async function purgeBuildCache(input: { appId: string; userId: string | null }): Promise<{ purged: boolean }> {
  if (await db.build.findFirst({ where: { appId: input.appId, status: "building" }, select: { id: true } })) {
    throw new AppError("CONFLICT", BUSY);
  }
  let purged: boolean;
  try {
    purged = await removeVolume(cacheVolumeName(input.appId)); // false: no build has made one yet
  } catch (err) {
    if (engineStatus(err) === 409) throw new AppError("CONFLICT", BUSY);
    throw err;
  }
  await recordActivity({
    kind: "deploy.cache_purged",
    message: purged ? "Build cache purged: the next build starts without it" : "Build cache purged (it was already empty)",
    appId: input.appId,
    userId: input.userId,
    data: { purged },
  });
  return { purged };
}
