import { TRPCError } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import superjson from "superjson";
import { describe, expect, it, vi } from "vitest";
import { db } from "@/server/db";
import { createUser } from "@/server/services/users";
import { appRouter, createCaller } from "@/server/trpc/root";

const unique = () => Math.random().toString(36).slice(2, 8);
const callerFor = (userId: string | null) =>
  createCaller({ identity: userId ? { userId, via: "session" } : null });

/** One mutation through tRPC's fetch handler, so the errorFormatter shapes the answer. */
async function overHttp(userId: string, path: string, input: unknown) {
  const res = await fetchRequestHandler({
    endpoint: "/api/trpc",
    req: new Request(`http://localhost/api/trpc/${path}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(superjson.serialize(input)),
    }),
    router: appRouter,
    createContext: () => ({ identity: { userId, via: "session" as const } }),
  });
  const body = (await res.json()) as { error: unknown };
  return { status: res.status, error: superjson.deserialize(body.error as never) as any };
}

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

    // What the form reads: the errorFormatter's shape, as the HTTP handler sends it.
    const res = await overHttp(alice.id, "apps.create", { name: "Bad Name" });
    expect(res.status).toBe(400);
    expect(res.error.message).toMatch(/lowercase/);
    expect(res.error.data).toMatchObject({ code: "BAD_REQUEST", httpStatus: 400, fieldErrors: { name: expect.stringMatching(/lowercase/) } });
    expect(res.error.data.stack).toBeUndefined();
  });

  it("turns input validation errors into field errors keyed by the input's path", async () => {
    const alice = await createUser({ email: `a-${unique()}@example.com`, password: "password1" });
    const team = await callerFor(alice.id).teams.create({ name: `t-${unique()}` });
    const res = await overHttp(alice.id, "teams.members.add", { team: team.name, email: "not an email" });
    expect(res.status).toBe(400);
    expect(res.error.data.fieldErrors).toEqual({ email: "Enter a valid email address." });
  });

  it("never sends a raw internal error's message or stack", async () => {
    const alice = await createUser({ email: `a-${unique()}@example.com`, password: "password1" });
    const spy = vi.spyOn(db.team, "create").mockRejectedValueOnce(new Error('relation "Team" does not exist at 10.0.0.5'));
    const quiet = vi.spyOn(console, "error").mockImplementation(() => {});
    const res = await overHttp(alice.id, "teams.create", { name: `t-${unique()}` });
    spy.mockRestore();
    quiet.mockRestore();
    expect(res.status).toBe(500);
    expect(res.error.message).toBe("Something went wrong on our side.");
    expect(res.error.data).toMatchObject({ code: "INTERNAL_SERVER_ERROR", fieldErrors: null });
    expect(res.error.data.stack).toBeUndefined();
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
