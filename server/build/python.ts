import "server-only";
// The Python buildpack: the Python version an app asks for (runtime.txt, then
// .python-version, read as Heroku's Python buildpack reads them), checked against the
// stack's one Python (Debian's python3: no other build can be installed here), then a
// virtualenv and `pip install` from the index the installation configures
// (SLIPWAY_PIP_INDEX_URL), with timeouts so an unreachable index fails the build quickly
// and says so instead of hanging.
import fs from "node:fs";
import path from "node:path";
import { env } from "@/server/env";
import { AppError } from "@/server/errors";
import type { BuildPlan } from "@/server/build/buildpacks";
import { platformSymlink } from "@/server/build/platform-files";

/** The Python series of the stack image (Debian bookworm's python3). */
export const STACK_PYTHON = "3.11";

export type PythonVersionRequest = { version: string; origin: "runtime.txt" | ".python-version" };

const VERSION = /^(0|[1-9]\d*)\.(0|[1-9]\d*)(\.(0|[1-9]\d*))?$/;

const fail = (lines: string[]) => new AppError("BAD_REQUEST", lines.join("\n"));

/** runtime.txt wins over .python-version, as in Heroku's buildpack; null when neither exists. */
export function readPythonVersion(root: string): PythonVersionRequest | null {
  const runtimeTxt = path.join(root, "runtime.txt");
  if (fs.existsSync(runtimeTxt)) {
    const contents = fs.readFileSync(runtimeTxt, "utf8");
    const m = /^\s*python-(\S+)\s*$/.exec(contents);
    if (!m || !VERSION.test(m[1]!)) {
      throw fail([
        "Error: Invalid Python version in runtime.txt.",
        "",
        "The Python version specified in 'runtime.txt' isn't in the correct format.",
        `The following file contents were found: ${contents.trim().slice(0, 100) || "(nothing)"}`,
        "The version must be 'python-<major>.<minor>' (recommended) or 'python-<major>.<minor>.<patch>'.",
        `For this stack, runtime.txt should contain: python-${STACK_PYTHON}`,
      ]);
    }
    return { version: m[1]!, origin: "runtime.txt" };
  }
  const versionFile = path.join(root, ".python-version");
  if (!fs.existsSync(versionFile)) return null;
  const lines = fs
    .readFileSync(versionFile, "utf8")
    .split(/\r?\n/)
    .filter((l) => !/^\s*(#.*)?$/.test(l));
  if (lines.length !== 1) {
    throw fail([
      "Error: Invalid Python version in .python-version.",
      "",
      lines.length === 0 ? "No Python version was found in the '.python-version' file." : `Multiple Python versions were found in the '.python-version' file: ${lines.map((l) => l.trim()).join(", ").slice(0, 200)}`,
      `Update the file so it contains only one Python version, such as ${STACK_PYTHON}; comments go on their own lines, after '#'.`,
    ]);
  }
  const version = lines[0]!.trim();
  if (!VERSION.test(version)) {
    throw fail([
      "Error: Invalid Python version in .python-version.",
      "",
      `The following version was found: ${version.slice(0, 100)}`,
      "The version must be '<major>.<minor>' (recommended) or '<major>.<minor>.<patch>', without quotes or a 'python-' prefix.",
      `For this stack, .python-version should contain: ${STACK_PYTHON}`,
    ]);
  }
  return { version, origin: ".python-version" };
}

/** The lines that open the Python build, or the build's failure when the stack cannot give that Python. */
export function resolvePythonVersion(request: PythonVersionRequest | null, stack = env().SLIPWAY_STACK_IMAGE.split(":").pop()): string[] {
  if (!request) return [`-----> No Python version was specified. Using the stack's Python ${STACK_PYTHON}`];
  const [major, minor, patch] = request.version.split(".");
  if (`${major}.${minor}` !== STACK_PYTHON) {
    const fix = request.origin === "runtime.txt" ? `python-${STACK_PYTHON}` : STACK_PYTHON;
    throw fail([
      "Error: The requested Python version is not available on this stack.",
      "",
      `The app asks for Python ${request.version} (in ${request.origin}), but the ${stack} stack has Python ${STACK_PYTHON} only:`,
      "Debian's python3, the one Python build this installation can install.",
      `To build on this stack, update ${request.origin} so it contains: ${fix}`,
    ]);
  }
  const lines = [`-----> Using Python ${request.version} specified in ${request.origin}`];
  if (patch !== undefined) {
    lines.push(`       Python ${request.version} is pinned to a patch release; the stack's Python ${STACK_PYTHON} build (Debian's) is used, the same ${STACK_PYTHON} series.`);
  }
  return lines;
}

/** The index as it may be shown: without credentials. */
export function displayIndex(url: string): string {
  try {
    const u = new URL(url);
    u.username = "";
    u.password = "";
    return u.toString();
  } catch {
    return "(an index URL that is not a valid URL)";
  }
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** pip's settings: the installation's index (unless the build already has a PIP_INDEX_URL), and bounded waits. */
function pipSettings(): string {
  const index = env().SLIPWAY_PIP_INDEX_URL;
  const ours: string[] = [];
  if (index) {
    ours.push(`export PIP_INDEX_URL=${quote(index)}`);
    const u = URL.canParse(index) ? new URL(index) : null;
    // pip refuses a plain-HTTP index unless its host is trusted; the installation chose it.
    if (u?.protocol === "http:") ours.push(`export PIP_TRUSTED_HOST=${quote(u.hostname)}`);
    ours.push(`index_shown=${quote(`${displayIndex(index)} (SLIPWAY_PIP_INDEX_URL)`)}`);
  } else {
    ours.push(`index_shown=${quote("https://pypi.org/simple (pip's default; SLIPWAY_PIP_INDEX_URL sets another)")}`);
  }
  return [
    "export PIP_CACHE_DIR=/cache/pip PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1",
    // pip's default is 15 s per connection and 5 retries with back-off, per file: minutes
    // of silence for an index that does not answer. Fewer, shorter tries fail fast.
    "export PIP_DEFAULT_TIMEOUT=${PIP_DEFAULT_TIMEOUT:-10} PIP_RETRIES=${PIP_RETRIES:-1}",
    'if [ -n "${PIP_INDEX_URL:-}" ]; then',
    "  index_shown=\"the app's PIP_INDEX_URL\"",
    "else",
    ...ours.map((l) => `  ${l}`),
    "fi",
  ].join("\n");
}

const PYTHON = String.raw`
step "Using $(python3 --version) from the stack"
python3 -m venv /app/.venv 2>&1 | indent
# pip's output is kept to tell an unreachable index from other failures.
pip_install() {
  set +e
  /app/.venv/bin/pip install "$@" 2>&1 | tee /tmp/slipway-pip.log | indent
  local status=$PIPESTATUS # the first command of the pipeline: pip
  set -e
  if [ "$status" -ne 0 ]; then
    if grep -qE 'NewConnectionError|ConnectTimeoutError|ReadTimeoutError|Max retries exceeded|ProxyError|Name or service not known|Temporary failure in name resolution|Connection refused|Network is unreachable|No route to host|SSLError' /tmp/slipway-pip.log; then
      echo
      echo " !     Error: pip could not reach the Python package index."
      echo " !     Index: $index_shown"
      echo " !     pip gave up after its timeouts (PIP_DEFAULT_TIMEOUT=$PIP_DEFAULT_TIMEOUT s, PIP_RETRIES=$PIP_RETRIES)."
      echo " !     Point SLIPWAY_PIP_INDEX_URL at an index (a PyPI mirror or proxy) that builds can reach, or ship the"
      echo " !     packages with the app (wheels listed in requirements.txt by path)."
    fi
    rm -f /tmp/slipway-pip.log
    exit "$status"
  fi
  rm -f /tmp/slipway-pip.log
}
if [ -f requirements.txt ] && grep -qvE '^\s*(#.*)?$' requirements.txt; then
  step "Installing requirements with pip"
  pip_install -r requirements.txt
elif [ -f pyproject.toml ] && [ ! -f requirements.txt ]; then
  step "Installing the project with pip"
  pip_install .
fi
`;

/** What the Python buildpack does with this source (the caller adds the shell prelude). */
export function pythonPlan(sourceDir: string): BuildPlan {
  const notes = resolvePythonVersion(readPythonVersion(sourceDir));
  const req = path.join(sourceDir, "requirements.txt");
  const hasReqs = fs.existsSync(req) && /^\s*[^#\s]/m.test(fs.readFileSync(req, "utf8"));
  // Debian names it python3; Procfiles (and Heroku) say python.
  platformSymlink(sourceDir, ".slipway/bin/python", "/usr/bin/python3");
  if (!hasReqs && !fs.existsSync(path.join(sourceDir, "pyproject.toml"))) {
    return { script: null, notes: [...notes, "-----> No requirements to install (Python's standard library only)"] };
  }
  return { script: `${pipSettings()}\n${PYTHON}`, notes };
}
