import crypto from "node:crypto";
import { z } from "zod";

const RESERVED_NAMES = new Set(["new", "api", "www", "admin", "dashboard", "slipway"]);

// Heroku's app name rules: a lowercase letter first, then lowercase letters, digits and
// dashes; 3 to 30 characters. Team names follow the same rules.
export const appNameSchema = z
  .string()
  .trim()
  .min(3, "Name must be at least 3 characters.")
  .max(30, "Name must be at most 30 characters.")
  .regex(/^[a-z]/, "Name must start with a lowercase letter.")
  .regex(/^[a-z][a-z0-9-]*$/, "Use only lowercase letters, digits and dashes.")
  .refine((n) => !n.endsWith("-"), "Name must not end with a dash.")
  // Dashboard paths (/apps/new, /teams/new) would shadow these.
  .refine((n) => !RESERVED_NAMES.has(n), "That name is reserved.");

export const teamNameSchema = appNameSchema;

const ADJECTIVES = [
  "sleepy", "quiet", "brave", "calm", "eager", "fancy", "gentle", "happy", "jolly", "lively",
  "mighty", "nimble", "polite", "proud", "rapid", "shy", "silly", "sunny", "swift", "witty",
  "ancient", "bold", "crisp", "damp", "frosty", "golden", "hidden", "icy", "misty", "rustic",
];
const NOUNS = [
  "river", "meadow", "forest", "harbor", "canyon", "island", "glacier", "prairie", "summit", "valley",
  "brook", "cliff", "dawn", "dune", "ember", "field", "grove", "lake", "moon", "ocean",
  "peak", "pond", "reef", "shore", "sky", "spring", "star", "stone", "tide", "wave",
];

export function randomAppName(): string {
  const pick = <T,>(list: T[]) => list[crypto.randomInt(list.length)]!;
  return `${pick(ADJECTIVES)}-${pick(NOUNS)}-${crypto.randomInt(1000, 10000)}`;
}

/** Heroku-style add-on names: postgresql-rustic-41873 (also the add-on's hostname on app networks). */
export function randomAddonName(prefix: string): string {
  return `${prefix}-${ADJECTIVES[crypto.randomInt(ADJECTIVES.length)]}-${crypto.randomInt(10000, 100000)}`;
}
