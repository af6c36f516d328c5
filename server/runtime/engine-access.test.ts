// The runtime seam holds: outside the runtime drivers, only the build pipeline's image
// module and the add-on engine talk to the Docker Engine. Everything else that runs a dyno
// goes through server/runtime/driver.ts, so a second driver (Swarm) changes no caller.
// Tests and test helpers may poke the Engine directly (to kill a container, to check what
// the Engine was asked to do); the platform's own code may not.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "../..");

/** The only modules of the platform allowed to import dockerode or use the Engine client. */
const ALLOWED = [
  "server/runtime/docker.ts", // the one dockerode client and its error mapping
  "server/runtime/drivers/", // the runtime drivers: every dyno
  "server/build/images.ts", // the build pipeline's images, build containers and networks
  "server/addons/engine.ts", // add-on containers with volumes, health checks and exec
];

/** Where the platform's code lives (bench/ measures the Engine itself and is left out). */
const SCANNED = ["app", "components", "server", "scripts", "instrumentation.ts"];

function isTestCode(rel: string) {
  return /\.test\.tsx?$/.test(rel) || /-fixture\.ts$/.test(rel) || rel.startsWith("server/testing/");
}

function sourceFiles(): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    const full = path.join(ROOT, rel);
    if (!fs.existsSync(full)) return;
    if (fs.statSync(full).isFile()) {
      if (/\.(ts|tsx|mts|mjs|js)$/.test(rel)) out.push(rel);
      return;
    }
    for (const ent of fs.readdirSync(full, { withFileTypes: true })) {
      if (ent.name === "node_modules" || ent.name === "generated" || ent.name.startsWith(".")) continue;
      walk(path.posix.join(rel, ent.name));
    }
  };
  for (const s of SCANNED) walk(s);
  return out;
}

/** What makes a file an Engine client: dockerode itself, or the client from runtime/docker.ts. */
export function engineAccess(text: string): string[] {
  const found: string[] = [];
  if (/(from\s+|import\s*\(\s*|require\s*\(\s*)["']dockerode["']/.test(text)) found.push('imports "dockerode"');
  if (/import\s*\{[^}]*\bdocker\b[^}]*\}\s*from\s*["']@\/server\/runtime\/docker["']/.test(text)) found.push("imports docker() from server/runtime/docker");
  if (/(^|[^\w.])docker\(\s*\)/m.test(text)) found.push("calls docker()");
  return found;
}

describe("the runtime seam", () => {
  it("recognises each way of reaching the Engine (and nothing else)", () => {
    expect(engineAccess('import Dockerode from "dockerode";')).toEqual(['imports "dockerode"']);
    expect(engineAccess('import type Dockerode from "dockerode";')).toEqual(['imports "dockerode"']);
    expect(engineAccess('const D = await import("dockerode");')).toEqual(['imports "dockerode"']);
    expect(engineAccess('import { docker, engine } from "@/server/runtime/docker";\nawait docker().ping();')).toEqual([
      "imports docker() from server/runtime/docker",
      "calls docker()",
    ]);
    expect(engineAccess('import { runtimeDriver } from "@/server/runtime/driver";\nawait runtimeDriver().listDynos(i);')).toEqual([]);
    expect(engineAccess("const d = this.docker(); // a method of another object")).toEqual([]);
  });

  it("lets only the drivers, the build's image module and the add-on engine talk to the Engine", () => {
    const files = sourceFiles();
    expect(files.length).toBeGreaterThan(100); // the walk found the code
    const offenders = files
      .filter((rel) => !isTestCode(rel) && !ALLOWED.some((a) => (a.endsWith("/") ? rel.startsWith(a) : rel === a)))
      .flatMap((rel) => engineAccess(fs.readFileSync(path.join(ROOT, rel), "utf8")).map((what) => `${rel}: ${what}`));
    expect(offenders).toEqual([]);
    // Every allowed module exists and does use the Engine: the list stays honest.
    for (const a of ALLOWED.filter((x) => !x.endsWith("/"))) expect(engineAccess(fs.readFileSync(path.join(ROOT, a), "utf8")).length, a).toBeGreaterThan(0);
  });
});
