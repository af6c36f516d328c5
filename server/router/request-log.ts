// The router's request log (router/requests.log, one line per request for the control
// plane's reader in ingest.ts), rotated so it cannot fill the disk. Past `maxBytes` the file
// becomes requests.log.1 and a new one starts, but only once the reader has moved on to the
// current file (its offset file names the file by inode): it still has to finish reading
// the previous requests.log.1, which a second rotation would overwrite. Rotation happens
// between writes, so requests.log.1 always ends with a whole line. A reader that is not
// running (no saved place for a minute) does not hold the file back past 4 × `maxBytes`; one
// that runs but lags is waited for, so it never loses a line. No server-only: the router imports it.
import fs from "node:fs";

export class RequestLog {
  private fd: number;
  private size: number;
  private queue: (string | Buffer)[] = [];
  private writing = false;

  constructor(
    readonly file: string,
    readonly maxBytes: number,
  ) {
    this.fd = fs.openSync(file, "a");
    this.size = fs.fstatSync(this.fd).size;
  }

  /** Appends in order; writes never overlap, so lines never interleave. */
  write(data: string | Buffer) {
    this.queue.push(data);
    if (!this.writing) void this.flush();
  }

  private async flush() {
    this.writing = true;
    try {
      while (this.queue.length) {
        const data = Buffer.concat(this.queue.map((d) => (typeof d === "string" ? Buffer.from(d, "utf8") : d)));
        this.queue = [];
        await new Promise<void>((resolve, reject) => fs.write(this.fd, data, (err) => (err ? reject(err) : resolve())));
        this.size += data.length;
        if (this.size >= this.maxBytes && (this.readerMovedOn() || (this.size >= 4 * this.maxBytes && this.readerGone()))) this.rotate();
      }
    } catch (err) {
      console.error("slipway-router: writing the request log failed", err);
    } finally {
      this.writing = false;
    }
  }

  /** True when no reader has saved an offset, or it reads the current file (not requests.log.1). */
  private readerMovedOn() {
    let saved: string;
    try {
      saved = fs.readFileSync(`${this.file}.offset`, "utf8");
    } catch {
      return true;
    }
    const ino = saved.trim().split(" ")[1];
    return ino === undefined || Number(ino) === fs.fstatSync(this.fd).ino;
  }

  /**
   * A reader that has not saved its place for a minute is not running (a running one saves
   * after every read): only then may the file be rotated under it. A running reader that
   * merely lags (a busy event loop) must not lose the lines of requests.log.1 it has not read.
   */
  private readerGone() {
    try {
      return Date.now() - fs.statSync(`${this.file}.offset`).mtimeMs > 60_000;
    } catch {
      return true;
    }
  }

  /** requests.log is never missing: a hard link keeps the old one as .1, an empty file replaces it. */
  private rotate() {
    fs.rmSync(`${this.file}.1`, { force: true });
    fs.linkSync(this.file, `${this.file}.1`);
    fs.writeFileSync(`${this.file}.new`, "");
    fs.renameSync(`${this.file}.new`, this.file);
    fs.closeSync(this.fd);
    this.fd = fs.openSync(this.file, "a");
    this.size = 0;
  }

  close() {
    fs.closeSync(this.fd);
  }
}
