import "server-only";
import { z } from "zod";
import { dummyPasswordHash, hashPassword, verifyPassword } from "@/server/auth/password";
import { assertNotLocked, recordFailure, throttleKeys } from "@/server/auth/throttle";
import { db } from "@/server/db";
import { env } from "@/server/env";
import { AppError, isUniqueViolation } from "@/server/errors";

export const emailSchema = z.string().trim().toLowerCase().email("Enter a valid email address.");
export const passwordSchema = z.string().min(8, "Password must be at least 8 characters.").max(200);

export const publicUserSelect = { id: true, email: true, name: true, isAdmin: true, createdAt: true } as const;

type NewUser = { email: string; password: string; name?: string | null; isAdmin?: boolean };

export const SIGN_UP_CLOSED =
  "Sign-up is closed on this installation: accounts are created through team invitations. Ask a team admin to invite you.";

/** May people create accounts themselves here? (SLIPWAY_SIGNUP) */
export function isSignUpOpen(): boolean {
  return env().SLIPWAY_SIGNUP === "open";
}

/**
 * A new account. With SLIPWAY_SIGNUP=invite-only only a team invitation (viaInvitation)
 * creates one. Throws CONFLICT when the email is taken: callers that face the public use
 * signUp(), which does not say so.
 */
export async function createUser(input: NewUser, opts: { viaInvitation?: boolean } = {}) {
  if (!opts.viaInvitation && !isSignUpOpen()) throw new AppError("FORBIDDEN", SIGN_UP_CLOSED);
  return insertUser(input);
}

async function insertUser(input: NewUser) {
  const email = emailSchema.parse(input.email);
  passwordSchema.parse(input.password);
  // Hashed before the insert, so a taken email costs the same time as a new one.
  const passwordHash = await hashPassword(input.password);
  try {
    return await db.user.create({
      data: { email, name: input.name?.trim() || null, passwordHash, isAdmin: input.isAdmin ?? false },
      select: publicUserSelect,
    });
  } catch (err) {
    if (isUniqueViolation(err)) {
      throw new AppError("CONFLICT", "An account with this email already exists.", { fieldErrors: { email: "An account with this email already exists." } });
    }
    throw err;
  }
}

/**
 * What the dashboard's sign-up says whether or not the address already had an account: the
 * answer, its shape and its time are the same (a taken address gets no new account and no
 * changed password). The form then signs in with the password given, which works for a new
 * account — and for an existing one only with its own password, as the sign-in form would.
 */
export const SIGN_UP_ANSWER = "If this address is new, its account is ready. If it already has an account, sign in with that account's password.";

export async function signUp(input: { email: string; password: string; name?: string | null; ip: string | null }) {
  if (!isSignUpOpen()) throw new AppError("FORBIDDEN", SIGN_UP_CLOSED);
  const keys = throttleKeys({ email: input.email, ip: input.ip });
  await assertNotLocked(keys);
  try {
    await createUser({ email: input.email, password: input.password, name: input.name });
  } catch (err) {
    if (!(err instanceof AppError && err.code === "CONFLICT")) throw err;
    // Probing addresses through sign-up counts against the address like a wrong password.
    await recordFailure(keys);
  }
  return { message: SIGN_UP_ANSWER };
}

export type CredentialsCheck = {
  user: { id: string; email: string; name: string | null; isAdmin: boolean; sessionGeneration: number } | null;
  /** The account the email names, when there is one (for the audit trail), right password or not. */
  knownUserId: string | null;
};

/**
 * Checks an email + password. Unknown (or malformed) emails are compared against a dummy
 * hash of the same bcrypt cost, so they take as long as a wrong password for a real account.
 */
export async function checkCredentials(email: string, password: string): Promise<CredentialsCheck> {
  const parsed = emailSchema.safeParse(email);
  const user = parsed.success ? await db.user.findUnique({ where: { email: parsed.data } }) : null;
  const matches = await verifyPassword(password, user?.passwordHash ?? dummyPasswordHash());
  if (!user) return { user: null, knownUserId: null };
  if (!matches) return { user: null, knownUserId: user.id };
  const { id, name, isAdmin, sessionGeneration } = user;
  return { user: { id, email: user.email, name, isAdmin, sessionGeneration }, knownUserId: user.id };
}

/** Returns the user for a correct email + password, otherwise null (never says which was wrong). */
export async function verifyCredentials(email: string, password: string) {
  return (await checkCredentials(email, password)).user;
}

export async function getUser(userId: string) {
  const user = await db.user.findUnique({ where: { id: userId }, select: publicUserSelect });
  if (!user) throw new AppError("UNAUTHORIZED", "Your account no longer exists.");
  return user;
}

/** Unattended installs: SLIPWAY_ADMIN_EMAIL/PASSWORD create the first account (even when sign-up is invite-only). */
export async function ensureAdmin(email: string | undefined, password: string | undefined): Promise<"created" | "skipped"> {
  if (!email || !password) return "skipped";
  if ((await db.user.count()) > 0) return "skipped";
  try {
    await insertUser({ email, password, name: "Admin", isAdmin: true });
    return "created";
  } catch (err) {
    if (err instanceof AppError && err.code === "CONFLICT") return "skipped";
    throw err;
  }
}

/**
 * Another user by email or id, but only one the caller already knows: someone in a team
 * with them (or themselves). Null otherwise, so no door reveals whether an email has an account.
 */
export async function findColleague(input: { userId: string; identity: string }) {
  const value = input.identity.trim();
  const byId = /^[0-9a-f-]{36}$/i.test(value);
  return db.user.findFirst({
    where: {
      ...(byId ? { id: value } : { email: value.toLowerCase() }),
      OR: [{ id: input.userId }, { memberships: { some: { team: { members: { some: { userId: input.userId } } } } } }],
    },
    select: { id: true, email: true, name: true },
  });
}
