import "server-only";
// The npm registry, read by the platform for Node.js builds: release lists (abbreviated
// packuments, kept for PACKUMENT_TTL_MS so a burst of builds asks once) and tarballs (checked
// against the registry's integrity hash). Trusts the build CA bundle as builds do, so a
// TLS-intercepting proxy between this machine and the registry works the same for both.
import crypto from "node:crypto";
import fs from "node:fs";
import https from "node:https";
import http from "node:http";
import tls from "node:tls";
import { Transform, type Readable } from "node:stream";
import { env } from "@/server/env";
import { AppError } from "@/server/errors";

export type PackumentVersion = {
  version: string;
  engines?: Record<string, string>;
  bin?: string | Record<string, string>;
  dist: { tarball: string; integrity?: string; shasum?: string };
};
export type Packument = { name: string; "dist-tags": Record<string, string>; versions: Record<string, PackumentVersion> };

/** How long a release list is trusted before the registry is asked again. */
export const PACKUMENT_TTL_MS = 10 * 60_000;

const holder = globalThis as unknown as { slipwayPackuments?: Map<string, { at: number; doc: Promise<Packument> }> };
const packuments = (holder.slipwayPackuments ??= new Map());

export function registryUrl(): string {
  return env().SLIPWAY_NPM_REGISTRY.replace(/\/+$/, "");
}

/** The package's releases; a stale copy answers when the registry cannot (and the build says nothing of it). */
export async function packument(name: string): Promise<Packument> {
  const hit = packuments.get(name);
  if (hit && Date.now() - hit.at < PACKUMENT_TTL_MS) return hit.doc;
  const doc = fetchPackument(name);
  packuments.set(name, { at: Date.now(), doc });
  try {
    return await doc;
  } catch (err) {
    if (hit) {
      packuments.set(name, hit);
      return hit.doc.catch(() => Promise.reject(err));
    }
    packuments.delete(name);
    throw err;
  }
}

async function fetchPackument(name: string): Promise<Packument> {
  const url = `${registryUrl()}/${name.startsWith("@") ? `@${encodeURIComponent(name.slice(1))}` : encodeURIComponent(name)}`;
  const res = await get(url, { accept: "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8" }, `the releases of ${name}`);
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8")) as Packument;
  } catch {
    throw new AppError("UNAVAILABLE", `The npm registry (${registryUrl()}) answered with something that is not JSON for ${name}.`);
  }
}

/** The tarball of a release, as a stream that fails at its end when the bytes do not match the registry's integrity hash. */
export async function tarball(v: PackumentVersion, what: string): Promise<Readable> {
  const res = await get(v.dist.tarball, {}, what);
  const [algorithm, expected] = v.dist.integrity ? splitIntegrity(v.dist.integrity) : ["sha1", Buffer.from(v.dist.shasum ?? "", "hex").toString("base64")];
  const hash = crypto.createHash(algorithm);
  const verified = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      done(null, chunk);
    },
    flush(done) {
      const actual = hash.digest("base64");
      done(expected && actual !== expected ? new AppError("UNAVAILABLE", `${what} did not match the registry's checksum (${algorithm}); try again.`) : null);
    },
  });
  res.on("error", (err) => verified.destroy(err));
  return res.pipe(verified);
}

function splitIntegrity(integrity: string): [string, string] {
  // "sha512-<base64> sha1-<base64>": the strongest one first, as npm writes them.
  const first = integrity.trim().split(/\s+/)[0]!;
  const i = first.indexOf("-");
  return [first.slice(0, i), first.slice(i + 1)];
}

let trusted: { bundle: string; ca: string[] } | null = null;
function ca(): string[] | undefined {
  const bundle = env().SLIPWAY_BUILD_CA_BUNDLE;
  if (!bundle || !fs.existsSync(bundle)) return undefined;
  if (trusted?.bundle !== bundle) trusted = { bundle, ca: [...tls.rootCertificates, fs.readFileSync(bundle, "utf8")] };
  return trusted.ca;
}

function get(url: string, headers: Record<string, string>, what: string, redirects = 5): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const mod = u.protocol === "http:" ? http : https;
    const req = mod.get(u, { headers: { "user-agent": "slipway", ...headers }, ca: u.protocol === "https:" ? ca() : undefined, timeout: 30_000 }, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location && redirects > 0) {
        res.resume();
        resolve(get(new URL(res.headers.location, u).toString(), headers, what, redirects - 1));
        return;
      }
      if (status !== 200) {
        res.resume();
        reject(new AppError("UNAVAILABLE", `The npm registry (${u.origin}) answered ${status} for ${what}.`));
        return;
      }
      resolve(res);
    });
    req.on("timeout", () => req.destroy(new Error("no answer in 30 s")));
    req.on("error", (err) =>
      reject(err instanceof AppError ? err : new AppError("UNAVAILABLE", `Could not reach the npm registry (${u.origin}) for ${what}: ${err.message}. Node.js builds read releases from it (SLIPWAY_NPM_REGISTRY).`)),
    );
  });
}
