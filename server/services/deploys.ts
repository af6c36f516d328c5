import "server-only";
import { pokeApp } from "@/server/runtime";
import { ensureFormation } from "@/server/services/formation";
import { appendRelease, withReleaseTx } from "@/server/services/releases";

/**
 * Releases an image: a new numbered release with the app's current config, formation
 * entries for new process types, then the dyno manager rolls the formation onto it
 * (web with preboot). Builds call this; so do tests until builds exist.
 */
export async function releaseImage(input: {
  appId: string;
  userId: string | null;
  imageTag: string;
  processTypes: Record<string, string>;
  description: string;
  buildId?: string | null;
}) {
  const release = await withReleaseTx(async (tx) => {
    const r = await appendRelease(tx, {
      appId: input.appId,
      userId: input.userId,
      description: input.description,
      imageTag: input.imageTag,
      processTypes: input.processTypes,
      buildId: input.buildId ?? null,
    });
    await ensureFormation(tx, input.appId, input.processTypes);
    return r;
  });
  void pokeApp(input.appId);
  return release;
}
