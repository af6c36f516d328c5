import "server-only";
// The buildpacks set on an app (Heroku's buildpack installations). Empty: every build
// detects the app type. Set: builds run those buildpacks, in order, whatever else the
// source holds (a Dockerfile included), and fail when the source does not suit one.
import { db } from "@/server/db";
import { AppError } from "@/server/errors";
import { BUILDPACK_HELP, buildpackName, MAX_BUILDPACKS } from "@/server/build/buildpack-names";
import { recordActivity } from "@/server/services/activity";

export async function listBuildpacks(appId: string) {
  const [app, lastBuild] = await Promise.all([
    db.app.findUniqueOrThrow({ where: { id: appId }, select: { buildpacks: true } }),
    db.build.findFirst({
      where: { appId, buildpack: { not: null } },
      orderBy: { createdAt: "desc" },
      select: { id: true, buildpack: true, status: true, createdAt: true },
    }),
  ]);
  return { installed: app.buildpacks, lastBuild };
}

/**
 * Replaces the app's buildpacks with `spellings` (names, URNs or URLs; see
 * buildpack-names.ts), in order. A missing entry is what the CLI sends when Heroku's
 * registry did not know the name it was given.
 */
export async function setBuildpacks(input: { appId: string; userId: string | null; buildpacks: (string | null | undefined)[] }): Promise<string[]> {
  const names: string[] = [];
  for (const spelling of input.buildpacks) {
    if (!spelling?.trim()) {
      throw new AppError("UNPROCESSABLE", `That buildpack is not in Slipway's buildpack registry. ${BUILDPACK_HELP}`, { fieldErrors: { buildpack: "Unknown buildpack." } });
    }
    const name = buildpackName(spelling);
    if (!name) {
      throw new AppError("UNPROCESSABLE", `${spelling.trim().slice(0, 200)} is not a buildpack Slipway can build with. ${BUILDPACK_HELP}`, { fieldErrors: { buildpack: "Unknown buildpack." } });
    }
    if (names.includes(name)) throw new AppError("UNPROCESSABLE", `${name} is listed twice.`, { fieldErrors: { buildpack: "Listed twice." } });
    names.push(name);
  }
  if (names.length > MAX_BUILDPACKS) throw new AppError("UNPROCESSABLE", `An app can have at most ${MAX_BUILDPACKS} buildpacks.`);
  const before = await db.app.findUniqueOrThrow({ where: { id: input.appId }, select: { buildpacks: true } });
  if (before.buildpacks.join(",") === names.join(",")) return names;
  await db.app.update({ where: { id: input.appId }, data: { buildpacks: names } });
  await recordActivity({
    kind: "deploy.buildpacks",
    message: names.length ? `Buildpacks set to ${names.join(", ")}` : "Buildpacks cleared: the next build detects the app type",
    appId: input.appId,
    userId: input.userId,
    data: { buildpacks: names, before: before.buildpacks },
  });
  return names;
}
