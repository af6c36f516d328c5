import "server-only";
// Router log lines into the control plane: the router process appends one line per request
// to router/requests.log (`<time>\t<app id>\t<router line>`); this follows the file and puts
// each line on the event bus as source slipway[router], where the logs work picks it up.
// Where it got to is saved beside the file, so a restarted control plane carries on from
// there (requests served meanwhile reach the logs too); the first start begins at the end.
// Read as soon as the router writes (a watch on the directory; the interval is the fallback):
// a router line that comes late lands behind the dyno lines that followed it in a live tail
// (the buffer puts it in time order, see server/logs/store.ts, but a tail has already sent them).
import fs from "node:fs";
import path from "node:path";
import { dataDir } from "@/server/env";
import { parseIsoMicros, parseRequestLine, routerFile } from "@/server/router/protocol";
import { platformLog } from "@/server/runtime/events";

export function followRouterLog(intervalMs = 250): () => void {
  const file = routerFile(dataDir(), "requests");
  const rotated = `${file}.1`;
  const saved = `${file}.offset`;
  const inode = (f: string) => {
    try {
      return fs.statSync(f).ino;
    } catch {
      return null;
    }
  };
  // "<offset> <inode>": the inode says which file the offset is in, so after the router
  // rotated (requests.log → requests.log.1) the rest of the old file is read first.
  const [savedOffset, savedIno] = (fs.existsSync(saved) ? fs.readFileSync(saved, "utf8") : "").trim().split(" ").map(Number);
  const size = fs.existsSync(file) ? fs.statSync(file).size : 0;
  let ino = savedIno || inode(file);
  let offset =
    Number.isInteger(savedOffset) && savedOffset! >= 0 && (savedIno ? true : savedOffset! <= size) ? savedOffset! : size;
  let partial = "";
  let busy = false;
  let again = false;
  let stopped = false;

  /** Reads the open file from `offset` up to `size`, putting each whole line on the bus. */
  const readFrom = async (fh: fs.promises.FileHandle, size: number) => {
    while (offset < size) {
      const buf = Buffer.alloc(Math.min(size - offset, 4 * 1024 * 1024));
      const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
      if (!bytesRead || stopped) break; // stopped: the next follower delivers these, from the last save
      offset += bytesRead;
      const lines = (partial + buf.subarray(0, bytesRead).toString("utf8")).split("\n");
      partial = lines.pop() ?? "";
      for (const l of lines) {
        const r = parseRequestLine(l);
        if (!r?.line) continue;
        const { date, micros } = parseIsoMicros(r.at);
        platformLog(r.appId, null, r.line, "slipway[router]", date, micros);
      }
    }
  };
  // Replaced at once: the router reads it to decide whether it may rotate, and a file caught
  // half written (empty) would let it rotate under a reader still on requests.log.1.
  const save = () => {
    if (stopped) return; // a read under way when stopped: the next follower carries on from the last save
    fs.writeFileSync(`${saved}.tmp`, `${offset - Buffer.byteLength(partial)} ${ino ?? 0}`);
    fs.renameSync(`${saved}.tmp`, saved);
  };

  // Each file is opened once and read through that handle, its inode and size taken from
  // the handle: the router may rotate between any two awaits here, and a path looked up
  // twice could name two files (the new file read at the old one's offset: lines lost and
  // others read twice).
  const read = async () => {
    if (stopped) return;
    if (busy) return void (again = true);
    busy = true;
    try {
      const fh = await fs.promises.open(file, "r").catch(() => null);
      if (!fh) return;
      try {
        const stat = await fh.stat();
        if (ino !== null && stat.ino !== ino) {
          // Rotated: finish the old file (now requests.log.1: the router does not rotate
          // again until this reader saves the new file's inode), then the new one from its start.
          const old = await fs.promises.open(rotated, "r").catch(() => null);
          if (old) {
            try {
              const s = await old.stat();
              if (s.ino === ino && s.size > offset) await readFrom(old, s.size);
            } finally {
              await old.close();
            }
          }
          ino = stat.ino;
          offset = 0;
          partial = "";
          save();
        }
        ino ??= stat.ino;
        if (stat.size < offset) offset = 0; // truncated
        if (stat.size === offset) return;
        await readFrom(fh, stat.size);
        save();
      } finally {
        await fh.close();
      }
    } finally {
      busy = false;
      if (again) {
        again = false;
        void read();
      }
    }
  };
  // Claim the place at once: with no saved place the router rotates whenever the file is
  // past its limit, and two rotations before this reader's first read would lose a file.
  if (ino !== null) save();
  const timer = setInterval(() => void read(), intervalMs);
  timer.unref();
  let watcher: fs.FSWatcher | null = null;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true }); // the router may not have started yet
    watcher = fs.watch(path.dirname(file), { persistent: false }, (_event, name) => {
      if (name === path.basename(file)) void read();
    });
    watcher.on("error", () => watcher?.close()); // the interval carries on
  } catch (err) {
    console.error("slipway: cannot watch the router's request log; reading it every interval instead", err);
  }
  return () => {
    stopped = true;
    clearInterval(timer);
    watcher?.close();
  };
}
