import { beforeEach, describe, expect, it } from "vitest";
import { db } from "@/server/db";
import { createUser, ensureAdmin, verifyCredentials } from "@/server/services/users";

const unique = () => Math.random().toString(36).slice(2, 8);

describe("ensureAdmin (SLIPWAY_ADMIN_EMAIL / SLIPWAY_ADMIN_PASSWORD at start)", () => {
  // This file's database is its own (server/testing/setup.ts): start each case with no users.
  beforeEach(async () => {
    await db.user.deleteMany();
  });

  it("creates the admin when no user exists, and signs in with the given password", async () => {
    const email = `Admin-${unique()}@Example.com`;
    expect(await ensureAdmin(email, "admin-password")).toBe("created");

    const users = await db.user.findMany({ select: { email: true, isAdmin: true } });
    expect(users).toEqual([{ email: email.toLowerCase(), isAdmin: true }]);
    expect(await verifyCredentials(email, "admin-password")).toMatchObject({ email: email.toLowerCase(), isAdmin: true });
    expect(await verifyCredentials(email, "wrong-password")).toBeNull();
  });

  it("does nothing when a user already exists, even under another email", async () => {
    const first = await createUser({ email: `first-${unique()}@example.com`, password: "password1" });
    expect(await ensureAdmin(`admin-${unique()}@example.com`, "admin-password")).toBe("skipped");
    expect(await db.user.findMany({ select: { id: true, isAdmin: true } })).toEqual([{ id: first.id, isAdmin: false }]);
  });

  it("does nothing on the next start: the admin is not created twice nor its password reset", async () => {
    const email = `admin-${unique()}@example.com`;
    expect(await ensureAdmin(email, "admin-password")).toBe("created");
    expect(await ensureAdmin(email, "another-password")).toBe("skipped");
    expect(await db.user.count()).toBe(1);
    expect(await verifyCredentials(email, "admin-password")).not.toBeNull();
    expect(await verifyCredentials(email, "another-password")).toBeNull();
  });

  it("does nothing without both settings", async () => {
    expect(await ensureAdmin(undefined, "admin-password")).toBe("skipped");
    expect(await ensureAdmin(`admin-${unique()}@example.com`, undefined)).toBe("skipped");
    expect(await db.user.count()).toBe(0);
  });
});
