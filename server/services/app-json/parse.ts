import "server-only";
// app.json (Heroku's manifest, devcenter "app.json Schema") read strictly: every problem is
// reported with the JSON path where it is (`env.SECRET.generator`, `addons[1].plan`), all of
// them at once, so a user fixes the file in one go. What this platform cannot honour (another
// stack, a buildpack it does not have, an add-on service or dyno size it does not offer) is a
// problem too, never silently ignored. Informational keys (website, logo, keywords, …) are
// kept as they are; unknown keys are ignored, as Heroku ignores them.
import { PROVIDERS } from "@/server/addons/registry";
import type { Buildpack } from "@/server/build/detect";
import { DYNO_SIZES, dynoSize } from "@/server/runtime/sizes";

/** This platform's one stack (apps are created on it; see server/platform-api/apps.ts). */
export const APP_JSON_STACK = "bookworm";

export type ManifestProblem = { path: string; message: string };

export type EnvSpec = {
  description: string | null;
  /** The literal value, when app.json gives one. */
  value: string | null;
  /** Heroku's default is true: without a value or generator, the setup must be given one. */
  required: boolean;
  generator: "secret" | null;
};

export type FormationSpec = { quantity: number | null; size: string | null };

export type AddonSpec = {
  /** As written: "heroku-postgresql:essential-0". */
  plan: string;
  /** Resolved to this platform's service and plan names. */
  service: string;
  planName: string;
  /** The attachment name (DATABASE → DATABASE_URL), when given. */
  as: string | null;
  /** Kept as given; this platform's providers take no options (the setup says so). */
  options: Record<string, unknown> | null;
};

export type ScriptSpec = { command: string; size: string | null };

export type BuildpackSpec = { url: string; buildpack: Buildpack };

/** The keys an environment (`environments.review`) may override. */
export type ManifestCore = {
  env: Record<string, EnvSpec>;
  formation: Record<string, FormationSpec>;
  addons: AddonSpec[];
  scripts: { postdeploy: ScriptSpec | null; prPredestroy: ScriptSpec | null };
  buildpacks: BuildpackSpec[];
  stack: string | null;
};

export type EnvironmentOverrides = {
  [K in keyof ManifestCore]?: K extends "scripts" ? Partial<ManifestCore["scripts"]> : ManifestCore[K];
};

export type AppJson = ManifestCore & {
  name: string | null;
  description: string | null;
  keywords: string[];
  website: string | null;
  repository: string | null;
  logo: string | null;
  successUrl: string | null;
  environments: { review: EnvironmentOverrides | null };
};

export type ParseResult = { ok: true; manifest: AppJson } | { ok: false; errors: ManifestProblem[] };

const CONFIG_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
const PROCESS_TYPE = /^[A-Za-z0-9_-]{1,30}$/;
const ATTACHMENT = /^[A-Z][A-Z0-9_]*$/;
const MAX_QUANTITY = 1000;

/** Heroku's buildpack names (and GitHub URLs of the official ones) → this platform's. */
const BUILDPACKS: Record<string, Buildpack> = {
  "heroku/nodejs": "nodejs",
  "heroku/python": "python",
  nodejs: "nodejs",
  python: "python",
  static: "static",
  dockerfile: "dockerfile",
  "slipway/nodejs": "nodejs",
  "slipway/python": "python",
  "slipway/static": "static",
};

function buildpackOf(url: string): Buildpack | null {
  const key = url.trim().toLowerCase();
  if (BUILDPACKS[key]) return BUILDPACKS[key];
  const gh = /^https?:\/\/github\.com\/heroku\/heroku-buildpack-(nodejs|python)(?:\.git)?\/?(?:#.*)?$/.exec(key);
  return gh ? (gh[1] as Buildpack) : null;
}

/** "x.y" for identifier-like keys, `x["odd key"]` otherwise; arrays as [i]. */
export function pathJoin(base: string, key: string | number): string {
  if (typeof key === "number") return `${base}[${key}]`;
  const safe = /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key);
  if (!base) return safe ? key : `[${JSON.stringify(key)}]`;
  return safe ? `${base}.${key}` : `${base}[${JSON.stringify(key)}]`;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const typeName = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "an array" : typeof v === "object" ? "an object" : `a ${typeof v}`);

class Reader {
  problems: ManifestProblem[] = [];
  problem(path: string, message: string) {
    this.problems.push({ path: path || "(root)", message });
  }
  optionalString(obj: Record<string, unknown>, key: string, base: string, max = 10_000): string | null {
    const v = obj[key];
    if (v === undefined || v === null) return null;
    if (typeof v !== "string") return this.problem(pathJoin(base, key), `must be a string, not ${typeName(v)}`), null;
    if (v.length > max) return this.problem(pathJoin(base, key), `is longer than ${max} characters`), null;
    return v;
  }

