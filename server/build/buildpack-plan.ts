import "server-only";
// The whole build of a buildpack app: one buildpack's plan (buildpacks.ts), or, when an app
// has set several (`heroku buildpacks:add`), each one's in order in the same container, as
// Heroku runs multiple buildpacks: each announces itself, a failing one fails the build,
// and the image gets every buildpack's settings (the later one's first on PATH).
import { buildPlan, imageChanges, type BuildPlan } from "@/server/build/buildpacks";
import { BUILDPACK_NAMES, type Buildpack, type Detected } from "@/server/build/detect";

export type WholePlan = BuildPlan & { changes: string[] };

type Language = Exclude<Buildpack, "dockerfile">;

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function planBuild(detected: Detected, sourceDir: string): WholePlan {
  const buildpacks = detected.buildpacks as Language[];
  if (buildpacks.length <= 1) {
    return { ...buildPlan(detected, sourceDir), changes: imageChanges(detected.buildpack as Language) };
  }
  const parts = buildpacks.map((buildpack) => ({ buildpack, plan: buildPlan({ ...detected, buildpack }, sourceDir) }));
  const changes = mergeImageChanges(buildpacks.map(imageChanges));
  if (parts.every((p) => !p.plan.script)) {
    return { script: null, notes: parts.flatMap((p) => [`-----> ${BUILDPACK_NAMES[p.buildpack]} app detected`, ...p.plan.notes]), changes };
  }
  // In the container, so each buildpack's lines come out in order; each in a subshell, so
  // one buildpack's `cd` or `set` cannot change the next one's start.
  const script = parts
    .map(({ buildpack, plan }) => {
      const lines = [`-----> ${BUILDPACK_NAMES[buildpack]} app detected`, ...plan.notes].map((l) => `printf '%s\\n' ${quote(l)}`);
      return [...lines, plan.script ? `(\n${plan.script}\n)` : ""].join("\n");
    })
    .join("\n");
  return { script: `set -eo pipefail\n${script}`, notes: [], changes };
}

/**
 * One image's settings from several buildpacks': an `ENV NAME=` set twice keeps the later
 * value, except PATH, which joins them with the later buildpack's directories first.
 */
export function mergeImageChanges(lists: string[][]): string[] {
  const byKey = new Map<string, string>();
  const path: string[] = [];
  for (const list of [...lists].reverse()) {
    for (const line of list) {
      const env = /^ENV ([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
      if (env?.[1] === "PATH") {
        for (const dir of env[2]!.split(":")) if (!path.includes(dir)) path.push(dir);
        continue;
      }
      const key = env ? `ENV ${env[1]}` : (line.split(" ")[0] ?? line);
      if (!byKey.has(key)) byKey.set(key, line);
    }
  }
  return [...byKey.values(), ...(path.length ? [`ENV PATH=${path.join(":")}`] : [])];
}
