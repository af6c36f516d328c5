import "server-only";
import crypto from "node:crypto";
import type { Readable } from "node:stream";
import { followBuild, type BuildEnd } from "@/server/build/output";
import { db } from "@/server/db";
import { AppError, isUniqueViolation, toAppError } from "@/server/errors";
import { findAppForUser } from "@/server/services/access";
import { recordActivity } from "@/server/services/activity";
import {
  applyAppJson,
  formatProblem,
  formationTypesMissing,
  manifestFor,
  parseAppJson,
  runPostdeploy,
  runPrPredestroy,
  type AppJson,
} from "@/server/services/app-json";
import { createApp, destroyApp } from "@/server/services/apps";
import { createBuild } from "@/server/services/builds";
import { getConfigVars, setConfigVars } from "@/server/services/config-vars";
import { webUrl } from "@/server/services/domains";
import { findPipelineForUser, type AccessiblePipeline } from "@/server/services/pipelines/access";

// Review apps, from branch pushes (Heroku makes them from pull requests; here the branch
// is the request). With review apps enabled on a pipeline, `git push slipway feature-x` to
// the parent app's repository creates (or updates) `<parent>-pr-<branch>` in the review
// stage: same owner as the pipeline, the parent's access grants, config from app.json's
// `environments.review` (values app.json names without one are copied from the parent;
// without an app.json the parent's own config vars, add-on URLs left out), app.json's
// add-ons and formation, then the build, and postdeploy after its first release.
// `git push slipway :feature-x` runs pr-predestroy and destroys it, add-ons included.
// A failure before the build removes the new app again (nothing is left half-made); a
// failed build keeps it, marked errored, for the next push to fix.

export const reviewAppSelect = {
  id: true,
  branch: true,
  status: true,
  error: true,
  commit: true,
  lastPushAt: true,
  createdAt: true,
  updatedAt: true,
  app: { select: { id: true, name: true } },
} as const;

const configSelect = {
  pipelineId: true,
  automaticReviewApps: true,
  destroyStaleApps: true,
  staleDays: true,
  createdAt: true,
  updatedAt: true,
  parentApp: { select: { id: true, name: true } },
} as const;

export type ReviewAppSettings = { automatic?: boolean | null; destroyStaleApps?: boolean | null; staleDays?: number | null };

const MAX_NAME = 30;

/** `<parent>-pr-<branch-slug>`, cut to Heroku's 30 characters with a hash of the branch when it is too long. */
export function reviewAppName(parent: string, branch: string): string {
  const slug = branch.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "") || "branch";
  const full = `${parent}-pr-${slug}`;
  if (full.length <= MAX_NAME) return full;
  const hash = crypto.createHash("sha256").update(branch).digest("hex").slice(0, 4);
  return `${full.slice(0, MAX_NAME - 5).replace(/-+$/, "")}-${hash}`;
}

/** The parent the CLI's `reviewapps:enable` proposes: the configured one, else staging, development, production. */
export async function defaultParent(pipelineId: string) {
  const config = await db.reviewAppConfig.findUnique({ where: { pipelineId }, select: configSelect });
  if (config) return config.parentApp;
  const couplings = await db.pipelineCoupling.findMany({ where: { pipelineId, stage: { not: "review" } }, select: { stage: true, app: { select: { id: true, name: true } } } });
  for (const stage of ["staging", "development", "production"]) {
    const found = couplings.filter((c) => c.stage === stage).sort((a, b) => a.app.name.localeCompare(b.app.name))[0];
    if (found) return found.app;
  }
  return null;
}

export function getReviewAppConfig(pipelineId: string) {
  return db.reviewAppConfig.findUnique({ where: { pipelineId }, select: configSelect });
}

/**
 * Enables review apps (or changes their settings). The parent must be an app of the
 * pipeline (not a review app) that the caller may deploy: whoever can push to it gets
 * review apps from it.
 */
