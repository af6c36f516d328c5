import "server-only";
import crypto from "node:crypto";

/** A random secret safe in URLs without escaping (hex), 256 bits. */
export function randomSecret(): string {
  return crypto.randomBytes(32).toString("hex");
}

/** A random identifier: a letter, then hex (valid unquoted in SQL and in URLs). */
export function randomIdentifier(prefix: string, bytes = 7): string {
  return `${prefix}${crypto.randomBytes(bytes).toString("hex")}`;
}

/**
 * PostgreSQL's SCRAM-SHA-256 verifier for a password (RFC 5802 / 7677, as PostgreSQL
 * stores it in pg_authid). Only this goes to the server, so the password itself never
 * reaches its statement log. Our passwords are ASCII, which SASLprep leaves as is.
 */
export function scramVerifier(password: string, iterations = 4096): string {
  const salt = crypto.randomBytes(16);
  const salted = crypto.pbkdf2Sync(password, salt, iterations, 32, "sha256");
  const clientKey = crypto.createHmac("sha256", salted).update("Client Key").digest();
  const storedKey = crypto.createHash("sha256").update(clientKey).digest();
  const serverKey = crypto.createHmac("sha256", salted).update("Server Key").digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString("base64")}$${storedKey.toString("base64")}:${serverKey.toString("base64")}`;
}
