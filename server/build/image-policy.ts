import "server-only";
// Which images an app may build on and run. Every app's image holds its code, so an image
// is only ever run by the app it was built for (its `slipway.app-id` label), pinned by its
// full `sha256:` id so that re-tagging cannot swap the code under a release. Builds start
// from shared images only: the stack image, the builder image and the ones the
// installation's admin lists in SLIPWAY_BUILD_ALLOWED_IMAGES.
import { env } from "@/server/env";
import { AppError } from "@/server/errors";
import { inspectImage } from "@/server/build/images";

export const APP_LABEL = "slipway.app-id";

/** The shared images, as patterns: `repo:tag`, `repo` (any tag) or with `*` wildcards. */
export function allowedImagePatterns(): string[] {
  const e = env();
  return [e.SLIPWAY_STACK_IMAGE, e.SLIPWAY_BUILDER_IMAGE, ...e.SLIPWAY_BUILD_ALLOWED_IMAGES];
}

function withTag(ref: string): string {
  if (ref.includes("@")) return ref;
  return ref.lastIndexOf(":") > ref.lastIndexOf("/") ? ref : `${ref}:latest`;
}

/** True when `tag` (repo:tag, as the Engine lists RepoTags) matches an allowed pattern. */
export function isAllowedTag(tag: string, patterns = allowedImagePatterns()): boolean {
  const full = withTag(tag);
  return patterns.some((p) => {
    if (p.includes("*")) {
      const re = new RegExp(`^${p.split("*").map((s) => s.replace(/[.+?^${}()|[\]\\/]/g, "\\$&")).join(".*")}$`);
      return re.test(full) || re.test(tag);
    }
    const hasTag = p.includes("@") || p.lastIndexOf(":") > p.lastIndexOf("/");
    return hasTag ? withTag(p) === full : full.slice(0, full.lastIndexOf(":")) === p;
  });
}

const allowedList = () => `the stack image (${env().SLIPWAY_STACK_IMAGE}) or an image the installation allows (SLIPWAY_BUILD_ALLOWED_IMAGES)`;

/**
 * Checks an image a Dockerfile names (FROM, --from). Allowed when the image the Engine
 * resolves `ref` to carries a tag an admin allows: a name, an id or a digest of an
 * app's image is refused however it is written.
 */
export async function checkBaseImage(ref: string, where: string): Promise<void> {
  const image = await inspectImage(ref);
  if (!image) {
    throw new AppError(
      "BAD_REQUEST",
      `${where}: ${ref} is not on this machine. No registry is reachable here, so builds start from ${allowedList()}.`,
    );
  }
  if (!image.repoTags.some((t) => isAllowedTag(t))) {
    throw new AppError("BAD_REQUEST", `${where}: ${ref} is not an image builds may use. Builds start from ${allowedList()}, or a stage of the same Dockerfile.`);
  }
}

/**
 * The image an app may run: one built for it (its label), or a shared allowed image.
 * Returns the image's full `sha256:` id, which the release pins.
 */
export async function imageForApp(appId: string, ref: string): Promise<string> {
  const image = await inspectImage(ref);
  const label = image?.labels[APP_LABEL];
  const allowed = image && (label ? label === appId : image.repoTags.some((t) => isAllowedTag(t)));
  // Another app's image reads as absent: its name says nothing to this app.
  if (!image || !allowed) {
    throw new AppError("BAD_REQUEST", `No image ${ref} for this app on this platform (an app runs images built for it, or ${allowedList()}).`, {
      fieldErrors: { image: "Image not found." },
    });
  }
  return image.id;
}
