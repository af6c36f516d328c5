import "server-only";
// Source intake: a tar (gzipped or not) from an upload or `git archive`, checked entry by
// entry and written into a fresh directory. Nothing may land outside that directory:
// absolute paths, `..`, links pointing out of the tree and device files are refused, and
// the unpacked size is capped, so a hostile archive loses nothing and fills no disk.
// Links are the hard part: a chain of in-tree-looking links (`x -> .`, then
// `x/x/x/t -> ../../..`) can lead out of the tree although each one's written path stays
// in. So no entry may pass through a link, links are made only after every file and
// directory is written (nothing is ever written through one), and each link is then
// resolved as the kernel would (component by component: folding `x/..` by text is
// exactly the mistake), dangling ones too (continuing by text past the missing part),
// and refused when it lands outside. The entry count is capped as well.
import fs from "node:fs";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import zlib from "node:zlib";
import tar from "tar-stream";
import { AppError } from "@/server/errors";

export type ExtractLimits = {
  maxBytes: number;
  /** Most entries (files, directories, links) the archive may hold. */
  maxEntries?: number;
  /** What the user sent, for messages: an uploaded archive or a pushed commit. */
  kind?: "archive" | "push";
};

/** Extracts `input` into `dest` (created, must not exist) and returns the source root. */
export async function extractSource(input: Readable, dest: string, limits: ExtractLimits): Promise<string> {
  await fs.promises.mkdir(dest, { recursive: false });
  const realDest = fs.realpathSync.native(dest);
  const extract = tar.extract();
  let total = 0;
  let entries = 0;
  const isPush = limits.kind === "push";
  const rejected = (message: string) => new AppError("BAD_REQUEST", `${isPush ? "The push was refused" : "The source archive was refused"}: ${message}`);
  // Relative path → link target, created once the archive has been read.
  const links = new Map<string, string>();
  const throughLink = (rel: string) => {
    const parts = rel.split("/");
    for (let i = 1; i < parts.length; i++) {
      const prefix = parts.slice(0, i).join("/");
      if (links.has(prefix)) return prefix;
    }
    return null;
  };
  /** Makes the entry's parent directories and checks where they really are. */
  const parentOf = async (target: string) => {
    const parent = path.dirname(target);
    await fs.promises.mkdir(parent, { recursive: true });
    if (!inside(realDest, fs.realpathSync.native(parent))) throw rejected(`${path.relative(dest, target)} would be written outside the source tree`);
    return parent;
  };

  extract.on("entry", (header, stream, next) => {
    const fail = (err: unknown) => {
      stream.on("error", () => {}); // destroyed with the extractor's error, reported once below
      stream.resume();
      extract.destroy(err instanceof Error ? err : new Error(String(err)));
    };
    entries++;
    // Checked before anything is written: 200,000 empty files cost no bytes, but an inode each.
    if (limits.maxEntries && entries > limits.maxEntries) {
      return fail(rejected(`it holds more than ${limits.maxEntries.toLocaleString("en-US")} files, directories and links (SLIPWAY_MAX_SOURCE_FILES).`));
    }
    let rel: string;
    try {
      rel = safeRelative(header.name);
    } catch (err) {
      return fail(err);
    }
    const target = path.join(dest, rel);
    const done = (err?: unknown) => (err ? fail(err) : next());
    const via = rel ? throughLink(rel) : null;
    if (via) return fail(rejected(`${rel} goes through the link ${via}`));
    if (links.has(rel)) return fail(rejected(`${rel} appears twice`));
    switch (header.type) {
      case "directory":
        stream.resume();
        if (rel) fs.promises.mkdir(target, { recursive: true, mode: 0o755 }).then(() => done(), done);
        else next();
        return;
      case "file":
      case "contiguous-file": {
        if (!rel) return fail(rejected("an entry names the archive root as a file"));
        total += header.size ?? 0;
        if (total > limits.maxBytes) return fail(new AppError("PAYLOAD_TOO_LARGE", `The source is larger than ${size(limits.maxBytes)} unpacked.`));
        const mode = (header.mode ?? 0o644) & 0o111 ? 0o755 : 0o644;
        parentOf(target)
          .then(() => pipeline(stream, fs.createWriteStream(target, { mode, flags: "wx" })))
          .then(() => done(), (err: NodeJS.ErrnoException) =>
            done(err.code === "EEXIST" ? rejected(`${rel} appears twice`) : err),
          );
        return;
      }
      case "symlink": {
        const link = header.linkname ?? "";
        const resolved = path.resolve(path.dirname(target), link);
        if (!rel || path.isAbsolute(link) || !inside(dest, resolved)) return fail(rejected(`the link ${rel} points outside the source tree (${link})`));
        if (fs.existsSync(target)) return fail(rejected(`${rel} appears twice`));
        links.set(rel, link);
        stream.resume();
        next();
        return;
      }
      case "link": {
        let linkRel: string;
        try {
          linkRel = safeRelative(header.linkname ?? "");
        } catch {
          return fail(rejected(`the hard link ${rel} points outside the source tree`));
        }
        const linkVia = throughLink(linkRel) ?? (links.has(linkRel) ? linkRel : null);
        if (linkVia) return fail(rejected(`the hard link ${rel} goes through the link ${linkVia}`));
        stream.resume();
        const from = path.join(dest, linkRel);
        parentOf(target)
          .then(() => fs.promises.lstat(from))
          .then((st) => {
            if (!st.isFile() || !inside(realDest, fs.realpathSync.native(from))) throw rejected(`the hard link ${rel} does not point to a file in the source tree`);
            total += st.size; // a copy here, so it counts again
            if (total > limits.maxBytes) throw new AppError("PAYLOAD_TOO_LARGE", `The source is larger than ${size(limits.maxBytes)} unpacked.`);
            return fs.promises.copyFile(from, target, fs.constants.COPYFILE_EXCL);
          })
          .then(() => done(), done);
        return;
      }
      default:
        return fail(rejected(`${rel} is a ${header.type}, not a file, directory or link`));
    }
  });

  try {
    // Gunzipped through a pipeline, so inflating waits for the extractor: a small archive
    // of zeros must not inflate into memory ahead of it, nor go on once it is refused.
    const { head, source } = await peek(input);
    if (head && head[0] === 0x1f && head[1] === 0x8b) await pipeline(source, zlib.createGunzip(), extract);
    else await pipeline(source, extract);
  } catch (err) {
    if (err instanceof AppError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "Z_DATA_ERROR" || code === "Z_BUF_ERROR" || /tar|header|Unexpected end/i.test(String((err as Error).message))) {
      throw rejected(isPush ? "the pushed commit could not be read from the repository." : "it is not a valid .tar.gz or .tar file.");
    }
    throw err;
  }
  if (entries === 0) throw rejected(isPush ? "the pushed commit has no files. Commit the app's source and push again." : "it is empty.");
  await makeLinks(dest, realDest, links, rejected);
  return sourceRoot(dest);
}

