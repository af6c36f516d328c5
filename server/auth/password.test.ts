import { afterEach, describe, expect, it } from "vitest";
import { costOf, dummyPasswordHash, hashPassword, verifyPassword } from "@/server/auth/password";
import { reloadEnv } from "@/server/env";

// npm test runs with SLIPWAY_PASSWORD_COST=4 (server/testing/setup.ts); each case puts it back.
const saved = process.env.SLIPWAY_PASSWORD_COST;
afterEach(() => {
  if (saved === undefined) delete process.env.SLIPWAY_PASSWORD_COST;
  else process.env.SLIPWAY_PASSWORD_COST = saved;
  reloadEnv();
});

describe("password hashes", () => {
  it("are bcrypt at cost 12 unless SLIPWAY_PASSWORD_COST says otherwise, and an unknown account costs the same", async () => {
    delete process.env.SLIPWAY_PASSWORD_COST;
    reloadEnv();
    expect(costOf(await hashPassword("pw"))).toBe(12);
    expect(costOf(dummyPasswordHash())).toBe(12);

    process.env.SLIPWAY_PASSWORD_COST = "5";
    reloadEnv();
    const hash = await hashPassword("pw");
    expect(costOf(hash)).toBe(5);
    expect(costOf(dummyPasswordHash())).toBe(5);
    expect(await verifyPassword("pw", hash)).toBe(true);
    expect(await verifyPassword("pw", dummyPasswordHash())).toBe(false);
  });

  it("refuses a cost outside 4-16 with a clear error", () => {
    for (const bad of ["3", "17", "twelve"]) {
      process.env.SLIPWAY_PASSWORD_COST = bad;
      expect(() => reloadEnv(), bad).toThrow(/Invalid Slipway settings: SLIPWAY_PASSWORD_COST/);
    }
  });
});
