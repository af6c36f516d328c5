import "server-only";
import { apiLog } from "@/server/services/api-log";
// One build, start to finish: detect → build the image → release (with the release
// phase when the Procfile has `release:`) → the dyno manager rolls the formation onto it.
// Every step is written to the build's output as it happens; any failure ends the build
// as failed with a message, and the previous release keeps serving.
import fs from "node:fs";
import path from "node:path";
import { db } from "@/server/db";
import { dataDir, env } from "@/server/env";
import { AppError, toAppError } from "@/server/errors";
import { BUILDPACK_NAMES, detect, type Buildpack, type Detected } from "@/server/build/detect";
import { buildWithBuildpack, buildWithDockerfile } from "@/server/build/image";
import { BuildLog, liveBuildLog, openBuildLog, retireBuildLog } from "@/server/build/output";
import { BuildQueue, type BuildJob } from "@/server/build/queue";
import { currentOrigin, withOrigin, type Origin } from "@/server/audit/origin";
import { inspectImage } from "@/server/build/images";
import { pokeApp } from "@/server/runtime";
import { webUrl } from "@/server/services/domains";
import { recordActivity } from "@/server/services/activity";
import { createImageRelease } from "@/server/services/deploys";
import { installationId } from "@/server/services/settings";
import { runReleasePhase } from "@/server/build/release-phase";

export function buildDir(buildId: string) {
  return path.join(dataDir(), "builds", buildId);
}

type Job = BuildJob & {
  sourceRoot: string;
  /** app.json's `buildpacks` (app setups, review apps): build with this one, not the detected one. */
  buildpack?: Buildpack | null;
};
// A queued build runs later, after whichever build was ahead of it: it carries the origin
// of the push or upload that made it, so its audit events name that person and door.
type QueuedJob = Job & { origin: Origin };
const holder = globalThis as unknown as { slipwayBuildQueue?: BuildQueue<QueuedJob> };
function queue(): BuildQueue<QueuedJob> {
  return (holder.slipwayBuildQueue ??= new BuildQueue<QueuedJob>(env().SLIPWAY_BUILD_CONCURRENCY, (job) => withOrigin(job.origin, () => runBuild(job))));
}

/** Opens the build's live log and queues it; the source must already be in buildDir/src. */
export function enqueueBuild(job: Job): BuildLog {
  const log = openBuildLog(job.buildId);
  const ahead = queue().push({ ...job, origin: currentOrigin() });
  if (ahead > 0) log.line(`-----> Build queued: waiting for ${ahead === 1 ? "the build ahead of it" : `${ahead} builds ahead of it`}...`);
  return log;
}

export function imageTagFor(appId: string, buildId: string) {
  return `slipway-app/${appId}:${buildId.slice(0, 12)}`;
}

