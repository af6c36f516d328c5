import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import zlib from "node:zlib";
import tar from "tar-stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { extractSource } from "@/server/build/source";

type Entry = { name: string; body?: string; type?: "file" | "directory" | "symlink" | "link" | "fifo"; linkname?: string; mode?: number };

async function tarball(entries: Entry[], gzip = true): Promise<Buffer> {
  const pack = tar.pack();
  for (const e of entries) {
    await new Promise<void>((resolve, reject) =>
      pack.entry({ name: e.name, type: e.type ?? "file", linkname: e.linkname, mode: e.mode }, e.body ?? "", (err) => (err ? reject(err) : resolve())),
    );
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks);
  return gzip ? zlib.gzipSync(raw) : raw;
}

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-source-"));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const extract = async (buf: Buffer, maxBytes = 1024 * 1024) => extractSource(Readable.from([buf]), path.join(dir, "src"), { maxBytes });

describe("extractSource", () => {
  it("unpacks files, directories, executable bits and in-tree links from a .tar.gz", async () => {
    const root = await extract(
      await tarball([
        { name: "package.json", body: "{}" },
        { name: "bin/", type: "directory" },
        { name: "bin/run", body: "#!/bin/sh\n", mode: 0o755 },
        { name: "lib/a.js", body: "a" },
        { name: "lib/b.js", type: "symlink", linkname: "a.js" },
      ]),
    );
    expect(root).toBe(path.join(dir, "src"));
    expect(fs.readFileSync(path.join(root, "package.json"), "utf8")).toBe("{}");
    expect(fs.statSync(path.join(root, "bin/run")).mode & 0o111).not.toBe(0);
    expect(fs.readlinkSync(path.join(root, "lib/b.js"))).toBe("a.js");
  });

  it("accepts a plain tar and unwraps a single top-level directory like Heroku", async () => {
    const root = await extract(await tarball([{ name: "repo-1a2b3c/index.html", body: "<h1>hi</h1>" }], false));
    expect(root).toBe(path.join(dir, "src", "repo-1a2b3c"));
    expect(fs.readFileSync(path.join(root, "index.html"), "utf8")).toBe("<h1>hi</h1>");
  });

  it.each([
    [[{ name: "../evil", body: "x" }], "../evil leaves the source tree (..)"],
    [[{ name: "a/../../evil", body: "x" }], "leaves the source tree"],
    [[{ name: "/etc/cron.d/evil", body: "x" }], "/etc/cron.d/evil is an absolute path"],
    [[{ name: "passwd", type: "symlink", linkname: "../../../etc/passwd" }], "the link passwd points outside the source tree"],
    [[{ name: "abs", type: "symlink", linkname: "/etc/passwd" }], "the link abs points outside the source tree"],
    [[{ name: "h", type: "link", linkname: "../outside" }], "the hard link h points outside the source tree"],
    [[{ name: "pipe", type: "fifo" }], "pipe is a fifo"],
  ] as [Entry[], string][])("refuses %j", async (entries, message) => {
    await expect(extract(await tarball(entries))).rejects.toThrow(message);
    expect(fs.existsSync(path.join(dir, "evil"))).toBe(false);
    expect(fs.existsSync(path.join(path.dirname(dir), "evil"))).toBe(false);
  });

  // Each link's written path stays in the tree; followed as the kernel does, they lead out.
  it.each([
    [
      "a file through a chain of links",
      [
        { name: "x", type: "symlink", linkname: "." },
        { name: "x/x/x/x/t", type: "symlink", linkname: "../../../.." },
        { name: "t/evil", body: "x" },
      ],
      "x/x/x/x/t goes through the link x",
    ],
    [
      "a link whose target walks through another link",
      [
        { name: "x", type: "symlink", linkname: "." },
        { name: "t", type: "symlink", linkname: "x/x/../.." },
      ],
      "the link t points outside the source tree (x/x/../..)",
    ],
    [
      "a file written through a link",
      [
        { name: "t", type: "symlink", linkname: "sub" },
        { name: "t/evil", body: "x" },
      ],
      "t/evil goes through the link t",
    ],
    [
      "a hard link through a link",
      [
        { name: "x", type: "symlink", linkname: "." },
        { name: "t", type: "symlink", linkname: "x/x/x/x/../../../.." },
        { name: "h", type: "link", linkname: "t/outside.txt" },
      ],
      "the hard link h goes through the link t",
    ],
    [
      "a hard link to a link",
      [
        { name: "a.js", body: "a" },
        { name: "l", type: "symlink", linkname: "a.js" },
        { name: "h", type: "link", linkname: "l" },
      ],
      "the hard link h goes through the link l",
    ],
    [
      "a link loop",
      [
        { name: "a", type: "symlink", linkname: "b" },
        { name: "b", type: "symlink", linkname: "a" },
      ],
      "loops",
    ],
  ] as [string, Entry[], string][])("refuses %s", async (_what, entries, message) => {
    // The source tree is dir/a/b/c/src, so four levels up is still inside dir, where a
    // stray file would be seen; outside.txt is what a hard link would steal.
    const outside = path.join(dir, "outside.txt");
    fs.writeFileSync(outside, "secret");
    const deep = path.join(dir, "a", "b", "c");
    fs.mkdirSync(deep, { recursive: true });
    dir = deep;
    try {
      await expect(extract(await tarball(entries))).rejects.toThrow(message);
    } finally {
      dir = path.resolve(deep, "../../..");
    }
    expect(fs.readdirSync(dir).sort()).toEqual(["a", "outside.txt"]); // nothing written out here
    expect(fs.readdirSync(path.join(dir, "a")).sort()).toEqual(["b"]);
    expect(fs.readFileSync(outside, "utf8")).toBe("secret");
  });

  it("keeps in-tree link chains and dangling links", async () => {
    const root = await extract(
      await tarball([
        { name: "real/a.js", body: "a" },
        { name: "one", type: "symlink", linkname: "real" },
        { name: "two", type: "symlink", linkname: "one/a.js" },
        { name: "gone", type: "symlink", linkname: "dist/index.js" },
        { name: "copy.js", type: "link", linkname: "real/a.js" },
      ]),
    );
    expect(fs.readFileSync(path.join(root, "two"), "utf8")).toBe("a");
    expect(fs.readlinkSync(path.join(root, "gone"))).toBe("dist/index.js");
    expect(fs.readFileSync(path.join(root, "copy.js"), "utf8")).toBe("a");
  });

  it("refuses a source larger than the cap", async () => {
    const buf = await tarball([{ name: "big.bin", body: "x".repeat(4096) }]);
    await expect(extract(buf, 1000)).rejects.toMatchObject({ code: "PAYLOAD_TOO_LARGE" });
  });

  it("refuses an empty archive", async () => {
    await expect(extract(await tarball([]))).rejects.toThrow("The source archive was refused: it is empty.");
  });

  it("refuses bytes that are not an archive", async () => {
    await expect(extract(zlib.gzipSync(Buffer.from("not a tarball at all".repeat(40))))).rejects.toThrow("not a valid .tar.gz or .tar file");
  });
});
