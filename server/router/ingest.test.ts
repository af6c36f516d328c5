// The control plane's reader of router/requests.log against the router's writer rotating it,
// on real files: every line reaches the bus exactly once. The writer runs in the test's own
// process, so its rotations land between the reader's awaits (an open, a stat, a read). CI
// once saw a router line twice in lifecycle.test.ts: the reader looked the file up by name
// twice (a stat, then an open), a rotation came between, and it read the new file at the
// old one's offset.
import fs from "node:fs";
import { afterEach, describe, expect, it, vi } from "vitest";
import { dataDir } from "@/server/env";
import { followRouterLog } from "@/server/router/ingest";
import { formatRequestLine, routerDir, routerFile } from "@/server/router/protocol";
import { RequestLog } from "@/server/router/request-log";
import { bus } from "@/server/runtime/events";

const cleanup: (() => void)[] = [];
afterEach(() => {
  cleanup.splice(0).forEach((f) => f());
  vi.restoreAllMocks();
});

/** A fresh router directory, a writer rotating at `maxBytes`, a reader, and what it delivered by line number. */
function setup(maxBytes: number) {
  fs.rmSync(routerDir(dataDir()), { recursive: true, force: true });
  fs.mkdirSync(routerDir(dataDir()), { recursive: true });
  const file = routerFile(dataDir(), "requests");
  const writer = new RequestLog(file, maxBytes);
  cleanup.push(() => writer.close());
  const inside = writer as unknown as { rotate(): void; writing: boolean };
  let rotations = 0;
  const rotate = inside.rotate.bind(writer);
  inside.rotate = () => (rotations++, rotate());

  const seen = new Map<number, number>();
  const onLog = (e: { appId: string; message: string }) => {
    const n = e.appId === "app-ingest" ? /n=(\d+)/.exec(e.message)?.[1] : undefined;
    if (n) seen.set(Number(n), (seen.get(Number(n)) ?? 0) + 1);
  };
  bus.on("log", onLog);
  cleanup.push(() => bus.off("log", onLog));

  let next = 0;
  /** Writes `count` lines (about 100 bytes each) and waits until they are on disk. */
  const write = async (count: number) => {
    let batch = "";
    for (const end = next + count; next < end; next++) batch += formatRequestLine({ at: new Date().toISOString(), appId: "app-ingest", line: `at=info n=${next} pad=${"x".repeat(40)}` });
    writer.write(batch);
    do await new Promise((r) => setImmediate(r));
    while (inside.writing);
  };
  const readerOn = () => Number(fs.readFileSync(`${file}.offset`, "utf8").split(" ")[1]);
  return { file, seen, write, readerOn, rotateNow: () => inside.rotate(), rotations: () => rotations, written: () => next };
}

async function allRead(seen: Map<number, number>, total: number) {
  const deadline = Date.now() + 20_000;
  while (seen.size < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  expect(seen.size).toBe(total);
  expect([...seen.entries()].filter(([, count]) => count !== 1)).toEqual([]);
}

describe("followRouterLog", () => {
  it("puts every line on the bus once while the writer rotates the file many times", async () => {
    const { file, seen, write, readerOn, rotations, written } = setup(4 * 1024);
    cleanup.push(followRouterLog(1));
    const total = 6_000;
    while (written() < total) {
      await write(3);
      // Far ahead of a reader still on requests.log.1 the writer does not rotate (it waits for
      // it): let the reader move on, so that the file rotates many times.
      while (fs.statSync(file).size > 3 * 4 * 1024 && readerOn() !== fs.statSync(file).ino) await new Promise((r) => setTimeout(r, 2));
    }
    await allRead(seen, total);
    expect(rotations()).toBeGreaterThan(5); // 150 if the reader keeps up at once
  });

  it("reads the rest of the old file, not the new one, when a rotation comes as it opens the file", async () => {
    const { file, seen, write, readerOn, rotateNow, rotations, written } = setup(1024 * 1024); // rotated only here
    const open = fs.promises.open.bind(fs.promises);
    let racing = false;
    let raced = Promise.resolve();
    // Just before the reader opens requests.log: more lines in it, the rotation, and the new
    // file already longer than the reader's offset in the old one.
    vi.spyOn(fs.promises, "open").mockImplementation(async (...args: Parameters<typeof open>) => {
      if (racing && args[0] === file && readerOn() === fs.statSync(file).ino) {
        racing = false;
        raced = (async () => {
          await write(5);
          rotateNow();
          await write(40);
        })();
        await raced;
      }
      return open(...args);
    });
    cleanup.push(followRouterLog(1));
    for (let round = 0; round < 5; round++) {
      await write(20);
      await allRead(seen, written());
      racing = true;
      await write(1); // wakes the reader, which opens the file
      while (racing) await new Promise((r) => setTimeout(r, 2));
      await raced;
      await allRead(seen, written());
    }
    expect(rotations()).toBe(5);
  });
});