  env(value: unknown, base: string): Record<string, EnvSpec> {
    const out: Record<string, EnvSpec> = {};
    if (value === undefined || value === null) return out;
    if (!isObject(value)) return this.problem(base, `must be an object of config vars, not ${typeName(value)}`), out;
    for (const [key, spec] of Object.entries(value)) {
      const p = pathJoin(base, key);
      if (!CONFIG_KEY.test(key) || key.length > 200) {
        this.problem(p, "is not a valid config var name (letters, digits and underscores, not starting with a digit)");
        continue;
      }
      // Heroku's shorthand: "KEY": "value".
      if (typeof spec === "string") {
        out[key] = { description: null, value: spec, required: true, generator: null };
        continue;
      }
      if (!isObject(spec)) {
        this.problem(p, `must be a string or an object with value, description, required or generator, not ${typeName(spec)}`);
        continue;
      }
      const description = this.optionalString(spec, "description", p);
      const v = this.optionalString(spec, "value", p, 32_768);
      let required = true;
      if (spec.required !== undefined) {
        if (typeof spec.required !== "boolean") this.problem(pathJoin(p, "required"), `must be true or false, not ${typeName(spec.required)}`);
        else required = spec.required;
      }
      let generator: "secret" | null = null;
      if (spec.generator !== undefined && spec.generator !== null) {
        if (spec.generator !== "secret") this.problem(pathJoin(p, "generator"), `must be "secret" (the only generator), not ${JSON.stringify(spec.generator)}`);
        else generator = "secret";
      }
      out[key] = { description, value: v, required, generator };
    }
    return out;
  }

  formation(value: unknown, base: string): Record<string, FormationSpec> {
    const out: Record<string, FormationSpec> = {};
    if (value === undefined || value === null) return out;
    if (!isObject(value)) return this.problem(base, `must be an object keyed by process type (such as {"web": {"quantity": 1}}), not ${typeName(value)}`), out;
    for (const [type, spec] of Object.entries(value)) {
      const p = pathJoin(base, type);
      if (!PROCESS_TYPE.test(type)) {
        this.problem(p, "is not a valid process type (letters, digits, - and _, at most 30)");
        continue;
      }
      if (type === "release") {
        this.problem(p, "the release process type runs once per release and cannot be scaled");
        continue;
      }
      if (!isObject(spec)) {
        this.problem(p, `must be an object with quantity and/or size, not ${typeName(spec)}`);
        continue;
      }
      let quantity: number | null = null;
      if (spec.quantity !== undefined && spec.quantity !== null) {
        const q = spec.quantity;
        if (typeof q !== "number" || !Number.isInteger(q) || q < 0 || q > MAX_QUANTITY) this.problem(pathJoin(p, "quantity"), `must be a whole number from 0 to ${MAX_QUANTITY}`);
        else quantity = q;
      }
      let size: string | null = null;
      if (spec.size !== undefined && spec.size !== null) {
        const known = typeof spec.size === "string" ? dynoSize(spec.size) : undefined;
        if (!known) this.problem(pathJoin(p, "size"), `is not a dyno size here (${DYNO_SIZES.map((s) => s.name).join(", ")})`);
        else size = known.name;
        if (known && quantity !== null && quantity > known.maxQuantity) {
          this.problem(pathJoin(p, "quantity"), `${known.name} dynos are limited to ${known.maxQuantity} per process type`);
        }
      }
      out[type] = { quantity, size };
    }
    return out;
  }

  addons(value: unknown, base: string): AddonSpec[] {
    const out: AddonSpec[] = [];
    if (value === undefined || value === null) return out;
    if (!Array.isArray(value)) return this.problem(base, `must be an array of plans (strings or {"plan": …} objects), not ${typeName(value)}`), out;
    value.forEach((item, i) => {
      const p = pathJoin(base, i);
      let plan: string;
      let as: string | null = null;
      let options: Record<string, unknown> | null = null;
      let planPath = p;
      if (typeof item === "string") plan = item;
      else if (isObject(item)) {
        planPath = pathJoin(p, "plan");
        if (typeof item.plan !== "string") return this.problem(planPath, item.plan === undefined ? "is required" : `must be a string, not ${typeName(item.plan)}`);
        plan = item.plan;
        if (item.as !== undefined && item.as !== null) {
          if (typeof item.as !== "string" || !ATTACHMENT.test(item.as.toUpperCase()) || item.as.length > 50) {
            this.problem(pathJoin(p, "as"), "must be an attachment name: letters, digits and underscores, starting with a letter (DATABASE → DATABASE_URL)");
          } else if (/_URL$/i.test(item.as)) this.problem(pathJoin(p, "as"), "leave out _URL: it is added to the name");
          else as = item.as.toUpperCase();
        }
        if (item.options !== undefined && item.options !== null) {
          if (!isObject(item.options)) this.problem(pathJoin(p, "options"), `must be an object, not ${typeName(item.options)}`);
          else options = item.options;
        }
      } else return this.problem(p, `must be a plan string or an object with plan, not ${typeName(item)}`);
      const resolved = resolveAddonPlan(plan);
      if ("error" in resolved) return this.problem(planPath, resolved.error);
      out.push({ plan, service: resolved.service, planName: resolved.plan, as, options });
    });
    const names = out.map((a) => a.as).filter(Boolean);
    names.forEach((n, i) => {
      if (names.indexOf(n) !== i) this.problem(base, `two add-ons are attached as ${n}`);
    });
    return out;
  }

