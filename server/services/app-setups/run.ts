import "server-only";
// One app setup, step by step, each step's state written to the setup's row as it changes
// (the dashboard polls it; the build's own output streams through builds.output). The order
// is Heroku's: source, app.json, config vars, formation, add-ons (provisioned before the
// code is built), build and release, dynos, then postdeploy once, in a one-off dyno of that
// first release. Any failure ends the setup as failed and removes the app.
import fs from "node:fs";
import { withOrigin, type Origin } from "@/server/audit/origin";
import { db, type Prisma } from "@/server/db";
import { toAppError } from "@/server/errors";
import type { BuildEnd } from "@/server/build/output";
import { applyAppJson, formatProblem, formationTypesMissing, manifestFor, parseAppJson, readAppJsonFromArchive, resolveEnv, runPostdeploy, type AppJson } from "@/server/services/app-json";
import { destroyApp } from "@/server/services/apps";
import { createBuild } from "@/server/services/builds";
import { webUrl } from "@/server/services/domains";
import { fetchSourceArchive } from "@/server/services/app-setups/source";
import { initialSteps, type SetupStep, type SetupStepKey, type SetupStepStatus } from "@/server/services/app-setups/steps";

type Job = {
  setupId: string;
  appId: string;
  appName: string;
  userId: string;
  sourceFile: string;
  url: string | null;
  expectedChecksum: string | null;
  envOverrides: Record<string, string>;
  origin: Origin;
};

/** A failure of the setup with what to tell the user (and, for app.json, every problem). */
class SetupFailure extends Error {
  constructor(message: string, readonly manifestErrors: string[] = []) {
    super(message);
  }
}

const running = new Map<string, Promise<void>>();

/** Starts the job; resolves when the setup has ended (tests await it through waitForSetup). */
export function runSetup(job: Job): Promise<void> {
  const p = withOrigin(job.origin, () => run(job)).finally(() => running.delete(job.setupId));
  running.set(job.setupId, p);
  return p;
}

/** Resolves once a setup this process runs has ended (at once for others). */
export function waitForSetup(setupId: string): Promise<void> {
  return running.get(setupId) ?? Promise.resolve();
}

class Steps {
  private steps: SetupStep[] = initialSteps();
  private writing: Promise<unknown> = Promise.resolve();
  current: SetupStepKey | null = null;
  constructor(private readonly setupId: string) {}
  set(key: SetupStepKey, status: SetupStepStatus, detail?: string | null, extra: Prisma.AppSetupUpdateInput = {}) {
    const now = new Date().toISOString();
    this.steps = this.steps.map((s) =>
      s.key !== key
        ? s
        : {
            ...s,
            status,
            detail: detail === undefined ? s.detail : detail,
            startedAt: s.startedAt ?? (status === "pending" ? null : now),
            finishedAt: status === "running" || status === "pending" ? null : now,
          },
    );
    if (status === "running") this.current = key;
    return this.save(extra);
  }
  /** Steps never reached are marked skipped once the setup has failed. */
  skipRest() {
    this.steps = this.steps.map((s) => (s.status === "pending" ? { ...s, status: "skipped" as const } : s));
  }
  save(extra: Prisma.AppSetupUpdateInput = {}) {
    const steps = this.steps;
    // Written in order: a late write never overwrites a newer state.
    this.writing = this.writing.then(() =>
      db.appSetup.update({ where: { id: this.setupId }, data: { steps: steps as unknown as Prisma.InputJsonValue, ...extra } }).catch((err) => {
        console.error("slipway: could not record the progress of app setup", this.setupId, err);
      }),
    );
    return this.writing;
  }
}

