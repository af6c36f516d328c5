import "server-only";
// What builds leave behind for an app: its git repository, its build cache volume and its
// images. Removed when the app is destroyed (after its dynos are gone).
import fs from "node:fs";
import path from "node:path";
import { gitRoot } from "@/server/build/git";
import { cacheVolumeName } from "@/server/build/image";
import { listImages, removeImage, removeVolume } from "@/server/build/images";

export async function removeBuildArtifacts(appId: string) {
  await fs.promises.rm(path.join(gitRoot(), `${appId}.git`), { recursive: true, force: true });
  const failed = (what: string) => (err: unknown) => console.error(`slipway: could not remove ${what}`, err);
  await removeVolume(cacheVolumeName(appId)).catch(failed("a build cache volume"));
  const images = await listImages({ reference: [`slipway-app/${appId}`] }).catch(() => []);
  for (const image of images) await removeImage(image.id).catch(failed("an app image"));
}
