import type { TRPCError } from "@trpc/server";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/server/db";
import { reloadEnv } from "@/server/env";
import { createUser, ensureAdmin, SIGN_UP_ANSWER, SIGN_UP_CLOSED, signUp, verifyCredentials } from "@/server/services/users";
import { createCaller } from "@/server/trpc/root";

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

describe("sign-up does not tell whether an address has an account", () => {
  it("answers a taken address exactly as a new one, and creates or changes nothing for it", async () => {
    const email = `taken-${unique()}@example.com`;
    const first = await signUp({ email, password: "first password", ip: "192.0.2.10" });
    const second = await signUp({ email: email.toUpperCase(), password: "second password", name: "Someone Else", ip: "192.0.2.10" });
    expect(second).toEqual(first);
    expect(first).toEqual({ message: SIGN_UP_ANSWER });
    expect(await db.user.findMany({ where: { email }, select: { name: true } })).toEqual([{ name: null }]);
    expect(await verifyCredentials(email, "first password")).not.toBeNull();
    expect(await verifyCredentials(email, "second password")).toBeNull();
    // The taken address counted as a failure for the address and the account (probing is throttled).
    expect(await db.authThrottle.findUnique({ where: { key: "ip:192.0.2.10" } })).toMatchObject({ failures: 1 });
  });

  it("through tRPC too: the same answer, and TOO_MANY_REQUESTS with when to retry once an address probed ten taken emails", { timeout: 180_000 }, async () => {
    const caller = createCaller({ identity: null, ip: "192.0.2.77" });
    const taken = await createUser({ email: `probe-${unique()}@example.com`, password: "the owner's password" });
    expect(await caller.auth.signUp({ email: `fresh-${unique()}@example.com`, password: "password 1" })).toEqual({ message: SIGN_UP_ANSWER });
    for (let i = 0; i < 10; i++) {
      expect(await caller.auth.signUp({ email: taken.email, password: `guess ${i} long` })).toEqual({ message: SIGN_UP_ANSWER });
    }
    const refused = await caller.auth.signUp({ email: `fresh-${unique()}@example.com`, password: "password 2" }).catch((e: TRPCError) => e);
    expect(refused).toMatchObject({ code: "TOO_MANY_REQUESTS", message: expect.stringMatching(/Try again in 15 minutes\.$/) });
  });
});

describe("SLIPWAY_SIGNUP=invite-only", () => {
  beforeEach(() => {
    process.env.SLIPWAY_SIGNUP = "invite-only";
    reloadEnv();
  });
  afterEach(() => {
    delete process.env.SLIPWAY_SIGNUP;
    reloadEnv();
  });

  it("refuses sign-up with a clear message, at the service and through tRPC", async () => {
    const email = `closed-${unique()}@example.com`;
    await expect(signUp({ email, password: "password 1", ip: null })).rejects.toMatchObject({ code: "FORBIDDEN", message: SIGN_UP_CLOSED });
    await expect(createUser({ email, password: "password 1" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const refused = await createCaller({ identity: null, ip: null }).auth.signUp({ email, password: "password 1" }).catch((e: TRPCError) => e);
    expect(refused).toMatchObject({ code: "FORBIDDEN", message: SIGN_UP_CLOSED });
    expect(await db.user.count({ where: { email } })).toBe(0);
  });

  it("still creates accounts through an invitation, and the admin account at start", async () => {
    const invited = await createUser({ email: `invited-${unique()}@example.com`, password: "password 1" }, { viaInvitation: true });
    expect(invited.email).toMatch(/^invited-/);
    await db.user.deleteMany();
    expect(await ensureAdmin(`admin-${unique()}@example.com`, "admin-password")).toBe("created");
  });
});