/**
 * Creates the links, then refuses any that leads outside the tree, dangling or not: a
 * dangling link is harmless only until something creates or writes its target.
 */
async function makeLinks(dest: string, realDest: string, links: Map<string, string>, rejected: (m: string) => AppError) {
  for (const [rel, link] of links) {
    const target = path.join(dest, rel);
    await fs.promises.mkdir(path.dirname(target), { recursive: true });
    try {
      await fs.promises.symlink(link, target);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "EEXIST") throw rejected(`${rel} appears twice`);
      throw err;
    }
  }
  for (const [rel, link] of links) {
    const where = resolveInTree(realDest, rel);
    if (where === "loop") throw rejected(`the link ${rel} loops (${link})`);
    if (where === "outside") throw rejected(`the link ${rel} points outside the source tree (${link})`);
  }
}

/**
 * Where `rel` leads from `root`, following links component by component as the kernel
 * does (`x/..` after a link `x -> a/b` is `a`, not `.`), and by text past the first
 * missing component: where the path would lead once something made it.
 */
export function resolveInTree(root: string, rel: string): "inside" | "outside" | "loop" {
  const done: string[] = [];
  let todo = rel.split("/").filter((p) => p && p !== ".");
  let hops = 0;
  while (todo.length) {
    const part = todo.shift()!;
    if (part === ".") continue;
    if (part === "..") {
      if (!done.length) return "outside";
      done.pop();
      continue;
    }
    const here = path.join(root, ...done, part);
    const st = lstatOrNull(here);
    if (st?.isSymbolicLink()) {
      if (++hops > 40) return "loop";
      const link = fs.readlinkSync(here);
      if (path.isAbsolute(link)) return "outside";
      todo = [...link.split("/").filter((p) => p && p !== "."), ...todo];
      continue;
    }
    done.push(part);
  }
  return "inside";
}

function lstatOrNull(p: string): fs.Stats | null {
  try {
    return fs.lstatSync(p);
  } catch {
    return null;
  }
}

/** Heroku unwraps an archive holding a single top-level directory (GitHub's tarballs). */
async function sourceRoot(dest: string): Promise<string> {
  const entries = await fs.promises.readdir(dest, { withFileTypes: true });
  if (entries.length === 1 && entries[0].isDirectory()) return path.join(dest, entries[0].name);
  return dest;
}

/** Normalizes an archive path; throws on absolute paths and `..`. "" is the root. */
export function safeRelative(name: string): string {
  const n = name.replace(/\\/g, "/");
  if (n.startsWith("/") || /^[A-Za-z]:/.test(n)) {
    throw new AppError("BAD_REQUEST", `The source archive was refused: ${name} is an absolute path.`);
  }
  const parts = n.split("/").filter((p) => p && p !== ".");
  if (parts.includes("..")) throw new AppError("BAD_REQUEST", `The source archive was refused: ${name} leaves the source tree (..).`);
  return parts.join("/");
}

function inside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}

export function size(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / 1024 / 1024)} MiB` : `${Math.ceil(bytes / 1024)} KiB`;
}

const asBuffer = (v: unknown) => (Buffer.isBuffer(v) ? v : Buffer.from(v as Uint8Array));

/** The stream's first chunk, and a stream of all of it (pulled on demand, as the original). */
async function peek(input: Readable): Promise<{ head: Buffer | null; source: Readable }> {
  const it = input[Symbol.asyncIterator]();
  const first = await it.next();
  const head = first.done ? null : asBuffer(first.value);
  async function* all() {
    try {
      if (head) yield head;
      for (;;) {
        const next = await it.next();
        if (next.done) return;
        yield asBuffer(next.value);
      }
    } finally {
      await it.return?.();
    }
  }
  return { head, source: Readable.from(all(), { objectMode: false }) };
}
