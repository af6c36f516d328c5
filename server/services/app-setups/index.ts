import "server-only";
// App setups (Heroku's `app-setups`): an app made from a source archive and its app.json.
// Creating one makes the app at once (through createApp: names, team membership and quotas
// as for any new app) and answers `pending`; the steps then run in the background
// (run.ts). As on Heroku, a setup that fails at any step removes its app — add-ons, config
// vars and dynos with it — and the setup itself stays readable, with why it failed.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { currentOrigin } from "@/server/audit/origin";
import { db, type Prisma } from "@/server/db";
import { dataDir } from "@/server/env";
import { AppError } from "@/server/errors";
import { appPermissions } from "@/server/services/access";
import { createApp } from "@/server/services/apps";
import { configKeySchema } from "@/server/services/config-vars";
import { claimUpload, displayUrl } from "@/server/services/app-setups/source";
import { initialSteps, type SetupStep } from "@/server/services/app-setups/steps";
import { removeSetupApp, runSetup } from "@/server/services/app-setups/run";

export { SETUP_STEP_LABELS, type SetupStep, type SetupStepKey, type SetupStepStatus } from "@/server/services/app-setups/steps";

export type SetupSource = { url: string; checksum?: string | null } | { uploadId: string };

export function setupDir(setupId: string) {
  return path.join(dataDir(), "app-setups", setupId);
}

const setupSelect = {
  id: true,
  userId: true,
  appId: true,
  appName: true,
  status: true,
  failureMessage: true,
  manifestErrors: true,
  sourceKind: true,
  sourceUrl: true,
  sourceChecksum: true,
  steps: true,
  buildId: true,
  buildStatus: true,
  postdeployOutput: true,
  postdeployExitCode: true,
  resolvedSuccessUrl: true,
  appRemoved: true,
  createdAt: true,
  updatedAt: true,
  manifest: true,
  app: { select: { id: true, name: true, team: { select: { name: true } } } },
} as const satisfies Prisma.AppSetupSelect;

type SetupRow = Prisma.AppSetupGetPayload<{ select: typeof setupSelect }>;

