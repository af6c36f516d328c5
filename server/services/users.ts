import "server-only";
import { z } from "zod";
import { hashPassword, verifyPassword } from "@/server/auth/password";
import { db } from "@/server/db";
import { AppError, isUniqueViolation } from "@/server/errors";

export const emailSchema = z.string().trim().toLowerCase().email("Enter a valid email address.");
export const passwordSchema = z.string().min(8, "Password must be at least 8 characters.").max(200);

export const publicUserSelect = { id: true, email: true, name: true, isAdmin: true, createdAt: true } as const;

export async function createUser(input: { email: string; password: string; name?: string | null; isAdmin?: boolean }) {
  const email = emailSchema.parse(input.email);
  passwordSchema.parse(input.password);
  try {
    return await db.user.create({
      data: { email, name: input.name?.trim() || null, passwordHash: await hashPassword(input.password), isAdmin: input.isAdmin ?? false },
      select: publicUserSelect,
    });
  } catch (err) {
    if (isUniqueViolation(err)) {
      throw new AppError("CONFLICT", "An account with this email already exists.", { fieldErrors: { email: "An account with this email already exists." } });
    }
    throw err;
  }
}

/** Returns the user for a correct email + password, otherwise null (never says which was wrong). */
export async function verifyCredentials(email: string, password: string) {
  const parsed = emailSchema.safeParse(email);
  if (!parsed.success) return null;
  const user = await db.user.findUnique({ where: { email: parsed.data } });
  if (!user || !(await verifyPassword(password, user.passwordHash))) return null;
  return { id: user.id, email: user.email, name: user.name, isAdmin: user.isAdmin };
}

export async function getUser(userId: string) {
  const user = await db.user.findUnique({ where: { id: userId }, select: publicUserSelect });
  if (!user) throw new AppError("UNAUTHORIZED", "Your account no longer exists.");
  return user;
}

/** Unattended installs: SLIPWAY_ADMIN_EMAIL/PASSWORD create the first account. */
export async function ensureAdmin(email: string | undefined, password: string | undefined): Promise<"created" | "skipped"> {
  if (!email || !password) return "skipped";
  if ((await db.user.count()) > 0) return "skipped";
  try {
    await createUser({ email, password, name: "Admin", isAdmin: true });
    return "created";
  } catch (err) {
    if (err instanceof AppError && err.code === "CONFLICT") return "skipped";
    throw err;
  }
}
