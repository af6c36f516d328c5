import "server-only";
// Files the platform adds to an app's source tree (.slipway/…). The tree is the user's:
// any name in it may be a link, so nothing here follows one. Directories are checked
// component by component, files are created new (O_CREAT|O_EXCL|O_NOFOLLOW) after
// whatever stood there is unlinked (unlinking a link removes the link, not its target).
import fs from "node:fs";
import path from "node:path";
import { AppError } from "@/server/errors";

/** Makes `rel` (a directory) under `root`, refusing any component that is a link or a file. */
export function platformDir(root: string, rel: string): string {
  let dir = root;
  for (const part of rel.split("/").filter(Boolean)) {
    dir = path.join(dir, part);
    let st: fs.Stats | null = null;
    try {
      st = fs.lstatSync(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
    if (!st) fs.mkdirSync(dir, { mode: 0o755 });
    else if (!st.isDirectory()) {
      throw new AppError("BAD_REQUEST", `The source's ${path.relative(root, dir)} is ${st.isSymbolicLink() ? "a link" : "a file"}; Slipway keeps its own files in .slipway/. Remove it from the source.`);
    }
  }
  return dir;
}

/** Writes `rel` under `root` as a new file, never through a link. */
export function writePlatformFile(root: string, rel: string, content: string, mode = 0o644) {
  const dir = platformDir(root, path.dirname(rel));
  const file = path.join(dir, path.basename(rel));
  fs.rmSync(file, { force: true });
  const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, mode);
  try {
    fs.writeSync(fd, content);
  } finally {
    fs.closeSync(fd);
  }
}

/** Makes `rel` under `root` a link to `target` (replacing what stood there). */
export function platformSymlink(root: string, rel: string, target: string) {
  const dir = platformDir(root, path.dirname(rel));
  const file = path.join(dir, path.basename(rel));
  fs.rmSync(file, { force: true });
  fs.symlinkSync(target, file);
}
