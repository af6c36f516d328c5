import "server-only";
// app.json applied to an app: config vars (values, overrides, generated secrets), formation
// and add-ons, then (after the first release) the postdeploy script in a one-off dyno. Used by
// app setups and by review apps alike; every step goes through the same services the
// dashboard and the CLI use, so quotas, releases and the audit trail apply as usual.
// Values never leave this module in messages: only config var names do.
import crypto from "node:crypto";
import { db } from "@/server/db";
import { AppError } from "@/server/errors";
import { DEFAULT_DYNO_SIZE } from "@/server/runtime/sizes";
import { createAddon } from "@/server/services/addons";
import { provisionInBackground } from "@/server/services/addon-provisioning";
import { configChangesSchema, configKeySchema, setConfigVars } from "@/server/services/config-vars";
import { runCommand, updateFormation } from "@/server/services/formation";
import { formatProblem, manifestFor, pathJoin, type AppJson, type ManifestProblem, type ScriptSpec } from "@/server/services/app-json/parse";

export type AppJsonEnvironment = "review" | null | undefined;

/** Heroku's `secret` generator: 64 hexadecimal characters. */
export function generateSecret(): string {
  return crypto.randomBytes(32).toString("hex");
}

/** A problem with the manifest or the values given for it, as one error with every path. */
export function manifestError(problems: ManifestProblem[]): AppError {
  return new AppError("UNPROCESSABLE", `app.json: ${problems.map(formatProblem).join("; ")}`, {
    fieldErrors: Object.fromEntries(problems.map((p) => [p.path, p.message])),
  });
}

/**
 * The config vars app.json asks for: a given override wins, then the manifest's value, then
 * a generated secret; a required var with none of these is a problem at `env.KEY`. Override
 * keys the manifest does not name are set too (Heroku: "additional environment variables").
 */
export function resolveEnv(manifest: AppJson, overrides: Record<string, string> = {}) {
  const values: Record<string, string> = {};
  const generated: string[] = [];
  const problems: ManifestProblem[] = [];
  for (const [key, spec] of Object.entries(manifest.env)) {
    if (key in overrides) values[key] = overrides[key]!;
    else if (spec.value !== null) values[key] = spec.value;
    else if (spec.generator === "secret") {
      values[key] = generateSecret();
      generated.push(key);
    } else if (spec.required) {
      problems.push({ path: pathJoin("env", key), message: `is required and has no value: give one${spec.description ? ` (${spec.description})` : ""}` });
    }
  }
  for (const [key, value] of Object.entries(overrides)) {
    const p = pathJoin("overrides.env", key);
    if (!configKeySchema.safeParse(key).success) problems.push({ path: p, message: "is not a valid config var name" });
    else if (typeof value !== "string") problems.push({ path: p, message: "must be a string" });
    else values[key] = value;
  }
  const sizes = configChangesSchema.safeParse(values);
  if (!sizes.success) for (const issue of sizes.error.issues) problems.push({ path: pathJoin("env", String(issue.path[0])), message: issue.message });
  return { values, generated, problems };
}

export type AppliedAppJson = {
  /** Names only. `generated` are the ones a secret was made for. */
  config: { set: string[]; generated: string[]; release: number | null };
  formation: { type: string; quantity: number; size: string }[];
  addons: { id: string; name: string; service: string; plan: string; as: string | null; state: string }[];
  /** What was accepted but not honoured (add-on options), for the setup's output. */
  notes: string[];
};

/**
 * Applies the manifest (as `environment` sees it) to an app: config vars in one release,
 * formation (rows are made before the first build, so the release that brings the process
 * types starts them at this scale), then add-ons, provisioned and waited for. Throws an
 * UNPROCESSABLE AppError naming the JSON path of what was wrong; missing required values are
 * found before anything is changed. `onProgress` gets one line per step (names, no values).
 */
