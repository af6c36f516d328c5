import "server-only";
import crypto from "node:crypto";
import bcrypt from "bcryptjs";
import { env } from "@/server/env";

/** The cost new hashes are made with: SLIPWAY_PASSWORD_COST (12 unless set). */
export function passwordCost(): number {
  return env().SLIPWAY_PASSWORD_COST;
}

// A hash of a random string nobody kept, at each cost asked for (12's made beforehand).
const dummies = new Map<number, string>([[12, "$2b$12$UrVAiVm8wFRbRgMU3McWeuYT.lDSvWCV6uNi.mVcJifRdRVb7Gja6"]]);

/**
 * What a password is compared against when the account does not exist, so that an unknown
 * email costs the same bcrypt work as a known one: a hash at the cost new hashes are made
 * with. Its result is thrown away.
 */
export function dummyPasswordHash(): string {
  const cost = passwordCost();
  let hash = dummies.get(cost);
  if (!hash) dummies.set(cost, (hash = bcrypt.hashSync(crypto.randomBytes(16).toString("hex"), cost)));
  return hash;
}

export function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, passwordCost());
}

export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return bcrypt.compare(password, hash);
}

/** The cost a bcrypt hash was made with ("$2b$12$…" → 12). */
export function costOf(hash: string): number {
  return bcrypt.getRounds(hash);
}