async function runBuild(job: Job): Promise<void> {
  const { buildId, appId, sourceRoot } = job;
  const log = liveBuildLog(buildId) ?? openBuildLog(buildId);
  const abort = new AbortController();
  const timeoutSeconds = env().SLIPWAY_BUILD_TIMEOUT_SECONDS;
  const timer = setTimeout(() => abort.abort(), timeoutSeconds * 1000);
  let releaseVersion: number | null = null;
  try {
    const build = await db.build.update({
      where: { id: buildId },
      data: { status: "building", startedAt: new Date() },
      select: { userId: true, sourceVersion: true, sourceKind: true, app: { select: { name: true, buildpacks: true } } },
    });
    log.line(`-----> Building on the Slipway ${env().SLIPWAY_STACK_IMAGE.split(":").pop()} stack`);
    // As Heroku words it: buildpacks the app has set, app.json's for this build, or detection.
    const set = build.app.buildpacks;
    if (set.length === 1) log.line(`-----> Using buildpack: ${set[0]}`);
    else if (set.length > 1) for (const line of ["-----> Using buildpacks:", ...set.map((name, i) => `       ${i + 1}. ${name}`)]) log.line(line);
    else log.line(job.buildpack ? `-----> Using the buildpack app.json names (${BUILDPACK_NAMES[job.buildpack]})` : "-----> Determining which buildpack to use for this app");
    const detected = detect(sourceRoot, { buildpacks: set, forced: job.buildpack });
    // With several, each announces itself as it runs (buildpack-plan.ts).
    if (detected.buildpacks.length === 1) log.line(`-----> ${BUILDPACK_NAMES[detected.buildpack]} app detected`);
    await db.build.update({ where: { id: buildId }, data: { buildpack: detected.buildpacks.join(",") } });

    const tag = imageTagFor(appId, buildId);
    const target = {
      appId,
      sourceDir: sourceRoot,
      tag,
      // The installation too: what one installation's builds leave (images, build containers,
      // cache volumes) is told apart from another's on a shared Engine (scripts/test.sh sweeps test-*).
      labels: { "slipway.managed": "1", "slipway.installation": await installationId(), "slipway.app-id": appId, "slipway.build": buildId },
      onOutput: (text: string) => log.write(text),
      signal: abort.signal,
    };
    if (detected.buildpack === "dockerfile") {
      log.line("-----> Building the image from the Dockerfile");
      await buildWithDockerfile(target);
    } else {
      await buildWithBuildpack({ ...target, detected });
    }
    const processTypes = await discoverProcessTypes(detected, tag, log);
    await db.build.update({ where: { id: buildId }, data: { imageTag: tag, processTypes } });

    const description = `Deploy ${(build.sourceVersion ?? buildId).slice(0, 7)}`;
    const commit = build.sourceKind === "git" ? build.sourceVersion : null;
    releaseVersion = await release({ appId, userId: build.userId, buildId, commit, tag, processTypes, description, log, signal: abort.signal });
    log.line(`-----> Released v${releaseVersion}`);
    log.line(`       ${webUrl(build.app.name)} deployed to Slipway`);
    await finish(log, buildId, "succeeded", null, releaseVersion);
    await recordBuildEnd(appId, buildId, "succeeded", releaseVersion).catch((e) => console.error("slipway: could not record the end of build", buildId, e));
  } catch (err) {
    const message = abort.signal.aborted
      ? `The build timed out after ${duration(timeoutSeconds)} (SLIPWAY_BUILD_TIMEOUT_SECONDS).`
      : withoutServerPaths(toAppError(err).message, sourceRoot);
    if (!(err instanceof AppError) || err.code === "INTERNAL") console.error("slipway: build", buildId, "failed", err);
    log.line();
    log.line(` !     ${message.split("\n").join("\n !     ")}`);
    log.line(" !     Build failed.");
    await finish(log, buildId, "failed", message, releaseVersion);
    await recordBuildEnd(appId, buildId, "failed", releaseVersion).catch((e) => console.error("slipway: could not record the end of build", buildId, e));
  } finally {
    clearTimeout(timer);
    await fs.promises.rm(buildDir(buildId), { recursive: true, force: true }).catch(() => {});
  }
}

/**
 * An Engine or file-system message can name where the platform keeps things: the source
 * tree becomes ".", anything else under the data directory "[platform data]".
 */
export function withoutServerPaths(message: string, sourceRoot: string): string {
  const swap = (text: string, from: string, to: string) => (from.length > 1 ? text.split(from).join(to) : text);
  return swap(swap(swap(message, `${sourceRoot}/`, "./"), sourceRoot, "."), dataDir(), "[platform data]");
}

function duration(seconds: number) {
  if (seconds % 60) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  return `${seconds / 60} minute${seconds === 60 ? "" : "s"}`;
}

async function finish(log: BuildLog, buildId: string, status: "succeeded" | "failed", error: string | null, version: number | null) {
  await log.flush();
  await db.build
    .update({ where: { id: buildId }, data: { status, error, finishedAt: new Date(), output: log.text } })
    .catch((err) => console.error("slipway: could not record the end of build", buildId, err));
  await log.end({ status, error, release: version === null ? null : { version } });
  retireBuildLog(buildId);
}

