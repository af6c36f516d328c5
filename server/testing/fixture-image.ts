// The runtime tests' and benchmarks' web app (fixture-app/) as an image on the stack
// image, built through the Docker gateway. No test framework imports: bench/ uses it too.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { buildImage, imageExists } from "@/server/build/images";
import { STACK_IMAGE } from "@/server/runtime/docker";

const fixtureDir = path.join(path.dirname(new URL(import.meta.url).pathname), "fixture-app");

/** The fixture app as an image on the stack image; the tag follows its content. */
export async function ensureFixtureImage(): Promise<string> {
  const hash = crypto.createHash("sha256").update(STACK_IMAGE);
  for (const f of fs.readdirSync(fixtureDir).sort()) hash.update(f).update(fs.readFileSync(path.join(fixtureDir, f)));
  const tag = `slipway-test/fixture-app:${hash.digest("hex").slice(0, 12)}`;
  if (!(await imageExists(tag))) await buildImage({ contextDir: fixtureDir, tag, buildArgs: { STACK: STACK_IMAGE } });
  return tag;
}
