// The add-on fixture app (addon-fixture/) as an image on the stack image, with the `pg`
// module and its dependencies copied from this project's node_modules (no registry needed).
// No test framework imports: bench/ uses it too.
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { buildImage, imageExists } from "@/server/build/images";
import { STACK_IMAGE } from "@/server/runtime/docker";

const here = path.dirname(new URL(import.meta.url).pathname);
const fixtureDir = path.join(here, "addon-fixture");
const nodeModules = path.join(here, "../../node_modules");

/** `pg` and everything it requires, as top-level package directories. */
function dependencyClosure(root: string): string[] {
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    const manifest = path.join(nodeModules, name, "package.json");
    if (!fs.existsSync(manifest)) return; // optional (pg-cloudflare), not installed here
    seen.add(name);
    const pkg = JSON.parse(fs.readFileSync(manifest, "utf8")) as { dependencies?: Record<string, string> };
    for (const dep of Object.keys(pkg.dependencies ?? {})) visit(dep);
  };
  visit(root);
  return [...seen].sort();
}

export async function ensureAddonFixtureImage(): Promise<string> {
  const packages = dependencyClosure("pg");
  const hash = crypto.createHash("sha256").update(STACK_IMAGE);
  for (const f of fs.readdirSync(fixtureDir).sort()) hash.update(f).update(fs.readFileSync(path.join(fixtureDir, f)));
  for (const p of packages) hash.update(p).update(fs.readFileSync(path.join(nodeModules, p, "package.json")));
  const tag = `slipway-test/addon-fixture:${hash.digest("hex").slice(0, 12)}`;
  if (await imageExists(tag)) return tag;
  const context = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-addon-fixture-"));
  try {
    fs.cpSync(fixtureDir, context, { recursive: true });
    for (const p of packages) fs.cpSync(path.join(nodeModules, p), path.join(context, "node_modules", p), { recursive: true, dereference: true });
    await buildImage({ contextDir: context, tag, buildArgs: { STACK: STACK_IMAGE } });
  } finally {
    fs.rmSync(context, { recursive: true, force: true });
  }
  return tag;
}
