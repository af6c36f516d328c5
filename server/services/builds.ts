import "server-only";
// Builds as users see them: created from a source archive (git push or upload), queued,
// listed with their release, read back with their output.
import fs from "node:fs";
import path from "node:path";
import type { Readable } from "node:stream";
import { db } from "@/server/db";
import { env } from "@/server/env";
import { AppError } from "@/server/errors";
import type { Buildpack } from "@/server/build/detect";
import type { BuildLog } from "@/server/build/output";
import { buildDir, enqueueBuild } from "@/server/build/pipeline";
import { extractSource } from "@/server/build/source";
import { recordActivity } from "@/server/services/activity";
import { checkBuildQuota } from "@/server/services/quotas";

export type BuildStatus = "queued" | "building" | "succeeded" | "failed";

const buildSelect = {
  id: true,
  status: true,
  sourceKind: true,
  sourceVersion: true,
  buildpack: true,
  error: true,
  createdAt: true,
  updatedAt: true,
  startedAt: true,
  finishedAt: true,
  imageTag: true,
  user: { select: { id: true, email: true } },
  releases: { select: { id: true, version: true, status: true }, orderBy: { version: "asc" as const }, take: 1 },
} as const;

type BuildRow = Awaited<ReturnType<typeof findBuilds>>[number];
const findBuilds = (where: { appId: string; id?: string }, take = 50) =>
  db.build.findMany({ where, orderBy: { createdAt: "desc" }, take, select: buildSelect });

function present(row: BuildRow) {
  const { releases, ...rest } = row;
  return {
    ...rest,
    status: row.status as BuildStatus,
    sourceKind: row.sourceKind as "git" | "tarball",
    description: `Deploy ${(row.sourceVersion ?? row.id).slice(0, 7)}`,
    release: releases[0] ? { id: releases[0].id, version: releases[0].version, status: releases[0].status } : null,
  };
}
export type BuildSummary = ReturnType<typeof present>;

export async function listBuilds(input: { appId: string; limit?: number }): Promise<BuildSummary[]> {
  return (await findBuilds({ appId: input.appId }, input.limit ?? 50)).map(present);
}

export async function getBuild(input: { appId: string; buildId: string }) {
  const row = await db.build.findFirst({ where: { appId: input.appId, id: input.buildId }, select: { ...buildSelect, output: true } });
  if (!row) throw new AppError("NOT_FOUND", "Couldn't find that build.", { resource: "build" });
  return { ...present(row), output: row.output };
}

/**
 * Records a build, unpacks its source (a tar or .tar.gz stream; refused archives leave no
 * build behind) and queues it. The returned log carries the output and the end.
 */
export async function createBuild(input: {
  appId: string;
  userId: string | null;
  sourceKind: "git" | "tarball";
  /** A git sha, or (uploads) the archive's sha256 once it has been read. */
  sourceVersion: string | null | Promise<string>;
  source: Readable;
  /** Build with this buildpack instead of detecting one (app.json's `buildpacks`). */
  buildpack?: Buildpack | null;
}): Promise<{ build: BuildSummary; log: BuildLog }> {
  await checkBuildQuota({ appId: input.appId }).catch((err) => { input.source.resume(); throw err; });
  const row = await db.build.create({
    data: {
      appId: input.appId,
      userId: input.userId,
      sourceKind: input.sourceKind,
      sourceVersion: typeof input.sourceVersion === "string" ? input.sourceVersion : null,
      status: "queued",
    },
    select: { id: true },
  });
  const dir = buildDir(row.id);
  let sourceRoot: string;
  let version = typeof input.sourceVersion === "string" ? input.sourceVersion : null;
  try {
    await fs.promises.mkdir(path.dirname(dir), { recursive: true });
    await fs.promises.mkdir(dir);
    sourceRoot = await extractSource(input.source, path.join(dir, "src"), {
      maxBytes: env().SLIPWAY_MAX_SOURCE_MB * 4 * 1024 * 1024,
      maxEntries: env().SLIPWAY_MAX_SOURCE_FILES,
      kind: input.sourceKind === "git" ? "push" : "archive",
    });
    if (input.sourceVersion && typeof input.sourceVersion !== "string") {
      version = await input.sourceVersion;
      await db.build.update({ where: { id: row.id }, data: { sourceVersion: version } });
    }
  } catch (err) {
    if (!(err instanceof AppError) || err.code === "INTERNAL") console.error("slipway: could not unpack the source of build", row.id, err);
    input.source.resume();
    await fs.promises.rm(dir, { recursive: true, force: true }).catch(() => {});
    await db.build.delete({ where: { id: row.id } }).catch(() => {});
    throw err;
  }
  const what = input.sourceKind === "git" ? "git push" : "source upload";
  await recordActivity({
    kind: "deploy.build_started",
    message: `Build started from ${what}${version ? ` ${version.slice(0, 7)}` : ""}`,
    appId: input.appId,
    userId: input.userId,
    data: { buildId: row.id, source: input.sourceKind, version },
  });
  const log = enqueueBuild({ buildId: row.id, appId: input.appId, sourceRoot, buildpack: input.buildpack });
  const [build] = await findBuilds({ appId: input.appId, id: row.id }, 1);
  return { build: present(build), log };
}
