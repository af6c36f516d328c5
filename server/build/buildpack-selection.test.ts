// Buildpack selection without a build: the spellings that name a buildpack, detection
// overridden by the app's buildpacks (each must suit the source), and how several
// buildpacks make one build script and one image's settings.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildpackName } from "@/server/build/buildpack-names";
import { mergeImageChanges, planBuild, type OnePlan } from "@/server/build/buildpack-plan";
import { buildPlan } from "@/server/build/buildpacks";
import { detect } from "@/server/build/detect";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function source(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-bpsel-"));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

// The composition is what is under test: Node.js's own plan (nodejs/plan.ts, which resolves
// versions against the registry) is stood in for by a step that says what it is.
const planner = (dir: string, node: OnePlan = { script: "echo node-step", notes: [] }) => (one: ReturnType<typeof detect>) =>
  one.buildpack === "nodejs" ? node : buildPlan(one, dir);

const NODE_APP = { "package.json": JSON.stringify({ name: "x", scripts: { start: "node server.js" }, dependencies: { ms: "2" } }), "server.js": "" };

describe("buildpack names", () => {
  it("knows heroku/nodejs and heroku/python by name, URN, registry URL and GitHub repository", () => {
    for (const s of [
      "heroku/nodejs",
      " Heroku/NodeJS ",
      "urn:buildpack:heroku/nodejs",
      "https://buildpack-registry.s3.amazonaws.com/buildpacks/heroku/nodejs.tgz",
      "https://codon-buildpacks.s3.amazonaws.com/buildpacks/heroku/nodejs.tgz",
      "https://github.com/heroku/heroku-buildpack-nodejs",
      "https://github.com/heroku/heroku-buildpack-nodejs.git#v250",
    ]) {
      expect(buildpackName(s), s).toBe("heroku/nodejs");
    }
    expect(buildpackName("https://github.com/heroku/heroku-buildpack-python")).toBe("heroku/python");
    for (const s of ["heroku/ruby", "heroku/php", "someone/nodejs", "https://github.com/someone/heroku-buildpack-nodejs", "heroku/nodejs/extra", ""]) {
      expect(buildpackName(s), s).toBeNull();
    }
  });
});

describe("detection with the app's buildpacks", () => {
  it("detects as before when none are set", () => {
    const d = detect(source({ ...NODE_APP, Dockerfile: "FROM x" }));
    expect(d).toMatchObject({ buildpack: "dockerfile", buildpacks: ["dockerfile"], setNames: null });
    expect(detect(source(NODE_APP))).toMatchObject({ buildpack: "nodejs", buildpacks: ["nodejs"], defaults: { web: "node server.js" } });
  });

  it("uses the set buildpack over what detection would pick (a Dockerfile, package.json)", () => {
    const both = source({ ...NODE_APP, "requirements.txt": "", Dockerfile: "FROM x" });
    expect(detect(both, { buildpacks: ["heroku/python"] })).toMatchObject({ buildpack: "python", buildpacks: ["python"], setNames: ["heroku/python"], defaults: {} });
    expect(detect(both, { buildpacks: ["heroku/nodejs"] })).toMatchObject({ buildpack: "nodejs", buildpacks: ["nodejs"], defaults: { web: "node server.js" } });
  });

  it("runs several in order, the last one primary, with the default process types of all", () => {
    const d = detect(source({ ...NODE_APP, "requirements.txt": "" }), { buildpacks: ["heroku/nodejs", "heroku/python"] });
    expect(d).toMatchObject({ buildpack: "python", buildpacks: ["nodejs", "python"], defaults: { web: "node server.js" } });
    expect(d.packageJson?.scripts?.start).toBe("node server.js");
  });

  it("fails, saying why, when the source does not suit a set buildpack", () => {
    expect(() => detect(source(NODE_APP), { buildpacks: ["heroku/python"] })).toThrow(
      "App not compatible with buildpack: heroku/python\nThe Python buildpack builds apps with requirements.txt or pyproject.toml at the root, and this source has none.",
    );
    expect(() => detect(source({ "app.py": "" }), { buildpacks: ["heroku/python", "heroku/nodejs"] })).toThrow(/App not compatible with buildpack: heroku\/python/);
    expect(() => detect(source({ "requirements.txt": "" }), { buildpacks: ["heroku/ruby"] })).toThrow(/heroku\/ruby is not one Slipway has/);
  });
});

describe("one build from several buildpacks", () => {
  it("announces and runs each in order, each in its own subshell, after one prelude", async () => {
    const dir = source({ ...NODE_APP, "requirements.txt": "six\n", ".python-version": "3.11" });
    const plan = await planBuild(detect(dir, { buildpacks: ["heroku/nodejs", "heroku/python"] }), planner(dir, { script: "echo node-step", notes: [], toolchains: true }));
    expect(plan.notes).toEqual([]);
    const script = plan.script!;
    const at = (text: string) => {
      const i = script.indexOf(text);
      expect(i, text).toBeGreaterThanOrEqual(0);
      return i;
    };
    expect(at("/tmp/slipway-env")).toBeLessThan(at("printf '%s\\n' '-----> Node.js app detected'"));
    expect(at("printf '%s\\n' '-----> Node.js app detected'")).toBeLessThan(at("(\necho node-step\n)"));
    expect(at("echo node-step")).toBeLessThan(at("printf '%s\\n' '-----> Python app detected'"));
    expect(at("printf '%s\\n' '-----> Python app detected'")).toBeLessThan(at("printf '%s\\n' '-----> Using Python 3.11 specified in .python-version'"));
    expect(at("-----> Using Python 3.11 specified")).toBeLessThan(at("pip_install -r requirements.txt"));
    expect(plan.toolchains).toBe(true);
    expect(plan.changes).toContain("ENV NODE_ENV=production");
    expect(plan.changes).toContain("ENV PYTHONUNBUFFERED=1");
    const pathLine = plan.changes.find((c) => c.startsWith("ENV PATH="))!;
    // Both buildpacks' own directories before the system's: the slug's Node.js wins over the stack's.
    expect(pathLine.indexOf("/app/.venv/bin")).toBeLessThan(pathLine.indexOf("/app/.heroku/node/bin"));
    expect(pathLine.indexOf("/app/.heroku/node/bin")).toBeLessThan(pathLine.indexOf("/usr/bin"));
    expect(pathLine.indexOf("/usr/bin")).toBeLessThan(pathLine.indexOf("/app/node_modules/.bin"));
    expect(plan.changes.filter((c) => c.startsWith("ENV PATH="))).toHaveLength(1);
  });

  it("prints the notes on the platform side when no buildpack has work to run", async () => {
    const dir = source({ "package.json": JSON.stringify({ name: "x" }), "server.js": "", "requirements.txt": "# nothing\n" });
    const plan = await planBuild(detect(dir, { buildpacks: ["heroku/nodejs", "heroku/python"] }), planner(dir, { script: null, notes: ["-----> nothing to install"] }));
    expect(plan.script).toBeNull();
    expect(plan.notes.slice(0, 2)).toEqual(["-----> Node.js app detected", "-----> nothing to install"]);
    expect(plan.notes).toContain("-----> Python app detected");
    expect(plan.notes.at(-1)).toBe("-----> No requirements to install (Python's standard library only)");
  });

  it("merges image settings: the later buildpack's value; PATH with every buildpack's own directories before the system's", () => {
    expect(
      mergeImageChanges([
        ["WORKDIR /app", "ENV A=1", "ENV PATH=/a:/usr/bin:/bin:/a-last"],
        ["WORKDIR /app", "ENV A=2", "ENV B=3", "ENV PATH=/b:/usr/bin:/bin"],
      ]),
    ).toEqual(["WORKDIR /app", "ENV A=2", "ENV B=3", "ENV PATH=/b:/a:/usr/bin:/bin:/a-last"]);
  });
});
