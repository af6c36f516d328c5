// The add-on images, built (or found current) by scripts/lib.sh ensure_addon_images, so
// `npx vitest run server/addons` works on its own. No test framework imports: bench/ uses it.
import { spawn } from "node:child_process";
import path from "node:path";

const root = path.join(path.dirname(new URL(import.meta.url).pathname), "../..");

export function ensureAddonImages(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-c", 'source "$1/scripts/lib.sh" && ensure_addon_images', "ensure-addon-images", root], { stdio: ["ignore", "inherit", "inherit"] });
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`ensure_addon_images exited with ${code}`))));
  });
}
