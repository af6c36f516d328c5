import "server-only";
import bcrypt from "bcryptjs";

export const PASSWORD_COST = 12;

/**
 * What a password is compared against when the account does not exist, so that an unknown
 * email costs the same bcrypt work as a known one (the hash of a random string nobody kept,
 * at the same cost). Its result is thrown away.
 */
export const DUMMY_PASSWORD_HASH = "$2b$12$UrVAiVm8wFRbRgMU3McWeuYT.lDSvWCV6uNi.mVcJifRdRVb7Gja6";

export function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, PASSWORD_COST);
}

export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return bcrypt.compare(password, hash);
}

/** The cost a bcrypt hash was made with ("$2b$12$…" → 12). */
export function costOf(hash: string): number {
  return bcrypt.getRounds(hash);
}
