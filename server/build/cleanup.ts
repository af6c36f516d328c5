import "server-only";
// What builds leave behind for an app: its git repository, its build cache volume and its
// images. Removed when the app is destroyed (after its dynos are gone).
import fs from "node:fs";
import path from "node:path";
import { db } from "@/server/db";
import { gitRoot } from "@/server/build/git";
import { cacheVolumeName } from "@/server/build/image";
import { listImages, removeImage, removeVolume, untagImage } from "@/server/build/images";

export async function removeBuildArtifacts(appId: string) {
  await fs.promises.rm(path.join(gitRoot(), `${appId}.git`), { recursive: true, force: true });
  const failed = (what: string) => (err: unknown) => console.error(`slipway: could not remove ${what}`, err);
  await removeVolume(cacheVolumeName(appId)).catch(failed("a build cache volume"));
  const images = await listImages({ reference: [`slipway-app/${appId}`] }).catch(() => []);
  // A promoted image is pinned by releases of the apps it was promoted to: those keep it,
  // and only this app's names for it go.
  const pinned = new Set(
    (await db.release.findMany({ where: { appId: { not: appId }, imageTag: { in: images.map((i) => i.id) } }, select: { imageTag: true }, distinct: ["imageTag"] })).map((r) => r.imageTag),
  );
  for (const image of images) {
    if (!pinned.has(image.id)) {
      await removeImage(image.id).catch(failed("an app image"));
      continue;
    }
    for (const tag of image.repoTags.filter((t) => t.startsWith(`slipway-app/${appId}:`))) await untagImage(tag).catch(failed("an app image's name"));
  }
}
