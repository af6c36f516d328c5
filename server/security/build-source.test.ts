// Attacks through the source a tenant sends (issue 12, items 3 and 7): links in a tarball
// that lead out of the tree once followed (dangling ones included), platform files written
// through a link, and an archive of 200,000 empty entries. Each is performed for real on
// the code that takes uploads and pushes (extractSource, createBuild, buildPlan).
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import zlib from "node:zlib";
import tar from "tar-stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { reloadEnv } from "@/server/env";
import { buildPlan } from "@/server/build/buildpacks";
import { detect } from "@/server/build/detect";
import { extractSource } from "@/server/build/source";
import { createApp } from "@/server/services/apps";
import { createBuild, listBuilds } from "@/server/services/builds";
import { createUser } from "@/server/services/users";

type Entry = { name: string; body?: string; type?: "file" | "directory" | "symlink"; linkname?: string };

async function tarball(entries: Entry[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const e of entries) pack.entry({ name: e.name, type: e.type ?? "file", linkname: e.linkname }, e.body ?? "");
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return zlib.gzipSync(Buffer.concat(chunks));
}

let dir: string;
let outside: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-attack-"));
  // Where the attacker wants a file: a fresh name in /tmp, outside every source tree.
  outside = path.join(os.tmpdir(), `slipway-escaped-${crypto.randomBytes(6).toString("hex")}`);
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(outside, { recursive: true, force: true });
});

/** Unpacks as an upload is unpacked, then adds the static site's server as a build does. */
async function unpackAndPlan(entries: Entry[]) {
  const root = await extractSource(Readable.from([await tarball(entries)]), path.join(dir, "src"), { maxBytes: 1024 * 1024 });
  buildPlan(detect(root), root);
  return root;
}

// `p -> .` keeps every `p/p/…` in the tree by text, but each `..` after it climbs out for
// real: `../p/p/…/../../…/tmp/x` reads as `<tree>/tmp/x` and leads to /tmp/x.
// (`up` first leaves the link's own directory: 1 for .slipway/x, 0 for a link at the root.)
const climb = (to: string, up = 1) => `${"../".repeat(up)}${"p/".repeat(30)}${"../".repeat(30)}${to.replace(/^\//, "")}`;

describe("links in a source archive", () => {
  it("refuses a dangling link that leads out of the tree through another link; nothing is written outside", async () => {
    const attack = unpackAndPlan([
      { name: "index.html", body: "<h1>hi</h1>" },
      { name: "p", type: "symlink", linkname: "." },
      { name: ".slipway/", type: "directory" },
      // The old code accepted it (dangling: realpath fails) and then wrote the static
      // server through it, creating `outside` on the host.
      { name: ".slipway/static-server.js", type: "symlink", linkname: climb(outside) },
    ]);
    await expect(attack).rejects.toThrow(`the link .slipway/static-server.js points outside the source tree`);
    expect(fs.existsSync(outside)).toBe(false);
  });

  it("refuses .slipway as a link out of the tree, dangling or not", async () => {
    for (const linkname of [outside, climb(outside, 0)]) {
      await expect(
        unpackAndPlan([
          { name: "index.html", body: "<h1>hi</h1>" },
          { name: "p", type: "symlink", linkname: "." },
          { name: ".slipway", type: "symlink", linkname },
        ]),
      ).rejects.toThrow("the link .slipway points outside the source tree");
      fs.rmSync(path.join(dir, "src"), { recursive: true, force: true });
    }
    fs.mkdirSync(outside); // now the target exists: still refused, still nothing written
    await expect(
      unpackAndPlan([
        { name: "index.html", body: "<h1>hi</h1>" },
        { name: "p", type: "symlink", linkname: "." },
        { name: ".slipway", type: "symlink", linkname: climb(outside, 0) },
      ]),
    ).rejects.toThrow("the link .slipway points outside the source tree");
    expect(fs.readdirSync(outside)).toEqual([]);
  });

  it("never writes the platform's files through a link inside the tree", async () => {
    // An in-tree link where the static server goes: the old code wrote through it,
    // overwriting index.html. Now the link is replaced by a new file.
    const root = await unpackAndPlan([
      { name: "index.html", body: "<h1>hi</h1>" },
      { name: ".slipway/static-server.js", type: "symlink", linkname: "../index.html" },
    ]);
    expect(fs.readFileSync(path.join(root, "index.html"), "utf8")).toBe("<h1>hi</h1>");
    expect(fs.lstatSync(path.join(root, ".slipway/static-server.js")).isFile()).toBe(true);
    expect(fs.readFileSync(path.join(root, ".slipway/static-server.js"), "utf8")).toContain("http.createServer");

    // .slipway itself a (dangling, in-tree) link: refused with a message, nothing made.
    fs.rmSync(path.join(dir, "src"), { recursive: true });
    await expect(
      unpackAndPlan([
        { name: "index.html", body: "<h1>hi</h1>" },
        { name: ".slipway", type: "symlink", linkname: "elsewhere" },
      ]),
    ).rejects.toThrow("The source's .slipway is a link; Slipway keeps its own files in .slipway/.");
    expect(fs.existsSync(path.join(dir, "src", "elsewhere"))).toBe(false);
  });
});

describe("archive size in entries", () => {
  it("refuses an archive of 200,000 empty files at the entry limit (SLIPWAY_MAX_SOURCE_FILES), before writing them all", async () => {
    const body = emptyFilesTarball(200_000); // 200k headers, no bytes: the byte cap never fires
    const user = await createUser({ email: `entries-${Date.now()}@example.com`, password: "password1" });
    const app = await createApp({ userId: user.id, name: `entries-${Date.now().toString(36)}` });
    process.env.SLIPWAY_MAX_SOURCE_FILES = "1000";
    reloadEnv();
    try {
      const attempt = createBuild({ appId: app.id, userId: user.id, sourceKind: "tarball", sourceVersion: null, source: Readable.from([body]) });
      await expect(attempt).rejects.toMatchObject({
        code: "BAD_REQUEST",
        message: "The source archive was refused: it holds more than 1,000 files, directories and links (SLIPWAY_MAX_SOURCE_FILES).",
      });
    } finally {
      delete process.env.SLIPWAY_MAX_SOURCE_FILES;
      reloadEnv();
    }
    expect(await listBuilds({ appId: app.id })).toEqual([]); // the refused upload left nothing
  });
});

/** `count` empty files as a .tar.gz, headers written by hand (tar-stream takes minutes for this many). */
function emptyFilesTarball(count: number): Buffer {
  const blocks = Buffer.alloc((count + 2) * 512);
  for (let i = 0; i < count; i++) {
    const h = blocks.subarray(i * 512, (i + 1) * 512);
    h.write(`f/${i}`, 0, "ascii");
    h.write("0000644\0", 100, "ascii");
    h.write("0000000\0", 108, "ascii");
    h.write("0000000\0", 116, "ascii");
    h.write("00000000000\0", 124, "ascii");
    h.write("00000000000\0", 136, "ascii");
    h.write("        ", 148, "ascii");
    h.write("0", 156, "ascii");
    h.write("ustar\0" + "00", 257, "ascii");
    let sum = 0;
    for (const b of h) sum += b;
    h.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "ascii");
  }
  return zlib.gzipSync(blocks);
}
