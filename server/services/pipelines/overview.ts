import "server-only";
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { STAGES, type Permission, type Stage } from "@/server/auth/permissions";
import { gitRoot } from "@/server/build/git";
import { db } from "@/server/db";
import { appPermissions } from "@/server/services/access";
import { webUrl } from "@/server/services/domains";
import { pipelineForUser, type AccessiblePipeline } from "@/server/services/pipelines/access";
import { downstreamStage, listPromotions } from "@/server/services/pipelines/promotion";
import { getReviewAppConfig, listReviewApps } from "@/server/services/pipelines/review-apps";

// What the pipeline page shows: each stage's apps with their current release, and between
// neighbouring stages what differs — the same image (up to date) or the commits the
// upstream app has that the downstream one lacks, read from the apps' git repositories.

type CurrentRelease = { version: number; description: string; commit: string | null; imageTag: string | null; createdAt: Date; user: string | null };

export type StageApp = {
  id: string;
  name: string;
  webUrl: string;
  permissions: Permission[];
  release: CurrentRelease | null;
};

export type Commit = { sha: string; author: string; date: string; message: string };

export type StageDiff = {
  from: string;
  to: string;
  /** same: the downstream app runs the upstream's image; ahead: commits it lacks (null = unknown); none: nothing deployed upstream. */
  state: "same" | "ahead" | "different" | "none";
  ahead: number | null;
  commits: Commit[];
};

async function currentRelease(appId: string): Promise<CurrentRelease | null> {
  const r = await db.release.findFirst({
    where: { appId, status: "succeeded" },
    orderBy: { version: "desc" },
    select: { version: true, description: true, commit: true, imageTag: true, createdAt: true, user: { select: { email: true } } },
  });
  return r ? { version: r.version, description: r.description, commit: r.commit, imageTag: r.imageTag, createdAt: r.createdAt, user: r.user?.email ?? null } : null;
}

export async function pipelineOverview(input: { userId: string; pipeline: AccessiblePipeline }) {
  const { pipeline } = input;
  const couplings = await db.pipelineCoupling.findMany({ where: { pipelineId: pipeline.id }, orderBy: { app: { name: "asc" } }, select: { id: true, stage: true, app: { select: { id: true, name: true } } } });
  const stages = Object.fromEntries(STAGES.map((s) => [s, [] as StageApp[]])) as Record<Stage, StageApp[]>;
  for (const c of couplings) {
    // Apps the caller cannot see (a locked team app) are left out, as everywhere.
    const access = await appPermissions({ userId: input.userId, app: c.app.id });
    if (!access) continue;
    stages[c.stage as Stage]?.push({ id: c.app.id, name: c.app.name, webUrl: webUrl(c.app.name), permissions: access.permissions, release: await currentRelease(c.app.id) });
  }
  const diffs: StageDiff[] = [];
  const repos = couplings.map((c) => path.join(gitRoot(), `${c.app.id}.git`)).filter((r) => fs.existsSync(r));
  for (const stage of ["development", "staging"] as const) {
    const next = downstreamStage(stage) as Stage;
    for (const up of stages[stage]) for (const down of stages[next]) diffs.push(await diffApps(up, down, repos));
  }
  const [reviewApps, reviewAppConfig, promotions] = await Promise.all([listReviewApps(pipeline.id), getReviewAppConfig(pipeline.id), listPromotions(pipeline.id, 5)]);
  const visibleReviewApps = reviewApps.filter((r) => stages.review.some((a) => a.id === r.app.id));
  return {
    pipeline: { id: pipeline.id, name: pipeline.name, role: pipeline.role, team: pipeline.team, owner: pipeline.owner, createdAt: pipeline.createdAt },
    stages,
    diffs,
    reviewApps: visibleReviewApps,
    reviewAppConfig,
    promotions,
  };
}

async function diffApps(up: StageApp, down: StageApp, repos: string[]): Promise<StageDiff> {
  const base = { from: up.name, to: down.name, ahead: null, commits: [] };
  if (!up.release?.imageTag) return { ...base, state: "none" };
  if (up.release.imageTag === down.release?.imageTag) return { ...base, state: "same", ahead: 0 };
  if (!up.release.commit || !down.release?.commit) return { ...base, state: "different" };
  if (up.release.commit === down.release.commit) return { ...base, state: "same", ahead: 0 };
  const log = await commitsBetween(repos, down.release.commit, up.release.commit);
  return log ? { ...base, state: "ahead", ahead: log.ahead, commits: log.commits } : { ...base, state: "different" };
}

const SHA = /^[0-9a-f]{40}$/;

/** Commits in `to` that `from` lacks, from the first repository holding both (null when none does). */
export async function commitsBetween(repos: string[], from: string, to: string, limit = 20): Promise<{ ahead: number; commits: Commit[] } | null> {
  if (!SHA.test(from) || !SHA.test(to)) return null;
  for (const repo of repos) {
    const count = await git(repo, ["rev-list", "--count", `${from}..${to}`]);
    if (count === null) continue;
    const log = await git(repo, ["log", `--max-count=${limit}`, "--format=%H%x1f%an%x1f%aI%x1f%s", `${from}..${to}`]);
    if (log === null) continue;
    const commits = log
      .split("\n")
      .filter(Boolean)
      .map((l) => {
        const [sha = "", author = "", date = "", message = ""] = l.split("\x1f");
        return { sha, author, date, message };
      });
    return { ahead: Number(count.trim()) || 0, commits };
  }
  return null;
}

function git(repo: string, args: string[]): Promise<string | null> {
  return new Promise((resolve) => {
    const child = spawn("git", args, { env: { ...process.env, GIT_DIR: repo }, stdio: ["ignore", "pipe", "ignore"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.on("error", () => resolve(null));
    child.on("close", (code) => resolve(code === 0 ? out : null));
  });
}

/** The app page's link: its pipeline and stage, and whether the caller may open the pipeline. */
export async function appPipeline(input: { userId: string; appId: string }) {
  const coupling = await db.pipelineCoupling.findUnique({ where: { appId: input.appId }, select: { stage: true, pipeline: { select: { id: true, name: true } } } });
  if (!coupling) return null;
  const visible = await pipelineForUser({ userId: input.userId, pipeline: coupling.pipeline.id });
  const reviewApp = await db.reviewApp.findUnique({ where: { appId: input.appId }, select: { branch: true } });
  return { name: coupling.pipeline.name, stage: coupling.stage, canOpen: visible !== null, branch: reviewApp?.branch ?? null };
}