async function run(job: Job): Promise<void> {
  const steps = new Steps(job.setupId);
  let buildId: string | null = null;
  try {
    // 1. The source archive.
    await steps.set("source", "running");
    let checksum: string;
    if (job.url) {
      const fetched = await fetchSourceArchive({ url: job.url, dest: job.sourceFile });
      checksum = fetched.checksum;
      if (job.expectedChecksum && job.expectedChecksum !== checksum) {
        throw new SetupFailure(`The source's checksum is SHA256:${checksum}, not the SHA256:${job.expectedChecksum} given.`);
      }
      await steps.set("source", "succeeded", `Fetched ${kib(fetched.bytes)} (SHA256:${checksum.slice(0, 12)}…)`, { sourceChecksum: checksum });
    } else {
      const st = await fs.promises.stat(job.sourceFile);
      const row = await db.appSetup.findUniqueOrThrow({ where: { id: job.setupId }, select: { sourceChecksum: true } });
      checksum = row.sourceChecksum ?? "";
      await steps.set("source", "succeeded", `Uploaded ${kib(st.size)} (SHA256:${checksum.slice(0, 12)}…)`);
    }

    // 2. app.json: every problem at once, with its path; required values checked before anything changes.
    await steps.set("manifest", "running");
    const text = await readAppJsonFromArchive(job.sourceFile);
    if (text === null) throw new SetupFailure("app.json not found: put it at the root of the source.");
    const parsed = parseAppJson(text);
    if (!parsed.ok) {
      const errors = parsed.errors.map(formatProblem);
      throw new SetupFailure(`app.json is not valid: ${errors.length === 1 ? errors[0] : `${errors.length} problems`}.`, errors);
    }
    const manifest: AppJson = parsed.manifest;
    const env = resolveEnv(manifest, job.envOverrides);
    if (env.problems.length) {
      const errors = env.problems.map(formatProblem);
      throw new SetupFailure(`app.json needs values: ${errors.length === 1 ? errors[0] : `${errors.length} problems`}.`, errors);
    }
    await steps.set("manifest", "succeeded", describeManifest(manifest), { manifest: manifest as unknown as Prisma.InputJsonValue });

    // 3–5. Config vars, formation, add-ons (waited for: the build and postdeploy may need them).
    await applyAppJson({
      appId: job.appId,
      userId: job.userId,
      manifest,
      overrides: { env: job.envOverrides },
      onStep: (key, event, detail) => steps.set(key, event, detail ?? null),
    });

    // 6. Build and release, from the same archive, with app.json's buildpack if it names one.
    await steps.set("build", "running", "Queued");
    const { build, log } = await createBuild({
      appId: job.appId,
      userId: job.userId,
      sourceKind: "tarball",
      sourceVersion: checksum || null,
      source: fs.createReadStream(job.sourceFile),
      buildpack: manifestFor(manifest).buildpacks[0]?.buildpack ?? null,
    });
    buildId = build.id;
    await steps.set("build", "running", "Building", { buildId: build.id, buildStatus: "pending" });
    const end = await new Promise<BuildEnd>((resolve) => (log.ended ? resolve(log.ended) : log.once("end", resolve)));
    if (end.status !== "succeeded") {
      await steps.set("build", "failed", end.error, { buildStatus: "failed" });
      throw new SetupFailure(`The build failed: ${end.error ?? "see its output"}`);
    }
    await steps.set("build", "succeeded", end.release ? `Released v${end.release.version}` : "Built", { buildStatus: "succeeded" });

    // 7. Dynos: every process type the formation scales must exist in the release.
    await steps.set("scale", "running");
    const missing = await formationTypesMissing(job.appId, manifest);
    if (missing.length) {
      const errors = missing.map((t) => `formation.${t}: the release has no ${t} process type (add it to the Procfile)`);
      throw new SetupFailure(`app.json scales process types the app does not have: ${missing.join(", ")}.`, errors);
    }
    const formation = await db.formation.findMany({ where: { appId: job.appId }, orderBy: { type: "asc" }, select: { type: true, quantity: true, size: true } });
    await steps.set("scale", "succeeded", formation.map((f) => `${f.type}=${f.quantity}:${f.size}`).join(" ") || "No process types");

    // 8. postdeploy, once, after the first release.
    if (manifest.scripts.postdeploy) {
      await steps.set("postdeploy", "running", manifest.scripts.postdeploy.command, { postdeployOutput: "" });
      let output = "";
      let flushing: NodeJS.Timeout | null = null;
      const flush = () => {
        flushing = null;
        void db.appSetup.update({ where: { id: job.setupId }, data: { postdeployOutput: output } }).catch(() => undefined);
      };
      const result = await runPostdeploy({
        appId: job.appId,
        manifest,
        onOutput: (text) => {
          output += text;
          flushing ??= setTimeout(flush, 500);
        },
      });
      if (flushing) clearTimeout(flushing);
      const exitCode = result?.exitCode ?? 0;
      const data = { postdeployOutput: result?.output ?? output, postdeployExitCode: exitCode };
      if (exitCode !== 0) {
        await steps.set("postdeploy", "failed", `Exited with status ${exitCode}`, data);
        throw new SetupFailure(`The postdeploy script exited with status ${exitCode}.`);
      }
      await steps.set("postdeploy", "succeeded", `Exited with status 0 in ${result?.dyno ?? "a one-off dyno"}`, data);
    } else await steps.set("postdeploy", "skipped", "app.json has no postdeploy script");

    await steps.save({ status: "succeeded", resolvedSuccessUrl: successUrl(manifest.successUrl, job.appName) });
  } catch (err) {
    const failure = err instanceof SetupFailure ? err : null;
    const appError = failure ? null : toAppError(err);
    if (appError?.code === "INTERNAL") console.error("slipway: app setup", job.setupId, "failed", err);
    const message = failure?.message ?? (appError!.code === "INTERNAL" ? "Something went wrong on our side." : appError!.message);
    // app.json problems found by the services (a quota, a plan) carry their paths as field errors.
    const pathErrors = failure?.manifestErrors ?? Object.entries(appError?.details?.fieldErrors ?? {}).filter(([k]) => /^(env|formation|addons|scripts|overrides)/.test(k)).map(([k, v]) => `${k}: ${v}`);
    if (steps.current) await steps.set(steps.current, "failed", message.length > 500 ? `${message.slice(0, 500)}…` : message);
    steps.skipRest();
    await steps.save({ status: "failed", failureMessage: message, manifestErrors: pathErrors });
    await removeSetupApp(job.setupId, job.appId, job.appName, buildId).catch((e) => console.error("slipway: removing the app of failed setup", job.setupId, e));
  } finally {
    await fs.promises.rm(job.sourceFile, { force: true }).catch(() => undefined);
    await fs.promises.rmdir(pathDir(job.sourceFile)).catch(() => undefined);
  }
}