  script(value: unknown, p: string): ScriptSpec | null {
    if (value === undefined || value === null) return null;
    if (typeof value === "string") {
      if (!value.trim()) return this.problem(p, "is empty"), null;
      return { command: value.trim(), size: null };
    }
    if (!isObject(value)) return this.problem(p, `must be a command string or {"command": …, "size": …}, not ${typeName(value)}`), null;
    if (typeof value.command !== "string" || !value.command.trim()) return this.problem(pathJoin(p, "command"), "is required (a command string)"), null;
    let size: string | null = null;
    if (value.size !== undefined && value.size !== null) {
      const known = typeof value.size === "string" ? dynoSize(value.size) : undefined;
      if (!known) this.problem(pathJoin(p, "size"), `is not a dyno size here (${DYNO_SIZES.map((s) => s.name).join(", ")})`);
      else size = known.name;
    }
    return { command: value.command.trim(), size };
  }

  scripts(value: unknown, base: string): Partial<ManifestCore["scripts"]> {
    if (value === undefined || value === null) return {};
    if (!isObject(value)) return this.problem(base, `must be an object of scripts (postdeploy, pr-predestroy), not ${typeName(value)}`), {};
    const out: Partial<ManifestCore["scripts"]> = {};
    if ("postdeploy" in value) out.postdeploy = this.script(value.postdeploy, pathJoin(base, "postdeploy"));
    if ("pr-predestroy" in value) out.prPredestroy = this.script(value["pr-predestroy"], pathJoin(base, "pr-predestroy"));
    return out;
  }

  buildpacks(value: unknown, base: string): BuildpackSpec[] {
    const out: BuildpackSpec[] = [];
    if (value === undefined || value === null) return out;
    if (!Array.isArray(value)) return this.problem(base, `must be an array of {"url": …} objects, not ${typeName(value)}`), out;
    value.forEach((item, i) => {
      const p = pathJoin(base, i);
      if (!isObject(item) || typeof item.url !== "string") return this.problem(isObject(item) ? pathJoin(p, "url") : p, "must be an object with a url string");
      const bp = buildpackOf(item.url);
      if (!bp) return this.problem(pathJoin(p, "url"), `${JSON.stringify(item.url)} is not a buildpack this platform has (heroku/nodejs, heroku/python, static, dockerfile)`);
      out.push({ url: item.url, buildpack: bp });
    });
    if (out.length > 1) this.problem(base, "this platform builds with one buildpack; list at most one");
    return out;
  }

  stack(value: unknown, p: string): string | null {
    if (value === undefined || value === null) return null;
    if (typeof value !== "string") return this.problem(p, `must be a string, not ${typeName(value)}`), null;
    if (value !== APP_JSON_STACK) return this.problem(p, `${JSON.stringify(value)} is not a stack here: this platform has one stack, ${APP_JSON_STACK}`), null;
    return value;
  }

  overrides(value: Record<string, unknown>, base: string): EnvironmentOverrides {
    const out: EnvironmentOverrides = {};
    if ("env" in value) out.env = this.env(value.env, pathJoin(base, "env"));
    if ("formation" in value) out.formation = this.formation(value.formation, pathJoin(base, "formation"));
    if ("addons" in value) out.addons = this.addons(value.addons, pathJoin(base, "addons"));
    if ("scripts" in value) out.scripts = this.scripts(value.scripts, pathJoin(base, "scripts"));
    if ("buildpacks" in value) out.buildpacks = this.buildpacks(value.buildpacks, pathJoin(base, "buildpacks"));
    if ("stack" in value) out.stack = this.stack(value.stack, pathJoin(base, "stack"));
    return out;
  }
}

