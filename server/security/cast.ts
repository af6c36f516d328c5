// The people of the authorization matrix (and of the stream tests): one team whose
// members get only `view` by default, an unlocked and a locked app of that team, and
// everyone Heroku distinguishes — an outsider, a viewer, a member without a grant, members
// and outside collaborators holding exactly one permission, an admin. Each has an API key.
// restore() puts every fact back, so a door that changed something cannot sway the next.
import { PERMISSIONS, type Permission, type TeamRole } from "@/server/auth/permissions";
import { db } from "@/server/db";
import { createApiKey } from "@/server/services/api-keys";
import { createUser } from "@/server/services/users";

const unique = () => Math.random().toString(36).slice(2, 8);

export type Member = { id: string; email: string; key: string; keyId: string; role: TeamRole | null; grant: Permission[] | null };

export type Caller =
  | { name: "anonymous" }
  | { name: string; member: Member; /** the app of the team this caller is tried on */ locked: boolean };

export async function createCast() {
  const tag = unique();
  const person = async (label: string, role: TeamRole | null, grant: Permission[] | null): Promise<Member> => {
    const email = `${label}-${tag}@example.com`;
    const user = await createUser({ email, password: "password1" });
    const key = await createApiKey({ userId: user.id, description: "matrix" });
    return { id: user.id, email, key: key.token, keyId: key.id, role, grant };
  };
  const admin = await person("admin", "admin", null);
  const viewer = await person("viewer", "viewer", null);
  const member = await person("member", "member", null);
  const outsider = await person("outsider", null, null);
  const granted = {} as Record<Permission, Member>;
  const collaborator = {} as Record<Permission, Member>;
  for (const p of PERMISSIONS) {
    granted[p] = await person(`granted-${p}`, "member", [p]);
    collaborator[p] = await person(`collab-${p}`, null, [p]);
  }
  const team = await db.team.create({ data: { name: `matrix-${tag}`, defaultPermissions: ["view"] } });
  const app = await db.app.create({ data: { name: `matrix-${tag}`, teamId: team.id } });
  const lockedApp = await db.app.create({ data: { name: `matrix-locked-${tag}`, teamId: team.id, locked: true } });
  // A team pipeline with the app in it: pipeline doors are tried as each team role.
  const pipeline = await db.pipeline.create({ data: { name: `matrix-${tag}`, teamId: team.id } });
  const people = [admin, viewer, member, outsider, ...Object.values(granted), ...Object.values(collaborator)];

  async function restore() {
    await db.team.upsert({ where: { id: team.id }, create: { id: team.id, name: team.name, defaultPermissions: ["view"] }, update: { name: team.name, defaultPermissions: ["view"] } });
    for (const [a, locked] of [[app, false], [lockedApp, true]] as const) {
      const facts = { name: a.name, teamId: team.id, ownerId: null, locked, maintenance: false };
      await db.app.upsert({ where: { id: a.id }, create: { id: a.id, ...facts }, update: facts });
    }
    await db.apiKey.updateMany({ where: { id: { in: people.map((p) => p.keyId) } }, data: { revokedAt: null, expiresAt: null } });
    await db.teamMember.deleteMany({ where: { teamId: team.id } });
    await db.teamMember.createMany({ data: people.filter((p) => p.role).map((p) => ({ teamId: team.id, userId: p.id, role: p.role! })) });
    await db.collaborator.deleteMany({ where: { appId: { in: [app.id, lockedApp.id] } } });
    await db.collaborator.createMany({ data: [app, lockedApp].flatMap((a) => people.filter((p) => p.grant).map((p) => ({ appId: a.id, userId: p.id, permissions: p.grant! }))) });
    const pipelineFacts = { name: pipeline.name, teamId: team.id, ownerId: null };
    await db.pipeline.upsert({ where: { id: pipeline.id }, create: { id: pipeline.id, ...pipelineFacts }, update: pipelineFacts });
    await db.pipelineCoupling.deleteMany({ where: { OR: [{ pipelineId: pipeline.id }, { appId: { in: [app.id, lockedApp.id] } }] } });
    await db.pipelineCoupling.createMany({ data: [{ pipelineId: pipeline.id, appId: app.id, stage: "staging" }, { pipelineId: pipeline.id, appId: lockedApp.id, stage: "production" }] });
    await db.reviewAppConfig.deleteMany({ where: { pipelineId: pipeline.id } });
  }
  await restore();

  /** Everyone a door is tried as, for an operation needing `needed`. */
  function callers(needed: Permission): Caller[] {
    return [
      { name: "anonymous" },
      { name: "outsider", member: outsider, locked: false },
      { name: "viewer", member: viewer, locked: false },
      { name: "member without the grant", member, locked: false },
      { name: "member on a locked app", member, locked: true },
      { name: `member with ${needed}`, member: granted[needed], locked: false },
      { name: `collaborator with ${needed}`, member: collaborator[needed], locked: false },
      { name: "admin", member: admin, locked: false },
    ];
  }

  return { tag, team, app, lockedApp, pipeline, admin, viewer, member, outsider, granted, collaborator, restore, callers };
}

export type Cast = Awaited<ReturnType<typeof createCast>>;