export async function applyAppJson(input: {
  appId: string;
  userId: string;
  manifest: AppJson;
  environment?: AppJsonEnvironment;
  overrides?: { env?: Record<string, string> };
  onProgress?: (line: string) => void;
  /** Each of the three parts as it starts and ends (a part with nothing to do is skipped). */
  onStep?: (step: "config" | "formation" | "addons", event: "running" | "succeeded" | "skipped", detail?: string) => unknown;
}): Promise<AppliedAppJson> {
  const m = manifestFor(input.manifest, input.environment);
  const say = input.onProgress ?? (() => {});
  const step = async (name: "config" | "formation" | "addons", event: "running" | "succeeded" | "skipped", detail?: string) => {
    if (detail && event !== "running") say(detail);
    await input.onStep?.(name, event, detail);
  };
  const env = resolveEnv(m, input.overrides?.env);
  if (env.problems.length) throw manifestError(env.problems);

  const result: AppliedAppJson = { config: { set: [], generated: env.generated, release: null }, formation: [], addons: [], notes: [] };
  if (Object.keys(env.values).length) {
    await step("config", "running");
    const { release } = await setConfigVars({ appId: input.appId, userId: input.userId, changes: env.values });
    result.config.set = Object.keys(env.values).sort();
    result.config.release = release?.version ?? null;
    await step("config", "succeeded", `Set ${result.config.set.join(", ")}${env.generated.length ? ` (generated secrets: ${env.generated.join(", ")})` : ""}`);
  } else await step("config", "skipped", "app.json sets no config vars");

  if (Object.keys(m.formation).length) {
    await step("formation", "running");
    result.formation = await applyFormation(input.appId, m);
    await step("formation", "succeeded", result.formation.map((f) => `${f.type}=${f.quantity}:${f.size}`).join(" "));
  } else await step("formation", "skipped", "app.json sets no formation (web runs one dyno)");

  if (m.addons.length) await step("addons", "running");
  else await step("addons", "skipped", "app.json lists no add-ons");

  const created: { id: string; index: number }[] = [];
  for (const [index, spec] of m.addons.entries()) {
    if (spec.options && Object.keys(spec.options).length) {
      result.notes.push(`${pathJoin(pathJoin("addons", index), "options")}: ${spec.service} takes no options here; ignored (${Object.keys(spec.options).join(", ")})`);
    }
    try {
      const addon = await createAddon({ appId: input.appId, userId: input.userId, service: spec.service, plan: spec.planName, as: spec.as });
      created.push({ id: addon.id, index });
    } catch (err) {
      throw pathed(err, pathJoin("addons", index));
    }
  }
  // Provisioned side by side; the setup goes on once every one is available.
  await Promise.all(created.map((c) => provisionInBackground(c.id)));
  for (const c of created) {
    const row = await db.addon.findUniqueOrThrow({
      where: { id: c.id },
      select: { id: true, name: true, service: true, plan: true, state: true, error: true, attachments: { where: { appId: input.appId }, select: { name: true } } },
    });
    if (row.state !== "available") {
      throw new AppError("UNPROCESSABLE", `${pathJoin("addons", c.index)}: add-on ${row.name} could not be provisioned${row.error ? `: ${row.error}` : "."}`);
    }
    result.addons.push({ id: row.id, name: row.name, service: row.service, plan: row.plan, as: row.attachments[0]?.name ?? null, state: row.state });
  }
  if (m.addons.length) {
    await step("addons", "succeeded", [...result.addons.map((a) => `${a.name} (${a.service}:${a.plan}) as ${a.as ?? "?"}_URL`), ...result.notes].join("; "));
  }
  return result;
}

/** A service's refusal (quota, name taken) with the manifest path it came from. */
function pathed(err: unknown, path: string): unknown {
  if (!(err instanceof AppError) || err.code === "INTERNAL") return err;
  return new AppError(err.code, `${path}: ${err.message}`, { ...err.details, fieldErrors: { [path]: err.message } });
}

/**
 * Formation entries for the manifest's process types. Unknown types get a row at 0 first,
 * then one updateFormation applies quantities and sizes (quotas, limits per size, logs and
 * audit as for `ps:scale`). A type listed without a quantity runs one dyno.
 */
