import { TRPCError } from "@trpc/server";
import { describe, expect, it } from "vitest";
import { createUser } from "@/server/services/users";
import { createCaller } from "@/server/trpc/root";

const unique = () => Math.random().toString(36).slice(2, 8);
const callerFor = (userId: string | null) =>
  createCaller({ identity: userId ? { userId, via: "session" } : null });

async function codeOf(p: Promise<unknown>) {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(TRPCError);
  return (err as TRPCError).code;
}

describe("tRPC procedure builders", () => {
  it("refuses anonymous callers", async () => {
    expect(await codeOf(callerFor(null).apps.list({}))).toBe("UNAUTHORIZED");
    expect(await codeOf(callerFor(null).apps.get({ app: "anything" }))).toBe("UNAUTHORIZED");
  });

  it("answers another user's app with NOT_FOUND, not FORBIDDEN", async () => {
    const alice = await createUser({ email: `a-${unique()}@example.com`, password: "password1" });
    const bob = await createUser({ email: `b-${unique()}@example.com`, password: "password1" });
    const app = await callerFor(alice.id).apps.create({ name: `a-${unique()}` });
    expect(await codeOf(callerFor(bob.id).apps.get({ app: app.name }))).toBe("NOT_FOUND");
    expect(await codeOf(callerFor(bob.id).config.set({ app: app.name, key: "X", value: "1" }))).toBe("NOT_FOUND");
    expect(await codeOf(callerFor(bob.id).apps.destroy({ app: app.name, confirm: app.name }))).toBe("NOT_FOUND");
  });

  it("maps service errors to tRPC codes with field errors", async () => {
    const alice = await createUser({ email: `a-${unique()}@example.com`, password: "password1" });
    const err = await callerFor(alice.id).apps.create({ name: "Bad Name" }).catch((e: TRPCError) => e);
    expect(err).toBeInstanceOf(TRPCError);
    expect((err as TRPCError).code).toBe("BAD_REQUEST");
    expect((err as TRPCError).message).toMatch(/lowercase/);
  });

  it("hides config values until revealed", async () => {
    const alice = await createUser({ email: `a-${unique()}@example.com`, password: "password1" });
    const api = callerFor(alice.id);
    const app = await api.apps.create({});
    const { release } = await api.config.set({ app: app.name, key: "SECRET", value: "s3cr3t" });
    expect(release?.version).toBe(2);
    expect(await api.config.keys({ app: app.name })).toEqual(["SECRET"]);
    expect(await api.config.reveal({ app: app.name, key: "SECRET" })).toEqual({ key: "SECRET", value: "s3cr3t" });
    const renamed = await api.config.set({ app: app.name, key: "TOKEN", value: "s3cr3t", previousKey: "SECRET" });
    expect(renamed.release?.description).toBe("Set TOKEN config vars and remove SECRET config vars");
  });
});
