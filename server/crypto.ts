import "server-only";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { dataDir, env } from "@/server/env";

// AES-256-GCM for secrets at rest (config vars, add-on credentials). The key comes from
// SLIPWAY_SECRET_KEY (any string; hashed to 32 bytes) or is generated once into the data
// directory with mode 0600.
let masterKey: Buffer | undefined;

function loadMasterKey(): Buffer {
  const fromEnv = env().SLIPWAY_SECRET_KEY;
  if (fromEnv) return crypto.createHash("sha256").update(fromEnv).digest();
  const file = path.join(dataDir(), "secret.key");
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    try {
      fs.writeFileSync(file, crypto.randomBytes(32).toString("base64"), { mode: 0o600, flag: "wx" });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
  }
  return Buffer.from(fs.readFileSync(file, "utf8").trim(), "base64");
}

function key(): Buffer {
  return (masterKey ??= loadMasterKey());
}

/** A sub-key for another purpose (session signing, log-session tokens). */
export function deriveKey(purpose: string): Buffer {
  return Buffer.from(crypto.hkdfSync("sha256", key(), Buffer.alloc(0), `slipway:${purpose}`, 32));
}

export function encrypt(plaintext: string): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv("aes-256-gcm", key(), iv);
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return ["v1", iv.toString("base64"), cipher.getAuthTag().toString("base64"), body.toString("base64")].join(":");
}

export function decrypt(ciphertext: string): string {
  const [version, iv, tag, body] = ciphertext.split(":");
  if (version !== "v1" || !iv || !tag || body === undefined) throw new Error("Unknown ciphertext format");
  const decipher = crypto.createDecipheriv("aes-256-gcm", key(), Buffer.from(iv, "base64"));
  decipher.setAuthTag(Buffer.from(tag, "base64"));
  return Buffer.concat([decipher.update(Buffer.from(body, "base64")), decipher.final()]).toString("utf8");
}

export function encryptJson(value: unknown): string {
  return encrypt(JSON.stringify(value));
}

export function decryptJson<T>(ciphertext: string): T {
  return JSON.parse(decrypt(ciphertext)) as T;
}

export function sha256(value: string): string {
  return crypto.createHash("sha256").update(value).digest("hex");
}

/** Short-lived signed tokens (e.g. the log-session URL the CLI opens without auth). */
export function signToken(payload: object, ttlSeconds: number): string {
  const body = Buffer.from(JSON.stringify({ ...payload, exp: Date.now() + ttlSeconds * 1000 })).toString("base64url");
  const mac = crypto.createHmac("sha256", deriveKey("token")).update(body).digest("base64url");
  return `${body}.${mac}`;
}

export function verifyToken<T>(token: string): T | null {
  const [body, mac] = token.split(".");
  if (!body || !mac) return null;
  const expected = crypto.createHmac("sha256", deriveKey("token")).update(body).digest("base64url");
  if (mac.length !== expected.length || !crypto.timingSafeEqual(Buffer.from(mac), Buffer.from(expected))) return null;
  const payload = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as T & { exp: number };
  return payload.exp > Date.now() ? payload : null;
}