const pathDir = (file: string) => file.slice(0, file.lastIndexOf("/"));
const kib = (bytes: number) => (bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${Math.max(1, Math.round(bytes / 1024))} KiB`);

function describeManifest(m: AppJson): string {
  const parts = [
    m.name ? `"${m.name}"` : null,
    `${Object.keys(m.env).length} config var${Object.keys(m.env).length === 1 ? "" : "s"}`,
    `${m.addons.length} add-on${m.addons.length === 1 ? "" : "s"}`,
    Object.keys(m.formation).length ? `formation for ${Object.keys(m.formation).join(", ")}` : null,
    m.scripts.postdeploy ? "a postdeploy script" : null,
  ];
  return parts.filter(Boolean).join(", ");
}

/** Heroku: an absolute success_url as it is, a relative one against the app's web URL. */
export function successUrl(value: string | null, appName: string): string {
  const base = webUrl(appName);
  if (!value) return base;
  try {
    return new URL(value, base.endsWith("/") ? base : `${base}/`).toString();
  } catch {
    return base;
  }
}

/**
 * Removes a setup's app (its add-ons, config vars, dynos and builds go with it) and notes
 * that on the setup, keeping a copy of the build's output first.
 */
export async function removeSetupApp(setupId: string, appId: string, appName: string, buildId: string | null = null) {
  const app = await db.app.findUnique({ where: { id: appId }, select: { name: true } });
  if (!app) return;
  if (buildId) {
    const build = await db.build.findUnique({ where: { id: buildId }, select: { output: true } });
    if (build) await db.appSetup.updateMany({ where: { id: setupId }, data: { buildOutput: build.output } });
  }
  await destroyApp({ appId, appName: app.name, confirm: app.name });
  await db.appSetup.updateMany({ where: { id: setupId }, data: { appRemoved: true, appName: app.name ?? appName } });
}