function present(row: SetupRow, opts: { withBuildOutput?: string | null } = {}) {
  const manifest = row.manifest as { name?: string | null; description?: string | null } | null;
  return {
    id: row.id,
    status: row.status as "pending" | "succeeded" | "failed",
    failureMessage: row.failureMessage,
    manifestErrors: row.manifestErrors,
    app: { id: row.appId ?? row.app?.id ?? null, name: row.appName, team: row.app?.team?.name ?? null },
    appRemoved: row.appRemoved,
    source: { kind: row.sourceKind as "url" | "upload", url: row.sourceUrl, checksum: row.sourceChecksum },
    manifest: manifest ? { name: manifest.name ?? null, description: manifest.description ?? null } : null,
    steps: row.steps as SetupStep[],
    build: row.buildId ? { id: row.buildId, status: row.buildStatus } : null,
    buildOutput: opts.withBuildOutput ?? null,
    postdeploy: row.postdeployExitCode !== null || row.postdeployOutput !== null ? { output: row.postdeployOutput ?? "", exitCode: row.postdeployExitCode } : null,
    resolvedSuccessUrl: row.resolvedSuccessUrl,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
export type AppSetupView = ReturnType<typeof present>;

function checkOverrides(envOverrides: Record<string, string>) {
  const fieldErrors: Record<string, string> = {};
  for (const [key, value] of Object.entries(envOverrides)) {
    if (!configKeySchema.safeParse(key).success) fieldErrors[`overrides.env.${key}`] = "Not a valid config var name.";
    else if (typeof value !== "string" || value.length > 32_768) fieldErrors[`overrides.env.${key}`] = "Must be a string of at most 32 KB.";
  }
  if (Object.keys(fieldErrors).length) throw new AppError("UNPROCESSABLE", `Invalid overrides: ${Object.keys(fieldErrors).join(", ")}`, { fieldErrors });
}

/**
 * Creates the app (personal, or in `teamName` for a member or admin there) and the setup,
 * and starts the steps. Override values stay in memory for the run, never in the database.
 */
export async function createAppSetup(input: {
  userId: string;
  name?: string | null;
  teamName?: string | null;
  source: SetupSource;
  overrides?: { env?: Record<string, string> };
}) {
  const envOverrides = input.overrides?.env ?? {};
  checkOverrides(envOverrides);
  let sourceUrl: string | null = null;
  if ("url" in input.source) {
    try {
      const u = new URL(input.source.url);
      if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error("scheme");
    } catch {
      throw new AppError("UNPROCESSABLE", "The source URL must be an http:// or https:// URL of a .tar.gz.", { fieldErrors: { "source_blob.url": "Must be an http(s) URL." } });
    }
    sourceUrl = displayUrl(input.source.url);
  }
  const checksum = "url" in input.source ? parseChecksum(input.source.checksum) : null;
  // An upload is claimed before the app is made: another user's (or a stale) id makes nothing.
  let claimed: { file: string; checksum: string } | null = null;
  if ("uploadId" in input.source) {
    await fs.promises.mkdir(path.join(dataDir(), "app-setups"), { recursive: true, mode: 0o700 });
    const file = path.join(dataDir(), "app-setups", `claimed-${crypto.randomUUID()}.archive`);
    claimed = { file, checksum: (await claimUpload({ userId: input.userId, id: input.source.uploadId, dest: file })).checksum };
  }
  let app: Awaited<ReturnType<typeof createApp>>;
  try {
    app = await createApp({ userId: input.userId, name: input.name, teamName: input.teamName });
  } catch (err) {
    if (claimed) await fs.promises.rm(claimed.file, { force: true });
    throw err;
  }
  const row = await db.appSetup.create({
    data: {
      userId: input.userId,
      appId: app.id,
      appName: app.name,
      sourceKind: claimed ? "upload" : "url",
      sourceUrl,
      sourceChecksum: claimed?.checksum ?? null,
      steps: initialSteps() as unknown as Prisma.InputJsonValue,
    },
    select: { id: true },
  });
  const dir = setupDir(row.id);
  const sourceFile = path.join(dir, "source.archive");
  await fs.promises.mkdir(dir, { recursive: true, mode: 0o700 });
  if (claimed) await fs.promises.rename(claimed.file, sourceFile);
  // Read before the steps start: the answer is the setup as made (`pending`), as Heroku's is.
  const made = await getSetupRow(row.id);
  void runSetup({
    setupId: row.id,
    appId: app.id,
    appName: app.name,
    userId: input.userId,
    sourceFile,
    url: "url" in input.source ? input.source.url : null,
    expectedChecksum: checksum,
    envOverrides,
    origin: currentOrigin(),
  });
  return made;
}

function parseChecksum(value: string | null | undefined): string | null {
  if (!value) return null;
  const m = /^SHA256:([0-9a-f]{64})$/i.exec(value.trim());
  if (!m) throw new AppError("UNPROCESSABLE", 'source_blob.checksum must be "SHA256:" and 64 hex digits.', { fieldErrors: { "source_blob.checksum": "Use SHA256:<hex>." } });
  return m[1]!.toLowerCase();
}

async function getSetupRow(id: string) {
  const row = await db.appSetup.findUnique({ where: { id }, select: setupSelect });
  if (!row) throw new AppError("NOT_FOUND", "Couldn't find that app setup.", { resource: "app-setup" });
  return present(row);
}

/**
 * A setup, for the person who made it, or (while its app exists) for anyone who may see that
 * app (the permission table's app:info); everyone else gets NOT_FOUND. With `withBuildOutput`,
 * the build's output comes along: the live build's while the app exists, else the copy kept.
 */
export async function getAppSetup(input: { userId: string; setupId: string; withBuildOutput?: boolean }) {
  const notFound = new AppError("NOT_FOUND", "Couldn't find that app setup.", { resource: "app-setup" });
  if (!/^[0-9a-f-]{36}$/i.test(input.setupId)) throw notFound;
  const row = await db.appSetup.findUnique({ where: { id: input.setupId }, select: { ...setupSelect, buildOutput: true } });
  if (!row) throw notFound;
  if (row.userId !== input.userId) {
    const seen = row.appId ? await appPermissions({ userId: input.userId, app: row.appId }) : null;
    if (!seen) throw notFound;
  }
  let output: string | null = null;
  if (input.withBuildOutput && row.buildId) {
    const live = row.appId ? await db.build.findFirst({ where: { id: row.buildId, appId: row.appId }, select: { output: true } }) : null;
    output = live?.output ?? row.buildOutput;
  }
  return present(row, { withBuildOutput: output });
}

/** The caller's recent setups (newest first), for the dashboard. */
export async function listAppSetups(input: { userId: string; limit?: number }) {
  const rows = await db.appSetup.findMany({ where: { userId: input.userId }, orderBy: { createdAt: "desc" }, take: input.limit ?? 20, select: setupSelect });
  return rows.map((r) => present(r));
}

/**
 * At boot: setups that were running when the platform stopped cannot go on (their override
 * values were in memory): they fail, and their apps are removed, as any failed setup's.
 */
export async function failInterruptedSetups() {
  const rows = await db.appSetup.findMany({ where: { status: "pending" }, select: { id: true, appId: true, appName: true } });
  for (const r of rows) {
    await db.appSetup.update({ where: { id: r.id }, data: { status: "failed", failureMessage: "The platform restarted during the setup; start it again." } });
    if (r.appId) await removeSetupApp(r.id, r.appId, r.appName).catch((err) => console.error("slipway: removing the app of interrupted setup", r.id, err));
    await fs.promises.rm(setupDir(r.id), { recursive: true, force: true }).catch(() => undefined);
  }
}
