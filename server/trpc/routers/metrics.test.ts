// metrics.get through the tRPC caller: access is checked by appProcedure like every app router.
import { TRPCError } from "@trpc/server";
import { describe, expect, it } from "vitest";
import { emptyDynoBucket } from "@/server/metrics/aggregate";
import { addDynoSamples } from "@/server/metrics/store";
import { db } from "@/server/db";
import { createUser } from "@/server/services/users";
import { createCaller } from "@/server/trpc/root";

const unique = () => Math.random().toString(36).slice(2, 8);
const callerFor = (userId: string | null) => createCaller({ identity: userId ? { userId, via: "session" } : null });

async function codeOf(p: Promise<unknown>) {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(TRPCError);
  return (err as TRPCError).code;
}

describe("metrics router", () => {
  it("answers the app's owner and collaborators, refuses strangers (NOT_FOUND) and anonymous callers", async () => {
    const [alice, bob, carol] = await Promise.all(
      ["a", "b", "c"].map((p) => createUser({ email: `${p}-${unique()}@example.com`, password: "password1" })),
    );
    const app = await callerFor(alice!.id).apps.create({ name: `m-${unique()}` });
    const now = Date.now();
    await addDynoSamples(new Date(now - (now % 60_000)), new Map([[`${app.id}\tweb`, { appId: app.id, type: "web", bucket: { ...emptyDynoBucket(), samples: 1, memSum: 64 * 1024 * 1024, memMax: 64 * 1024 * 1024, dynos: 1 } }]]));

    const metrics = await callerFor(alice!.id).metrics.get({ app: app.name, range: "1h" });
    expect(metrics.times).toHaveLength(60);
    expect(metrics.processTypes[0]?.memoryAvgMb.at(-1)).toBe(64);

    expect(await codeOf(callerFor(bob!.id).metrics.get({ app: app.name, range: "1h" }))).toBe("NOT_FOUND");
    expect(await codeOf(callerFor(bob!.id).metrics.get({ app: app.id, range: "7d" }))).toBe("NOT_FOUND");
    expect(await codeOf(callerFor(null).metrics.get({ app: app.name, range: "1h" }))).toBe("UNAUTHORIZED");
    expect(await codeOf(callerFor(alice!.id).metrics.get({ app: app.name, range: "2d" as "1h" }))).toBe("BAD_REQUEST");

    await db.collaborator.create({ data: { appId: app.id, userId: carol!.id } });
    expect((await callerFor(carol!.id).metrics.get({ app: app.name, range: "24h" })).times).toHaveLength(144);
  });
});
