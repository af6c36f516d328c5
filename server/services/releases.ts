import "server-only";
import { decryptJson, encryptJson } from "@/server/crypto";
import { db, type Prisma } from "@/server/db";
import { AppError, isUniqueViolation } from "@/server/errors";

type Tx = Prisma.TransactionClient;

export const releaseSelect = {
  id: true,
  version: true,
  description: true,
  status: true,
  createdAt: true,
  updatedAt: true,
  imageTag: true,
  buildId: true,
  addonPlanNames: true,
  rollbackOf: true,
  commit: true,
  outputSource: true,
  user: { select: { id: true, email: true } },
} as const;

export type ReleaseRow = Prisma.ReleaseGetPayload<{ select: typeof releaseSelect }>;

/**
 * Appends release vN+1 inside the caller's transaction. Everything not given is carried
 * over (a config change keeps the image; a deploy keeps config): config and add-ons from
 * the newest release, the code (image, process types, build) from the newest *succeeded*
 * one — a release whose release phase failed never ran, and its image must not go live
 * through the next config change.
 */
export async function appendRelease(
  tx: Tx,
  input: {
    appId: string;
    userId: string | null;
    description: string;
    config?: Record<string, string>;
    imageTag?: string | null;
    processTypes?: Record<string, string> | null;
    buildId?: string | null;
    /** The commit of the code; carried over with the image when absent. */
    commit?: string | null;
    status?: "pending" | "succeeded" | "failed";
    rollbackOf?: number | null;
    /** Where its output is (releases:output): "build" or "release"; none by default. */
    outputSource?: "build" | "release" | null;
    /** Add-on plans attached to the app (Heroku's addon_plan_names); carried over when absent. */
    addonPlanNames?: string[];
  },
) {
  const previous = await tx.release.findFirst({ where: { appId: input.appId }, orderBy: { version: "desc" } });
  const code =
    previous?.status === "succeeded"
      ? previous
      : await tx.release.findFirst({ where: { appId: input.appId, status: "succeeded" }, orderBy: { version: "desc" } });
  const config = input.config ?? (previous ? decryptJson<Record<string, string>>(previous.configEnc) : {});
  const release = await tx.release.create({
    data: {
      appId: input.appId,
      version: (previous?.version ?? 0) + 1,
      description: input.description,
      status: input.status ?? "succeeded",
      userId: input.userId,
      buildId: input.buildId !== undefined ? input.buildId : (code?.buildId ?? null),
      commit: input.commit !== undefined ? input.commit : (code?.commit ?? null),
      imageTag: input.imageTag === undefined ? (code?.imageTag ?? null) : input.imageTag,
      processTypes: (input.processTypes === undefined ? code?.processTypes : input.processTypes) ?? undefined,
      configEnc: encryptJson(config),
      addonPlanNames: input.addonPlanNames ?? previous?.addonPlanNames ?? [],
      rollbackOf: input.rollbackOf ?? null,
      outputSource: input.outputSource ?? null,
    },
    select: releaseSelect,
  });
  if (release.status === "succeeded") await tx.app.update({ where: { id: input.appId }, data: { releasedAt: release.createdAt } });
  return release;
}

/** Runs `work` in a transaction, retrying when a concurrent writer took the same version number. */
export async function withReleaseTx<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await db.$transaction(work);
    } catch (err) {
      if (attempt < 4 && isUniqueViolation(err)) continue;
      throw err;
    }
  }
}

export async function listReleases(input: { appId: string; limit?: number; beforeVersion?: number; order?: "asc" | "desc" }) {
  const rows = await db.release.findMany({
    where: { appId: input.appId, ...(input.beforeVersion ? { version: { lt: input.beforeVersion } } : {}) },
    orderBy: { version: input.order ?? "desc" },
    take: input.limit ?? 50,
    select: releaseSelect,
  });
  // Newest first from the top, the first succeeded row is the current release: no second query.
  const fromTop = (input.order ?? "desc") === "desc" && !input.beforeVersion;
  const current = (fromTop ? rows.find((r) => r.status === "succeeded")?.version : undefined) ?? (await currentReleaseVersion(input.appId));
  return rows.map((r) => ({ ...r, current: r.version === current }));
}

export async function getRelease(input: { appId: string; release: string }) {
  const version = /^v?\d+$/.test(input.release) ? Number(input.release.replace(/^v/, "")) : null;
  const row = await db.release.findFirst({
    where: { appId: input.appId, ...(version !== null ? { version } : { id: input.release }) },
    select: releaseSelect,
  });
  if (!row) throw new AppError("NOT_FOUND", "Couldn't find that release.", { resource: "release" });
  return { ...row, current: row.version === (await currentReleaseVersion(input.appId)) };
}

/** Heroku's "current" release: the newest that succeeded. */
export async function currentReleaseVersion(appId: string): Promise<number | null> {
  const row = await db.release.findFirst({ where: { appId, status: "succeeded" }, orderBy: { version: "desc" }, select: { version: true } });
  return row?.version ?? null;
}

/** The config vars snapshot a release ran with (`heroku releases:info` shows it). */
export async function getReleaseConfig(input: { appId: string; release: string }): Promise<Record<string, string>> {
  const { id } = await getRelease(input);
  const row = await db.release.findUniqueOrThrow({ where: { id }, select: { configEnc: true } });
  return decryptJson<Record<string, string>>(row.configEnc);
}

/** A release's code as Heroku's slug: named by its build, or (promoted, deployed images) by the release itself. */
export async function getSlug(input: { appId: string; slug: string }) {
  const id = /^[0-9a-f-]{36}$/i.test(input.slug) ? input.slug : null;
  const row = id
    ? await db.release.findFirst({
        where: { appId: input.appId, imageTag: { not: null }, OR: [{ buildId: id }, { id }] },
        orderBy: { version: "desc" },
        select: { commit: true, processTypes: true, createdAt: true, updatedAt: true },
      })
    : null;
  if (!row) throw new AppError("NOT_FOUND", "Couldn't find that slug.", { resource: "slug" });
  return { id: id!, ...row };
}

/** What a release's output is read from (server/build/output-stream.ts). */
export async function releaseOutputSource(releaseId: string) {
  return db.release.findUniqueOrThrow({ where: { id: releaseId }, select: { id: true, buildId: true, outputSource: true } });
}