/** The build's end in the audit trail; its error stays on the build page (it may quote build output). */
async function recordBuildEnd(appId: string, buildId: string, status: "succeeded" | "failed", version: number | null) {
  const build = await db.build.findUnique({ where: { id: buildId }, select: { userId: true, sourceVersion: true } });
  const what = `Build ${(build?.sourceVersion ?? buildId).slice(0, 7)}`;
  await recordActivity({
    kind: status === "succeeded" ? "deploy.build_succeeded" : "deploy.build_failed",
    message: `${what} ${status}`,
    appId,
    userId: build?.userId ?? null,
    data: { buildId, release: version },
  });
}

/** Procfile types win; the buildpack's defaults fill in; a Dockerfile offers its CMD as web. */
async function discoverProcessTypes(detected: Detected, tag: string, log: BuildLog): Promise<Record<string, string>> {
  log.line("-----> Discovering process types");
  let defaults = detected.defaults;
  if (detected.buildpack === "dockerfile" && !detected.procfile?.web) {
    const info = await inspectImage(tag);
    if (!info) throw new AppError("INTERNAL", "The new image is missing on the Engine.");
    const argv = [...info.entrypoint, ...info.cmd];
    if (argv.length) defaults = { web: argv.map(shellQuote).join(" ") };
  }
  const types = { ...defaults, ...(detected.procfile ?? {}) };
  if (detected.procfile) log.line(`       Procfile declares types -> ${Object.keys(detected.procfile).join(", ")}`);
  const fromDefaults = Object.keys(defaults).filter((t) => !detected.procfile?.[t]);
  if (fromDefaults.length) log.line(`       Default types for buildpack -> ${fromDefaults.join(", ")}`);
  if (!Object.keys(types).length) {
    log.line("       No process types: add a Procfile (for example `web: python app.py`) to run dynos.");
  }
  return types;
}

function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * Makes the release. With a `release` process type the release is created pending, the
 * command runs as a one-off dyno of it, and only a zero exit makes it succeeded (current);
 * otherwise it is marked failed and the previous release keeps serving.
 */
async function release(input: {
  appId: string;
  userId: string | null;
  buildId: string;
  /** The pushed commit (git pushes), kept on the release so pipelines can compare stages. */
  commit: string | null;
  tag: string;
  processTypes: Record<string, string>;
  description: string;
  log: BuildLog;
  signal: AbortSignal;
}): Promise<number> {
  const releaseCommand = input.processTypes.release;
  const created = await createImageRelease({
    appId: input.appId,
    userId: input.userId,
    description: input.description,
    imageTag: input.tag,
    processTypes: input.processTypes,
    buildId: input.buildId,
    commit: input.commit,
    status: releaseCommand ? "pending" : "succeeded",
    outputSource: "build",
  });
  if (!releaseCommand) {
    await deployed(input, created.version);
    return created.version;
  }
  await runReleasePhase({ appId: input.appId, release: created, command: releaseCommand, log: input.log, signal: input.signal });
  await deployed(input, created.version);
  return created.version;
}

async function deployed(input: { appId: string; userId: string | null; description: string; buildId: string; tag: string }, version: number) {
  await apiLog(input.appId, input.userId, input.description);
  await apiLog(input.appId, input.userId, `Release v${version} created`);
  await recordActivity({
    kind: "deploy.released",
    message: `${input.description}: released v${version}`,
    appId: input.appId,
    userId: input.userId,
    data: { release: version, image: input.tag, buildId: input.buildId },
  });
  void pokeApp(input.appId);
}

/** After a restart nothing runs the builds that were in flight: end them with a message. */
export async function failInterruptedBuilds() {
  const rows = await db.build.findMany({ where: { status: { in: ["queued", "building"] } }, select: { id: true, appId: true, output: true } });
  for (const row of rows) {
    const message = "The platform restarted while this build was in progress; deploy again.";
    await db.build.update({
      where: { id: row.id },
      data: { status: "failed", error: message, finishedAt: new Date(), output: `${row.output}\n !     ${message}\n` },
    });
    await fs.promises.rm(buildDir(row.id), { recursive: true, force: true }).catch(() => {});
    await recordBuildEnd(row.appId, row.id, "failed", null);
  }
}