export async function enableReviewApps(input: { userId: string; pipeline: AccessiblePipeline; parent?: string | null; settings?: ReviewAppSettings }) {
  const { pipeline } = input;
  const parentRef = input.parent ?? (await defaultParent(pipeline.id))?.id;
  if (!parentRef) {
    throw new AppError("UNPROCESSABLE", `Add the app review apps are made from to ${pipeline.name} first (heroku pipelines:add ${pipeline.name} -a APP -s staging).`, {
      fieldErrors: { parent: "Choose the parent app." },
    });
  }
  const parent = await findAppForUser({ userId: input.userId, app: parentRef, operation: "code:deploy" });
  const coupling = await db.pipelineCoupling.findUnique({ where: { appId: parent.id }, select: { pipelineId: true, stage: true } });
  if (coupling?.pipelineId !== pipeline.id || coupling.stage === "review") {
    throw new AppError("UNPROCESSABLE", `${parent.name} is not an app of ${pipeline.name} outside the review stage; review apps are made from one.`, { fieldErrors: { parent: "Not in this pipeline." } });
  }
  const staleDays = input.settings?.staleDays ?? undefined;
  if (staleDays !== undefined && (!Number.isInteger(staleDays) || staleDays < 1 || staleDays > 30)) {
    throw new AppError("UNPROCESSABLE", "Review apps are destroyed after 1 to 30 days without a push.", { fieldErrors: { staleDays: "1 to 30 days." } });
  }
  const data = {
    parentAppId: parent.id,
    ...(typeof input.settings?.automatic === "boolean" ? { automaticReviewApps: input.settings.automatic } : {}),
    ...(typeof input.settings?.destroyStaleApps === "boolean" ? { destroyStaleApps: input.settings.destroyStaleApps } : {}),
    ...(staleDays !== undefined ? { staleDays } : {}),
  };
  const before = await getReviewAppConfig(pipeline.id);
  const config = await db.reviewAppConfig.upsert({ where: { pipelineId: pipeline.id }, create: { pipelineId: pipeline.id, ...data }, update: data, select: configSelect });
  await recordActivity({
    kind: before ? "pipeline.review_apps_updated" : "pipeline.review_apps_enabled",
    message: `${before ? "Changed review apps of" : "Enabled review apps on"} pipeline ${pipeline.name} (parent ${parent.name}${config.destroyStaleApps ? `, destroyed after ${config.staleDays} days without a push` : ""})`,
    teamId: pipeline.teamId,
    data: { pipeline: pipeline.name, parent: parent.name, destroyStaleApps: config.destroyStaleApps, staleDays: config.staleDays },
  });
  return config;
}

/** Disables review apps: branch pushes are refused again; existing review apps stay until their branch is deleted. */
export async function disableReviewApps(input: { pipeline: AccessiblePipeline }) {
  const deleted = await db.reviewAppConfig.deleteMany({ where: { pipelineId: input.pipeline.id } });
  if (deleted.count) {
    await recordActivity({ kind: "pipeline.review_apps_disabled", message: `Disabled review apps on pipeline ${input.pipeline.name}`, teamId: input.pipeline.teamId, data: { pipeline: input.pipeline.name } });
  }
}

export async function listReviewApps(pipelineId: string) {
  const rows = await db.reviewApp.findMany({ where: { pipelineId }, orderBy: { createdAt: "desc" }, select: reviewAppSelect });
  return rows.map((r) => ({ ...r, webUrl: webUrl(r.app.name) }));
}

// ---- branch pushes (server/build/git.ts) -----------------------------------------------------

export type BranchPush = {
  parentAppId: string;
  userId: string;
  branch: string;
  commit: string;
  /** app.json at the pushed commit, or null when there is none. */
  appJson: string | null;
  /** The pushed tree as a tar stream (made only when a build starts). */
  source: () => Readable;
  out: (text: string) => void;
};

/** Where a branch of this app goes: the pipeline whose review apps it is the parent of. */
export async function reviewAppsFor(parentAppId: string) {
  return db.reviewAppConfig.findFirst({ where: { parentAppId }, select: { ...configSelect, pipeline: { select: { id: true, name: true, ownerId: true, teamId: true, team: { select: { name: true } } } } } });
}

const line = (out: (t: string) => void, text: string) => out(`${text}\n`);

