import "server-only";
// Where an app setup's source archive comes from: a URL the control plane fetches (on a
// tenant's behalf, so through the same address policy as log drains: no loopback, private,
// link-local or Docker addresses unless SLIPWAY_DRAIN_ALLOWED_CIDRS allows them, the
// checked address being the one dialled, every redirect checked again), or an upload staged
// here first (the dashboard sends the archive, then creates the setup with its id).
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import path from "node:path";
import { Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { dataDir, env } from "@/server/env";
import { AppError } from "@/server/errors";
import { size } from "@/server/build/source";
import { drainAddressPolicy } from "@/server/logs/drains/policy";

const MAX_REDIRECTS = 5;
const IDLE_TIMEOUT_MS = 30_000;
const TOTAL_TIMEOUT_MS = 5 * 60_000;
const STAGED_TTL_MS = 60 * 60_000;

export function maxSourceBytes() {
  return env().SLIPWAY_MAX_SOURCE_MB * 1024 * 1024;
}

function tooLarge(max: number) {
  return new AppError("PAYLOAD_TOO_LARGE", `The source archive is larger than the ${size(max)} limit (SLIPWAY_MAX_SOURCE_MB).`);
}

/** The URL as it may be shown and stored: without a user name or password. */
export function displayUrl(raw: string): string {
  try {
    const u = new URL(raw);
    u.username = "";
    u.password = "";
    return u.toString();
  } catch {
    return raw.slice(0, 200);
  }
}

/** Copies `body` into `file`, counting (refused past `max`) and hashing. */
async function writeCounted(body: Readable, file: string, max: number): Promise<{ bytes: number; checksum: string }> {
  const hash = crypto.createHash("sha256");
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      if (bytes > max) return done(tooLarge(max));
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(body, counter, fs.createWriteStream(file, { flags: "wx", mode: 0o600 }));
  } catch (err) {
    await fs.promises.rm(file, { force: true });
    throw err;
  }
  return { bytes, checksum: hash.digest("hex") };
}

/** gzip, or a tar's "ustar" magic: anything else is refused before a setup is made. */
export async function assertArchive(file: string): Promise<void> {
  const head = Buffer.alloc(262);
  const fd = await fs.promises.open(file, "r");
  let n = 0;
  try {
    ({ bytesRead: n } = await fd.read(head, 0, head.length, 0));
  } finally {
    await fd.close();
  }
  const gz = n >= 2 && head[0] === 0x1f && head[1] === 0x8b;
  const tar = n >= 262 && head.subarray(257, 262).toString("latin1") === "ustar";
  if (!gz && !tar) throw new AppError("BAD_REQUEST", "The source archive was refused: it is not a .tar.gz or .tar file.");
}

/**
 * Fetches `url` into `dest` with the size limit and the drain address policy. Errors say
 * what the user can act on (refused address, HTTP status, too large), never a raw socket error.
 */
export async function fetchSourceArchive(input: { url: string; dest: string; signal?: AbortSignal }): Promise<{ bytes: number; checksum: string }> {
  const max = maxSourceBytes();
  const policy = drainAddressPolicy();
  const deadline = AbortSignal.timeout(TOTAL_TIMEOUT_MS);
  const signal = input.signal ? AbortSignal.any([input.signal, deadline]) : deadline;
  let url: URL;
  try {
    url = new URL(input.url);
  } catch {
    throw new AppError("BAD_REQUEST", "The source URL is not a URL.");
  }
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    if (url.protocol !== "https:" && url.protocol !== "http:") throw new AppError("BAD_REQUEST", "The source URL must be http:// or https://.");
    const res = await get(url, policy, signal);
    const status = res.statusCode ?? 0;
    if ([301, 302, 303, 307, 308].includes(status) && res.headers.location) {
      res.resume();
      url = new URL(res.headers.location, url);
      continue;
    }
    if (status !== 200) {
      res.resume();
      throw new AppError("BAD_REQUEST", `Fetching the source failed: ${displayUrl(url.toString())} answered HTTP ${status}.`);
    }
    if (Number(res.headers["content-length"] ?? 0) > max) {
      res.destroy();
      throw tooLarge(max);
    }
    try {
      return await writeCounted(res, input.dest, max);
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw new AppError("BAD_REQUEST", `Fetching the source failed: the connection to ${url.host} broke off${signal.aborted ? " (time limit)" : ""}.`);
    }
  }
  throw new AppError("BAD_REQUEST", `Fetching the source failed: more than ${MAX_REDIRECTS} redirects.`);
}

