// Constraints the migrations add that schema.prisma cannot express; runs on PGlite and, in
// npm test, on PostgreSQL (server/testing/test-db.ts applies prisma/migrations).
import { describe, expect, it } from "vitest";
import { db } from "@/server/db";
import { createTeam } from "@/server/services/teams";
import { createUser } from "@/server/services/users";

const unique = () => Math.random().toString(36).slice(2, 8);

describe("App_owner_xor_team: an app has exactly one of ownerId / teamId", () => {
  it("accepts a personal app and a team app", async () => {
    const user = await createUser({ email: `u-${unique()}@example.com`, password: "password1" });
    const team = await createTeam({ userId: user.id, name: `t-${unique()}` });
    await expect(db.app.create({ data: { name: `p-${unique()}`, ownerId: user.id } })).resolves.toMatchObject({ teamId: null });
    await expect(db.app.create({ data: { name: `t-${unique()}`, teamId: team.id } })).resolves.toMatchObject({ ownerId: null });
  });

  it("refuses an app with neither, or with both", async () => {
    const user = await createUser({ email: `u-${unique()}@example.com`, password: "password1" });
    const team = await createTeam({ userId: user.id, name: `t-${unique()}` });
    await expect(db.app.create({ data: { name: `n-${unique()}` } })).rejects.toThrow(/App_owner_xor_team|check constraint/i);
    await expect(db.app.create({ data: { name: `b-${unique()}`, ownerId: user.id, teamId: team.id } })).rejects.toThrow(/App_owner_xor_team|check constraint/i);
    const personal = await db.app.create({ data: { name: `m-${unique()}`, ownerId: user.id } });
    // Moving an app to a team must clear its owner in the same update.
    await expect(db.app.update({ where: { id: personal.id }, data: { teamId: team.id } })).rejects.toThrow(/App_owner_xor_team|check constraint/i);
    await expect(db.app.update({ where: { id: personal.id }, data: { teamId: team.id, ownerId: null } })).resolves.toMatchObject({ teamId: team.id });
  });
});

describe("Pipeline_owner_xor_team: a pipeline has exactly one of ownerId / teamId", () => {
  it("refuses a pipeline with neither, or with both", async () => {
    const user = await createUser({ email: `u-${unique()}@example.com`, password: "password1" });
    const team = await createTeam({ userId: user.id, name: `t-${unique()}` });
    await expect(db.pipeline.create({ data: { name: `p-${unique()}`, ownerId: user.id } })).resolves.toMatchObject({ teamId: null });
    await expect(db.pipeline.create({ data: { name: `n-${unique()}` } })).rejects.toThrow(/Pipeline_owner_xor_team|check constraint/i);
    await expect(db.pipeline.create({ data: { name: `b-${unique()}`, ownerId: user.id, teamId: team.id } })).rejects.toThrow(/Pipeline_owner_xor_team|check constraint/i);
  });
});