/** A branch pushed to a parent app: creates or updates its review app; true when it deployed. */
export async function pushReviewApp(push: BranchPush): Promise<boolean> {
  const config = await reviewAppsFor(push.parentAppId);
  if (!config) throw new AppError("UNPROCESSABLE", "Review apps are not enabled for this app.");
  let manifest: AppJson | null = null;
  if (push.appJson !== null) {
    const parsed = parseAppJson(push.appJson);
    if (!parsed.ok) throw new AppError("UNPROCESSABLE", `app.json is not valid, so no review app was made:\n${parsed.errors.map(formatProblem).join("\n")}`);
    manifest = parsed.manifest;
  }
  const existing = await db.reviewApp.findUnique({ where: { pipelineId_branch: { pipelineId: config.pipelineId, branch: push.branch } }, select: { id: true, status: true, appId: true, app: { select: { name: true } } } });
  let reviewApp: { id: string; appId: string; name: string; firstRelease: boolean };
  if (existing) {
    if (existing.status === "deleting") throw new AppError("CONFLICT", `The review app of ${push.branch} is being destroyed; push again once it is gone.`);
    await db.reviewApp.update({ where: { id: existing.id }, data: { commit: push.commit, appJson: push.appJson, lastPushAt: new Date(), ...(existing.status === "errored" ? { status: "creating", error: null } : {}) } });
    reviewApp = { id: existing.id, appId: existing.appId, name: existing.app.name, firstRelease: existing.status !== "created" };
    line(push.out, `-----> Updating review app ${existing.app.name} (branch ${push.branch})`);
  } else {
    reviewApp = { ...(await createReviewApp(push, config, manifest)), firstRelease: true };
  }

  line(push.out, "-----> Building source:");
  const { build } = await createBuild({
    appId: reviewApp.appId,
    userId: push.userId,
    sourceKind: "git",
    sourceVersion: push.commit,
    source: push.source(),
    buildpack: manifest ? (manifestFor(manifest, "review").buildpacks[0]?.buildpack ?? null) : null,
  });
  const end = await followLog(build.id, push.out);
  if (end.status !== "succeeded") {
    await db.reviewApp.update({ where: { id: reviewApp.id }, data: { status: reviewApp.firstRelease ? "errored" : "created", error: end.error ?? "The build failed." } });
    line(push.out, ` !     The review app ${reviewApp.name} was not updated: its build failed.`);
    return false;
  }
  if (manifest && reviewApp.firstRelease) {
    const missing = await formationTypesMissing(reviewApp.appId, manifest, "review");
    if (missing.length) line(push.out, ` !     app.json scales process types the release does not have: ${missing.join(", ")}`);
    const script = manifestFor(manifest, "review").scripts.postdeploy;
    if (script) {
      line(push.out, `-----> Running postdeploy: ${script.command}`);
      const result = await runPostdeploy({ appId: reviewApp.appId, manifest, environment: "review", onOutput: (t) => push.out(t.replace(/^(?=.)/gm, "       ")) });
      if (result && result.exitCode !== 0) {
        const error = `The postdeploy script exited with status ${result.exitCode}.`;
        await db.reviewApp.update({ where: { id: reviewApp.id }, data: { status: "errored", error } });
        line(push.out, ` !     ${error}`);
        return false;
      }
    }
  }
  await db.reviewApp.update({ where: { id: reviewApp.id }, data: { status: "created", error: null } });
  line(push.out, `-----> Review app ${reviewApp.name} for branch ${push.branch}:`);
  line(push.out, `       ${webUrl(reviewApp.name)}`);
  return true;
}

async function followLog(buildId: string, out: (t: string) => void): Promise<BuildEnd> {
  for await (const ev of followBuild(buildId, 0)) {
    if (ev.type === "output") out(ev.text);
    else return ev;
  }
  return { status: "failed", error: "The build's output was lost.", release: null };
}