function get(url: URL, policy: ReturnType<typeof drainAddressPolicy>, signal: AbortSignal): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const host = url.hostname.replace(/^\[|\]$/g, "");
    try {
      policy.checkLiteral(host); // Node skips `lookup` for IP literals
    } catch {
      return reject(refused(url));
    }
    const req = (url.protocol === "https:" ? https : http).get(url, { lookup: policy.lookup, timeout: IDLE_TIMEOUT_MS, signal, headers: { "User-Agent": "Slipway app-setup" } }, resolve);
    req.on("timeout", () => req.destroy(Object.assign(new Error("timeout"), { code: "ETIMEDOUT" })));
    req.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "EPRIVATEADDR") return reject(refused(url));
      // Which connect error it was is not said: that would map the private network.
      reject(new AppError("BAD_REQUEST", `Fetching the source failed: ${url.host} is unreachable${err.code === "ETIMEDOUT" || signal.aborted ? " (timed out)" : ""}.`));
    });
  });
}

function refused(url: URL) {
  return new AppError(
    "BAD_REQUEST",
    `Fetching the source was refused: ${url.hostname} is a private address. Sources are fetched from public addresses only (an admin may allow ranges with SLIPWAY_DRAIN_ALLOWED_CIDRS).`,
  );
}

// ---- Staged uploads ----

function uploadsDir() {
  return path.join(dataDir(), "app-setups", "uploads");
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Keeps an uploaded archive for the user who sent it, until a setup claims it (or an hour
 * passes). Refuses what is not a tar/tar.gz or is over the size limit; nothing else is made.
 */
export async function stageUpload(input: { userId: string; body: Readable }): Promise<{ id: string; bytes: number; checksum: string }> {
  await fs.promises.mkdir(uploadsDir(), { recursive: true, mode: 0o700 });
  await removeStaleUploads();
  const id = crypto.randomUUID();
  const file = path.join(uploadsDir(), `${id}.archive`);
  const { bytes, checksum } = await writeCounted(input.body, file, maxSourceBytes());
  try {
    if (bytes === 0) throw new AppError("BAD_REQUEST", "The upload is empty.");
    await assertArchive(file);
  } catch (err) {
    await fs.promises.rm(file, { force: true });
    throw err;
  }
  await fs.promises.writeFile(path.join(uploadsDir(), `${id}.json`), JSON.stringify({ userId: input.userId, bytes, checksum }), { mode: 0o600 });
  return { id, bytes, checksum };
}

/** Moves a staged upload of this user's to `dest`; another user's id is NOT_FOUND. */
export async function claimUpload(input: { userId: string; id: string; dest: string }): Promise<{ bytes: number; checksum: string }> {
  const missing = new AppError("NOT_FOUND", "That upload is gone (uploads are kept for an hour): upload the archive again.", { resource: "source" });
  if (!UUID.test(input.id)) throw missing;
  const meta = path.join(uploadsDir(), `${input.id}.json`);
  let info: { userId: string; bytes: number; checksum: string };
  try {
    info = JSON.parse(await fs.promises.readFile(meta, "utf8"));
  } catch {
    throw missing;
  }
  if (info.userId !== input.userId) throw missing;
  try {
    await fs.promises.rename(path.join(uploadsDir(), `${input.id}.archive`), input.dest);
  } catch {
    throw missing; // claimed twice at once: the second finds nothing
  }
  await fs.promises.rm(meta, { force: true });
  return { bytes: info.bytes, checksum: info.checksum };
}

async function removeStaleUploads() {
  const now = Date.now();
  for (const name of await fs.promises.readdir(uploadsDir()).catch(() => [] as string[])) {
    const file = path.join(uploadsDir(), name);
    const st = await fs.promises.stat(file).catch(() => null);
    if (st && now - st.mtimeMs > STAGED_TTL_MS) await fs.promises.rm(file, { force: true });
  }
}
