import "server-only";
// The whole build of a buildpack app: one buildpack's plan, or, when an app has set several
// (`heroku buildpacks:add`), each one's in order in the same container, as Heroku runs
// multiple buildpacks: each announces itself, a failing one fails the build, and the image
// gets every buildpack's settings (the later one's directories first on PATH).
import { imageChanges, PRELUDE, type BuildPlan } from "@/server/build/buildpacks";
import { BUILDPACK_NAMES, type Buildpack, type Detected } from "@/server/build/detect";

/** A buildpack's plan; `toolchains`: the build needs the installation's downloaded Node.js releases. */
export type OnePlan = BuildPlan & { toolchains?: boolean };
export type WholePlan = OnePlan & { changes: string[] };

type Language = Exclude<Buildpack, "dockerfile">;

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** `planOne` plans one buildpack (Node.js: nodejs/plan.ts; the others: buildpacks.ts). */
export async function planBuild(detected: Detected, planOne: (one: Detected) => OnePlan | Promise<OnePlan>): Promise<WholePlan> {
  const buildpacks = detected.buildpacks as Language[];
  if (buildpacks.length <= 1) return { ...(await planOne(detected)), changes: imageChanges(detected.buildpack as Language) };
  const parts: { buildpack: Language; plan: OnePlan }[] = [];
  for (const buildpack of buildpacks) parts.push({ buildpack, plan: await planOne({ ...detected, buildpack }) });
  const changes = mergeImageChanges(buildpacks.map(imageChanges));
  const toolchains = parts.some((p) => p.plan.toolchains);
  if (parts.every((p) => !p.plan.script)) {
    return { script: null, notes: parts.flatMap((p) => [`-----> ${BUILDPACK_NAMES[p.buildpack]} app detected`, ...p.plan.notes]), changes, toolchains };
  }
  // In the container, so each buildpack's lines come out in order; each in a subshell, so
  // one buildpack's `cd`, `set` or exports cannot change the next one's start. The prelude
  // runs first, outside them: it reads the app's config vars once for all of them.
  const script = parts
    .map(({ buildpack, plan }) => {
      const lines = [`-----> ${BUILDPACK_NAMES[buildpack]} app detected`, ...plan.notes].map((l) => `printf '%s\\n' ${quote(l)}`);
      return [...lines, plan.script ? `(\n${plan.script}\n)` : ""].join("\n");
    })
    .join("\n");
  return { script: `${PRELUDE}\n${script}`, notes: [], changes, toolchains };
}

const SYSTEM_DIR = /^\/(usr\/|bin$|sbin$)/;

/**
 * One image's settings from several buildpacks': an `ENV NAME=` set twice keeps the later
 * value, except PATH: the buildpacks' own directories before the system's (the later
 * buildpack's first), then those each put after the system's, so a slug's Node.js still
 * comes before the stack's.
 */
export function mergeImageChanges(lists: string[][]): string[] {
  const byKey = new Map<string, string>();
  const before: string[] = [];
  const system: string[] = [];
  const after: string[] = [];
  const add = (into: string[], dir: string) => {
    if (![...before, ...system, ...after].includes(dir)) into.push(dir);
  };
  for (const list of [...lists].reverse()) {
    for (const line of list) {
      const env = /^ENV ([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
      if (env?.[1] === "PATH") {
        const dirs = env[2]!.split(":");
        const firstSystem = dirs.findIndex((d) => SYSTEM_DIR.test(d));
        dirs.forEach((dir, i) => add(SYSTEM_DIR.test(dir) ? system : firstSystem === -1 || i < firstSystem ? before : after, dir));
        continue;
      }
      const key = env ? `ENV ${env[1]}` : (line.split(" ")[0] ?? line);
      if (!byKey.has(key)) byKey.set(key, line);
    }
  }
  const path = [...before, ...system, ...after];
  return [...byKey.values(), ...(path.length ? [`ENV PATH=${path.join(":")}`] : [])];
}
