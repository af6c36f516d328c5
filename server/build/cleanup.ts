import "server-only";
// What builds leave behind for an app: its git repository, its build cache volume and its
// images. Removed when the app is destroyed (after its dynos are gone).
import fs from "node:fs";
import path from "node:path";
import { db } from "@/server/db";
import { gitRoot } from "@/server/build/git";
import { cacheVolumeName } from "@/server/build/image";
import { docker, engineStatus } from "@/server/runtime/docker";

export async function removeBuildArtifacts(appId: string) {
  await fs.promises.rm(path.join(gitRoot(), `${appId}.git`), { recursive: true, force: true });
  const d = docker();
  const ignoreGone = (what: string) => (err: unknown) => {
    if (engineStatus(err) !== 404) console.error(`slipway: could not remove ${what}`, err);
  };
  await d.getVolume(cacheVolumeName(appId)).remove().catch(ignoreGone("a build cache volume"));
  const images = await d.listImages({ filters: { reference: [`slipway-app/${appId}`] } }).catch(() => []);
  // A promoted image is pinned by releases of the apps it was promoted to: those keep it,
  // and only this app's names for it go.
  const pinned = new Set(
    (await db.release.findMany({ where: { appId: { not: appId }, imageTag: { in: images.map((i) => i.Id) } }, select: { imageTag: true }, distinct: ["imageTag"] })).map((r) => r.imageTag),
  );
  for (const image of images) {
    if (!pinned.has(image.Id)) {
      await d.getImage(image.Id).remove({ force: true }).catch(ignoreGone("an app image"));
      continue;
    }
    for (const tag of image.RepoTags ?? []) {
      if (tag.startsWith(`slipway-app/${appId}:`)) await d.getImage(tag).remove().catch(ignoreGone("an app image's tag"));
    }
  }
}