/** "heroku-postgresql", "heroku-redis:mini", "slipway-postgresql:essential-1" → this platform's names. */
export function resolveAddonPlan(spec: string): { service: string; plan: string } | { error: string } {
  const [serviceName = "", planName] = spec.trim().toLowerCase().split(":", 2);
  const provider = PROVIDERS.find((p) => p.info.name === serviceName || p.info.aliases.includes(serviceName));
  if (!provider) {
    const names = PROVIDERS.flatMap((p) => [p.info.name, ...p.info.aliases]).join(", ");
    return { error: `${JSON.stringify(spec)} is not an add-on service here (${names})` };
  }
  const wanted = planName || provider.info.defaultPlan;
  if (!provider.info.plans.some((p) => p.name === wanted)) {
    return { error: `${provider.info.name} has no plan ${wanted} (${provider.info.plans.map((p) => p.name).join(", ")})` };
  }
  return { service: provider.info.name, plan: wanted };
}

/** Line and column of a JSON syntax error, when the engine's message gives a position. */
function syntaxProblem(text: string, err: Error): ManifestProblem {
  const m = /position (\d+)/.exec(err.message);
  if (!m) return { path: "(root)", message: `is not valid JSON: ${err.message}` };
  const pos = Number(m[1]);
  const before = text.slice(0, pos).split("\n");
  const where = `line ${before.length} column ${before[before.length - 1]!.length + 1}`;
  return { path: "(root)", message: `is not valid JSON (${where}): ${err.message.replace(/\s*in JSON at position \d+.*$/, "")}` };
}

/** Parses and validates app.json's text. Errors carry the JSON path of each problem. */
export function parseAppJson(text: string): ParseResult {
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (err) {
    return { ok: false, errors: [syntaxProblem(text, err as Error)] };
  }
  if (!isObject(data)) return { ok: false, errors: [{ path: "(root)", message: `must be a JSON object, not ${typeName(data)}` }] };
  const r = new Reader();
  // Read in the schema's order, so problems come back in an order a person can follow.
  const name = r.optionalString(data, "name", "");
  const description = r.optionalString(data, "description", "");
  const keywords: string[] = [];
  if (data.keywords !== undefined && data.keywords !== null) {
    if (!Array.isArray(data.keywords)) r.problem("keywords", `must be an array of strings, not ${typeName(data.keywords)}`);
    else data.keywords.forEach((k, i) => (typeof k === "string" ? keywords.push(k) : r.problem(pathJoin("keywords", i), "must be a string")));
  }
  const website = r.optionalString(data, "website", "");
  const repository = r.optionalString(data, "repository", "");
  const logo = r.optionalString(data, "logo", "");
  const successUrl = r.optionalString(data, "success_url", "");
  const env = r.env(data.env, "env");
  const formation = r.formation(data.formation, "formation");
  const addons = r.addons(data.addons, "addons");
  const scripts = r.scripts(data.scripts, "scripts");
  const buildpacks = r.buildpacks(data.buildpacks, "buildpacks");
  const stack = r.stack(data.stack, "stack");
  let review: EnvironmentOverrides | null = null;
  if (data.environments !== undefined && data.environments !== null) {
    if (!isObject(data.environments)) r.problem("environments", `must be an object (such as {"review": {…}}), not ${typeName(data.environments)}`);
    else if (data.environments.review !== undefined && data.environments.review !== null) {
      if (!isObject(data.environments.review)) r.problem("environments.review", `must be an object, not ${typeName(data.environments.review)}`);
      else review = r.overrides(data.environments.review, "environments.review");
    }
    // `test` (Heroku CI) and other environments are not used here.
  }
  const manifest: AppJson = {
    name,
    description,
    keywords,
    website,
    repository,
    logo,
    successUrl,
    env,
    formation,
    addons,
    scripts: { postdeploy: scripts.postdeploy ?? null, prPredestroy: scripts.prPredestroy ?? null },
    buildpacks,
    stack,
    environments: { review },
  };
  return r.problems.length ? { ok: false, errors: r.problems } : { ok: true, manifest };
}

/** "env.SECRET.generator: must be …", the form manifest_errors and messages use. */
export function formatProblem(p: ManifestProblem): string {
  return `${p.path}: ${p.message}`;
}

/**
 * The manifest as an environment sees it. For `review`, like Heroku: env and formation are
 * merged key by key (the review entry wins), scripts script by script; addons, buildpacks
 * and stack, when the environment names them, replace the top level's.
 */
export function manifestFor(manifest: AppJson, environment?: "review" | null): AppJson {
  const o = environment === "review" ? manifest.environments.review : null;
  if (!o) return manifest;
  return {
    ...manifest,
    env: { ...manifest.env, ...(o.env ?? {}) },
    formation: { ...manifest.formation, ...(o.formation ?? {}) },
    addons: o.addons ?? manifest.addons,
    scripts: { ...manifest.scripts, ...(o.scripts ?? {}) },
    buildpacks: o.buildpacks ?? manifest.buildpacks,
    stack: o.stack !== undefined ? o.stack : manifest.stack,
  };
}
