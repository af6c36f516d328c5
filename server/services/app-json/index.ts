import "server-only";
// app.json (Heroku's manifest) for app setups and review apps. The API in one place:
//
//   parseAppJson(text)                → { ok: true, manifest } | { ok: false, errors: [{ path, message }] }
//   readAppJsonFromArchive(file)      → app.json's text from a .tar.gz/.tar (root or single top dir), or null
//   manifestFor(manifest, "review")   → the manifest with environments.review merged in
//   applyAppJson({ appId, userId, manifest, environment, overrides: { env }, onProgress })
//                                     → config vars (values, overrides, generator "secret", required),
//                                       formation rows (before the first build) and add-ons (waited for);
//                                       returns what it did (names only, never values)
//   formationTypesMissing(appId, manifest, environment) → formation types the current release lacks
//   runPostdeploy({ appId, manifest, environment, onOutput, signal }) → { exitCode, output, dyno } | null
//   runPrPredestroy({ appId, manifest, environment = "review", … })   → the same for scripts.pr-predestroy
//
// Errors are AppError("UNPROCESSABLE", "app.json: <path>: <message>; …") with fieldErrors keyed by path.
export {
  APP_JSON_STACK,
  formatProblem,
  manifestFor,
  parseAppJson,
  resolveAddonPlan,
  type AddonSpec,
  type AppJson,
  type EnvSpec,
  type ManifestProblem,
  type ParseResult,
  type ScriptSpec,
} from "@/server/services/app-json/parse";
export { readAppJsonFromArchive } from "@/server/services/app-json/archive";
export {
  applyAppJson,
  formationTypesMissing,
  generateSecret,
  manifestError,
  resolveEnv,
  runPostdeploy,
  runPrPredestroy,
  type AppJsonEnvironment,
  type AppliedAppJson,
  type ScriptRun,
} from "@/server/services/app-json/apply";
