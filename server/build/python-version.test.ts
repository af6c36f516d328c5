// The Python buildpack's rules without a build: which file names the version (runtime.txt
// before .python-version, as Heroku's buildpack), the formats it accepts, the stack's
// one Python series, and how pip is told about the installation's index.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { withSettings } from "@/server/testing/settings";
import { displayIndex, pythonPlan, readPythonVersion, resolvePythonVersion, STACK_PYTHON } from "@/server/build/python";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function source(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-python-"));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

const messageOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("expected it to throw");
};

describe("the requested Python version", () => {
  it("reads .python-version (comments and blank lines aside) and runtime.txt, runtime.txt first", () => {
    expect(readPythonVersion(source({ "app.py": "" }))).toBeNull();
    expect(readPythonVersion(source({ ".python-version": "# pinned\n\n 3.11 \n" }))).toEqual({ version: "3.11", origin: ".python-version" });
    expect(readPythonVersion(source({ "runtime.txt": "python-3.11.4\n" }))).toEqual({ version: "3.11.4", origin: "runtime.txt" });
    expect(readPythonVersion(source({ "runtime.txt": "python-3.11", ".python-version": "3.12" }))).toEqual({ version: "3.11", origin: "runtime.txt" });
  });

  it("refuses malformed files with Heroku's wording and the fix for this stack", () => {
    expect(messageOf(() => readPythonVersion(source({ "runtime.txt": "3.11" })))).toMatch(/^Error: Invalid Python version in runtime\.txt\.[\s\S]*runtime\.txt should contain: python-3\.11$/);
    expect(messageOf(() => readPythonVersion(source({ ".python-version": "python-3.11" })))).toMatch(/^Error: Invalid Python version in \.python-version\.[\s\S]*found: python-3\.11/);
    expect(messageOf(() => readPythonVersion(source({ ".python-version": "3.11\n3.12\n" })))).toContain("Multiple Python versions were found in the '.python-version' file: 3.11, 3.12");
    expect(messageOf(() => readPythonVersion(source({ ".python-version": "# only a comment\n" })))).toContain("No Python version was found");
    expect(messageOf(() => readPythonVersion(source({ ".python-version": "3.011" })))).toContain("found: 3.011");
  });

  it("accepts the stack's series, exact or not, and fails any other with what to write instead", () => {
    expect(STACK_PYTHON).toBe("3.11");
    expect(resolvePythonVersion(null, "bookworm")).toEqual(["-----> No Python version was specified. Using the stack's Python 3.11"]);
    expect(resolvePythonVersion({ version: "3.11", origin: ".python-version" }, "bookworm")).toEqual(["-----> Using Python 3.11 specified in .python-version"]);
    const exact = resolvePythonVersion({ version: "3.11.9", origin: "runtime.txt" }, "bookworm");
    expect(exact[0]).toBe("-----> Using Python 3.11.9 specified in runtime.txt");
    expect(exact[1]).toContain("pinned to a patch release; the stack's Python 3.11 build (Debian's) is used");

    const newer = messageOf(() => resolvePythonVersion({ version: "3.12", origin: ".python-version" }, "bookworm"));
    expect(newer).toContain("Error: The requested Python version is not available on this stack.");
    expect(newer).toContain("The app asks for Python 3.12 (in .python-version), but the bookworm stack has Python 3.11 only");
    expect(newer).toContain("update .python-version so it contains: 3.11");
    expect(messageOf(() => resolvePythonVersion({ version: "2.7.18", origin: "runtime.txt" }, "bookworm"))).toContain("update runtime.txt so it contains: python-3.11");
    expect(() => resolvePythonVersion({ version: "3.1", origin: ".python-version" }, "bookworm")).toThrow(/not available on this stack/);
  });
});

describe("pip's settings", () => {
  it("never shows the index's credentials", () => {
    expect(displayIndex("https://user:s3cret@pypi.example.com/simple/")).toBe("https://pypi.example.com/simple/");
    expect(displayIndex("not a url")).not.toContain("not a url");
  });

  it("passes the installation's index to pip (an app's own PIP_INDEX_URL first), with bounded timeouts", async () => {
    const dir = source({ "requirements.txt": "flask\n" });
    const plain = await withSettings({ SLIPWAY_PIP_INDEX_URL: undefined }, async () => pythonPlan(dir).script!);
    expect(plain).not.toContain("export PIP_INDEX_URL");
    expect(plain).toContain("index_shown='https://pypi.org/simple (pip'\\''s default; SLIPWAY_PIP_INDEX_URL sets another)'");
    expect(plain).toContain("PIP_DEFAULT_TIMEOUT=${PIP_DEFAULT_TIMEOUT:-10} PIP_RETRIES=${PIP_RETRIES:-1}");

    const script = await withSettings({ SLIPWAY_PIP_INDEX_URL: "http://ci:p'w@mirror.internal:3141/root/pypi/+simple/" }, async () => pythonPlan(dir).script!);
    expect(script).toContain(`export PIP_INDEX_URL='http://ci:p'\\''w@mirror.internal:3141/root/pypi/+simple/'`);
    expect(script).toContain("export PIP_TRUSTED_HOST='mirror.internal'");
    expect(script).toContain("index_shown='http://mirror.internal:3141/root/pypi/+simple/ (SLIPWAY_PIP_INDEX_URL)'");
    expect(script.indexOf('if [ -n "${PIP_INDEX_URL:-}" ]')).toBeLessThan(script.indexOf("export PIP_INDEX_URL="));
  });

  it("runs nothing for an app without requirements, but still checks its version", () => {
    expect(pythonPlan(source({ "requirements.txt": "# none\n", ".python-version": "3.11\n" }))).toEqual({
      script: null,
      notes: ["-----> Using Python 3.11 specified in .python-version", "-----> No requirements to install (Python's standard library only)"],
    });
    expect(() => pythonPlan(source({ "requirements.txt": "", "runtime.txt": "python-3.13.1" }))).toThrow(/Python 3\.13\.1 \(in runtime\.txt\)/);
  });
});