async function createReviewApp(push: BranchPush, config: NonNullable<Awaited<ReturnType<typeof reviewAppsFor>>>, manifest: AppJson | null) {
  const { pipeline } = config;
  const parent = config.parentApp;
  const name = await freeName(reviewAppName(parent.name, push.branch), push.branch);
  line(push.out, `-----> Creating review app ${name} for branch ${push.branch} (pipeline ${pipeline.name})`);
  // The pipeline's owner owns it: a team's member pushes (an outside collaborator cannot
  // create apps in the team); a personal pipeline's apps are its owner's.
  const app = await createApp({ userId: pipeline.teamId ? push.userId : pipeline.ownerId!, name, teamName: pipeline.team?.name ?? null }).catch((err) => {
    const e = toAppError(err);
    if (pipeline.teamId && (e.code === "NOT_FOUND" || e.code === "FORBIDDEN")) {
      throw new AppError("FORBIDDEN", `Review apps of ${pipeline.name} are apps of team ${pipeline.team?.name}: only its members and admins can push branches that create them.`);
    }
    throw err;
  });
  let row;
  try {
    row = await db.$transaction(async (tx) => {
      const grants = await tx.collaborator.findMany({ where: { appId: parent.id }, select: { userId: true, permissions: true } });
      if (grants.length) await tx.collaborator.createMany({ data: grants.map((g) => ({ appId: app.id, userId: g.userId, permissions: g.permissions })), skipDuplicates: true });
      await tx.pipelineCoupling.create({ data: { pipelineId: pipeline.id, appId: app.id, stage: "review" } });
      return tx.reviewApp.create({ data: { pipelineId: pipeline.id, appId: app.id, branch: push.branch, commit: push.commit, appJson: push.appJson, status: "creating" }, select: { id: true } });
    });
    await recordActivity({ kind: "review_app.created", message: `Created review app ${name} for branch ${push.branch} of ${parent.name}`, appId: app.id, data: { pipeline: pipeline.name, branch: push.branch, parent: parent.name } });
    await seedConfig({ appId: app.id, parentAppId: parent.id, userId: push.userId, manifest, out: push.out });
  } catch (err) {
    // Nothing half-made: the app (and whatever app.json gave it) goes again.
    line(push.out, ` !     Creating the review app failed; removing ${name}.`);
    await destroyApp({ appId: app.id, appName: app.name, confirm: app.name }).catch((e) => console.error("slipway: removing review app", name, e));
    if (isUniqueViolation(err)) throw new AppError("CONFLICT", `A review app for ${push.branch} is being created by another push; push again in a moment.`);
    throw err;
  }
  return { id: row.id, appId: app.id, name };
}

/** The review app's config: app.json (review environment) seeded from the parent, or the parent's own config. */
async function seedConfig(input: { appId: string; parentAppId: string; userId: string; manifest: AppJson | null; out: (t: string) => void }) {
  const parentConfig = await getConfigVars(input.parentAppId);
  if (!input.manifest) {
    const addonVars = (await db.addonAttachment.findMany({ where: { appId: input.parentAppId }, select: { name: true } })).map((a) => `${a.name}_`);
    const copied = Object.fromEntries(Object.entries(parentConfig).filter(([k]) => !addonVars.some((p) => k.startsWith(p))));
    if (Object.keys(copied).length) {
      await setConfigVars({ appId: input.appId, userId: input.userId, changes: copied });
      line(input.out, `       No app.json: copied the parent's config vars (${Object.keys(copied).sort().join(", ")}), add-ons left out`);
    }
    return;
  }
  const m = manifestFor(input.manifest, "review");
  // Heroku's rule for review apps: a var app.json names without a value comes from the parent.
  const inherited = Object.fromEntries(
    Object.entries(m.env)
      .filter(([key, spec]) => spec.value === null && spec.generator !== "secret" && key in parentConfig)
      .map(([key]) => [key, parentConfig[key]!]),
  );
  await applyAppJson({
    appId: input.appId,
    userId: input.userId,
    manifest: input.manifest,
    environment: "review",
    overrides: { env: inherited },
    onProgress: (text) => line(input.out, `       ${text}`),
  });
}

async function freeName(wanted: string, branch: string): Promise<string> {
  if (!(await db.app.findUnique({ where: { name: wanted }, select: { id: true } }))) return wanted;
  // Taken by an app that is not this branch's review app: a name of its own.
  const hash = crypto.createHash("sha256").update(`${branch}\0${Date.now()}`).digest("hex").slice(0, 4);
  return `${wanted.slice(0, MAX_NAME - 5).replace(/-+$/, "")}-${hash}`;
}

/** A branch deleted from a parent app's repository: its review app goes; false when it had none. */
export async function deleteBranchReviewApp(input: { parentAppId: string; userId: string; branch: string; out: (text: string) => void }): Promise<boolean> {
  const coupling = await db.pipelineCoupling.findUnique({ where: { appId: input.parentAppId }, select: { pipelineId: true } });
  const row = coupling ? await db.reviewApp.findUnique({ where: { pipelineId_branch: { pipelineId: coupling.pipelineId, branch: input.branch } }, select: { id: true } }) : null;
  if (!row) return false;
  await destroyReviewApp({ reviewAppId: row.id, userId: input.userId, reason: `branch ${input.branch} was deleted`, out: input.out });
  return true;
}

/**
 * Runs app.json's pr-predestroy (when the review app's last push had one) in a one-off
 * dyno, then destroys the app with its add-ons. A failing script is reported and the app
 * goes anyway, as on Heroku.
 */
