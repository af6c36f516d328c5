import "server-only";
// What builds leave behind for an app: its git repository, its build cache volume and its
// images. Removed when the app is destroyed (after its dynos are gone).
import fs from "node:fs";
import path from "node:path";
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
  for (const image of images) await d.getImage(image.Id).remove({ force: true }).catch(ignoreGone("an app image"));
}