async function applyFormation(appId: string, m: AppJson) {
  const types = Object.entries(m.formation);
  if (!types.length) return [];
  const existing = new Set((await db.formation.findMany({ where: { appId }, select: { type: true } })).map((f) => f.type));
  const missing = types.filter(([t]) => !existing.has(t));
  if (missing.length) {
    await db.formation.createMany({ data: missing.map(([type]) => ({ appId, type, quantity: 0, size: DEFAULT_DYNO_SIZE })), skipDuplicates: true });
  }
  try {
    const rows = await updateFormation({
      appId,
      updates: types.map(([type, spec]) => ({ type, quantity: spec.quantity ?? 1, size: spec.size ?? undefined })),
    });
    const wanted = new Set(types.map(([t]) => t));
    return rows.filter((r) => wanted.has(r.type)).map((r) => ({ type: r.type, quantity: r.quantity, size: r.size }));
  } catch (err) {
    throw pathed(err, "formation");
  }
}

/** Process types the manifest scales that the app's current release does not have. */
export async function formationTypesMissing(appId: string, manifest: AppJson, environment?: AppJsonEnvironment): Promise<string[]> {
  const m = manifestFor(manifest, environment);
  const release = await db.release.findFirst({
    where: { appId, status: "succeeded", imageTag: { not: null } },
    orderBy: { version: "desc" },
    select: { processTypes: true },
  });
  const types = (release?.processTypes ?? {}) as Record<string, string>;
  return Object.entries(m.formation)
    .filter(([type, spec]) => (spec.quantity ?? 1) > 0 && !(type in types))
    .map(([type]) => type);
}

export type ScriptRun = { command: string; dyno: string; exitCode: number; output: string };

const MAX_SCRIPT_OUTPUT = 256 * 1024;

async function runScript(input: {
  appId: string;
  script: ScriptSpec;
  namePrefix: "postdeploy" | "predestroy";
  onOutput?: (text: string) => void;
  signal?: AbortSignal;
  timeoutMs?: number;
}): Promise<ScriptRun> {
  let output = "";
  const { dyno, exitCode } = await runCommand({
    appId: input.appId,
    command: input.script.command,
    size: input.script.size ?? undefined,
    namePrefix: input.namePrefix,
    signal: input.signal,
    timeoutMs: input.timeoutMs,
    onOutput: (_stream, text) => {
      output += text;
      // The tail is what explains a failure: keep the last part of a long output.
      if (output.length > MAX_SCRIPT_OUTPUT) output = output.slice(output.length - MAX_SCRIPT_OUTPUT);
      input.onOutput?.(text);
    },
  });
  return { command: input.script.command, dyno, exitCode, output };
}

/**
 * Runs `scripts.postdeploy` (as `environment` sees it) once, in a one-off dyno
 * (`postdeploy.N`) of the app's current release, with its config vars and add-ons. Callers
 * run it after the first release of an app made from the manifest, and only then. Resolves
 * with the exit code and output (its last 256 KiB), or null when there is no script.
 */
export async function runPostdeploy(input: {
  appId: string;
  manifest: AppJson;
  environment?: AppJsonEnvironment;
  onOutput?: (text: string) => void;
  signal?: AbortSignal;
  timeoutMs?: number;
}): Promise<ScriptRun | null> {
  const script = manifestFor(input.manifest, input.environment).scripts.postdeploy;
  if (!script) return null;
  return runScript({ ...input, script, namePrefix: "postdeploy" });
}

/**
 * Runs `scripts.pr-predestroy` (review apps: before the app is destroyed) in a one-off dyno
 * (`predestroy.N`) of its current release. Null when there is no script.
 */
export async function runPrPredestroy(input: {
  appId: string;
  manifest: AppJson;
  environment?: AppJsonEnvironment;
  onOutput?: (text: string) => void;
  signal?: AbortSignal;
  timeoutMs?: number;
}): Promise<ScriptRun | null> {
  const script = manifestFor(input.manifest, input.environment ?? "review").scripts.prPredestroy;
  if (!script) return null;
  return runScript({ ...input, script, namePrefix: "predestroy" });
}