export async function destroyReviewApp(input: { reviewAppId: string; userId: string | null; reason: string; out?: (text: string) => void }) {
  const out = input.out ?? (() => {});
  const row = await db.reviewApp.update({
    where: { id: input.reviewAppId },
    data: { status: "deleting" },
    select: { id: true, branch: true, appJson: true, app: { select: { id: true, name: true } }, pipeline: { select: { name: true } } },
  });
  line(out, `-----> Destroying review app ${row.app.name} (${input.reason})`);
  const parsed = row.appJson ? parseAppJson(row.appJson) : null;
  if (parsed?.ok && manifestFor(parsed.manifest, "review").scripts.prPredestroy) {
    line(out, `-----> Running pr-predestroy: ${manifestFor(parsed.manifest, "review").scripts.prPredestroy!.command}`);
    try {
      const result = await runPrPredestroy({ appId: row.app.id, manifest: parsed.manifest, onOutput: (t) => out(t.replace(/^(?=.)/gm, "       ")) });
      if (result && result.exitCode !== 0) line(out, ` !     pr-predestroy exited with status ${result.exitCode}; destroying the app anyway.`);
    } catch (err) {
      line(out, ` !     pr-predestroy could not run (${toAppError(err).message}); destroying the app anyway.`);
    }
  }
  await recordActivity({ kind: "review_app.destroyed", message: `Destroying review app ${row.app.name} of branch ${row.branch}: ${input.reason}`, appId: row.app.id, userId: input.userId, data: { pipeline: row.pipeline.name, branch: row.branch } });
  await destroyApp({ appId: row.app.id, appName: row.app.name, confirm: row.app.name });
  line(out, `-----> Destroyed ${row.app.name}`);
}

/** The dashboard's "Destroy" on a review app: whoever may delete its branch (push to the parent) may. */
export async function destroyReviewAppForUser(input: { userId: string; pipeline: string; reviewApp: string }) {
  const pipeline = await findPipelineForUser({ userId: input.userId, pipeline: input.pipeline, operation: "pipeline:view" });
  const row = await db.reviewApp.findFirst({ where: { pipelineId: pipeline.id, OR: [{ id: /^[0-9a-f-]{36}$/i.test(input.reviewApp) ? input.reviewApp : "-" }, { app: { name: input.reviewApp } }] }, select: { id: true, branch: true, appId: true } });
  if (!row) throw new AppError("NOT_FOUND", "Couldn't find that review app.", { resource: "review_app" });
  const config = await getReviewAppConfig(pipeline.id);
  // With review apps on, whoever may push to the parent; with them off (or the parent gone),
  // whoever may destroy the app itself.
  if (config) await findAppForUser({ userId: input.userId, app: config.parentApp.id, operation: "code:deploy" });
  else await findAppForUser({ userId: input.userId, app: row.appId, operation: "app:destroy" });
  await destroyReviewApp({ reviewAppId: row.id, userId: input.userId, reason: "destroyed from the dashboard" });
}

/** Destroys review apps with no push for their pipeline's staleDays (when auto-destroy is on). */
export async function destroyStaleReviewApps(now = new Date()) {
  const configs = await db.reviewAppConfig.findMany({ where: { destroyStaleApps: true }, select: { pipelineId: true, staleDays: true } });
  let destroyed = 0;
  for (const c of configs) {
    const cutoff = new Date(now.getTime() - c.staleDays * 24 * 60 * 60 * 1000);
    const stale = await db.reviewApp.findMany({ where: { pipelineId: c.pipelineId, lastPushAt: { lt: cutoff }, status: { not: "deleting" } }, select: { id: true } });
    for (const r of stale) {
      await destroyReviewApp({ reviewAppId: r.id, userId: null, reason: `no push for ${c.staleDays} day${c.staleDays === 1 ? "" : "s"}` }).catch((err) =>
        console.error("slipway: destroying stale review app", r.id, "failed", err),
      );
      destroyed++;
    }
  }
  return destroyed;
}

const sweeper = globalThis as unknown as { slipwayReviewAppSweeper?: NodeJS.Timeout };

/** Checks for stale review apps now and then every `intervalMs`. */
export function startReviewAppSweeper(intervalMs = 10 * 60 * 1000) {
  if (sweeper.slipwayReviewAppSweeper) return;
  const run = () => void destroyStaleReviewApps().catch((err) => console.error("slipway: review app sweep failed", err));
  sweeper.slipwayReviewAppSweeper = setInterval(run, intervalMs);
  sweeper.slipwayReviewAppSweeper.unref();
  run();
}
