import "server-only";
// app.json read straight out of a source archive (.tar.gz or .tar), without unpacking it:
// the setup needs the manifest before the build (config vars, add-ons and the buildpack come
// first), and the build unpacks the archive itself later. Where it is follows the rule the
// build uses (server/build/source.ts): at the root, or inside the one top-level directory
// an archive of a single directory holds (GitHub's tarballs).
import fs from "node:fs";
import { pipeline } from "node:stream/promises";
import zlib from "node:zlib";
import tar from "tar-stream";
import { AppError } from "@/server/errors";
import { safeRelative } from "@/server/build/source";

const MAX_APP_JSON_BYTES = 256 * 1024;

/** Reads app.json's text from the archive at `file`; null when the archive has none. */
export async function readAppJsonFromArchive(file: string): Promise<string | null> {
  const head = Buffer.alloc(2);
  const fd = await fs.promises.open(file, "r");
  try {
    await fd.read(head, 0, 2, 0);
  } finally {
    await fd.close();
  }
  const gz = head[0] === 0x1f && head[1] === 0x8b;
  const tops = new Set<string>();
  const found = new Map<string, string>(); // "" (root) or the top-level directory → text
  const extract = tar.extract();
  extract.on("entry", (header, stream, next) => {
    let rel: string;
    try {
      rel = safeRelative(header.name);
    } catch (err) {
      stream.resume();
      return extract.destroy(err as Error);
    }
    const parts = rel.split("/").filter(Boolean);
    if (parts.length) tops.add(parts[0]!);
    const where = parts.length === 1 ? "" : parts.length === 2 ? parts[0]! : null;
    const isFile = header.type === "file" || header.type === "contiguous-file";
    if (!isFile || where === null || parts[parts.length - 1] !== "app.json") {
      stream.resume();
      stream.on("end", () => next());
      return;
    }
    if ((header.size ?? 0) > MAX_APP_JSON_BYTES) {
      stream.resume();
      return extract.destroy(new AppError("BAD_REQUEST", `app.json is larger than ${MAX_APP_JSON_BYTES / 1024} KiB.`));
    }
    const chunks: Buffer[] = [];
    stream.on("data", (c: unknown) => void chunks.push(Buffer.from(c as Uint8Array)));
    stream.on("end", () => {
      found.set(where, Buffer.concat(chunks).toString("utf8"));
      next();
    });
  });
  try {
    const source = fs.createReadStream(file);
    if (gz) await pipeline(source, zlib.createGunzip(), extract);
    else await pipeline(source, extract);
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError("BAD_REQUEST", "The source archive was refused: it is not a valid .tar.gz or .tar file.");
  }
  if (found.has("")) return found.get("")!;
  // One top-level directory: the build unwraps it, and so does this.
  if (tops.size === 1) return found.get([...tops][0]!) ?? null;
  return null;
}

