import "server-only";
import { db } from "@/server/db";
import { AppError, toAppError } from "@/server/errors";
import { findAppForUser } from "@/server/services/access";
import { recordActivity } from "@/server/services/activity";
import { pipelineSelect, type AccessiblePipeline } from "@/server/services/pipelines/access";
import { requireTeamRole } from "@/server/services/teams/roles";
import { transferApp } from "@/server/services/transfers";

// `heroku pipelines:transfer OWNER -p PIPELINE`: the pipeline and every app in it move to a
// team or a person ("This will transfer P and all of the listed apps", the CLI warns).
// Each app moves under the app transfer rules (server/services/transfers.ts): into a team
// takes an admin of it (or a member, from a personal pipeline); a team pipeline goes to a
// person only if that person is an admin of the team. Offering a personal pipeline to
// another person would need each app to be accepted separately, so it is refused.

export type NewOwner = { type: "team" | "user"; id: string };

async function destination(userId: string, pipeline: AccessiblePipeline, owner: NewOwner) {
  if (owner.type === "team") {
    const team = await db.team.findFirst({ where: { OR: [{ id: /^[0-9a-f-]{36}$/i.test(owner.id) ? owner.id : "-" }, { name: owner.id }], members: { some: { userId } } }, select: { id: true, name: true } });
    if (!team) throw new AppError("NOT_FOUND", "Couldn't find that team.", { resource: "team" });
    if (team.id === pipeline.teamId) throw new AppError("BAD_REQUEST", `${pipeline.name} already belongs to ${team.name}.`);
    // As for apps: out of a team takes an admin of the new team, a personal one a member.
    await requireTeamRole({ userId, teamName: team.name, minRole: pipeline.teamId ? "admin" : "member" });
    return { recipient: team.name, label: team.name, data: { ownerId: null, teamId: team.id } };
  }
  const user = await db.user.findFirst({ where: /^[0-9a-f-]{36}$/i.test(owner.id) ? { id: owner.id } : { email: owner.id.toLowerCase() }, select: { id: true, email: true } });
  if (!user) throw new AppError("NOT_FOUND", "Couldn't find that user.", { resource: "user" });
  if (!pipeline.teamId) {
    if (user.id === pipeline.ownerId) throw new AppError("BAD_REQUEST", `${pipeline.name} is already yours.`);
    throw new AppError("UNPROCESSABLE", `A personal pipeline cannot be given to another person: each app would need their acceptance. Move it to a team you share, or transfer its apps one by one with \`heroku apps:transfer\`.`);
  }
  const role = await db.teamMember.findUnique({ where: { teamId_userId: { teamId: pipeline.teamId, userId: user.id } }, select: { role: true } });
  if (role?.role !== "admin") throw new AppError("UNPROCESSABLE", `${user.email} is not an admin of ${pipeline.team?.name}: a team pipeline can only be transferred to one of its admins.`);
  return { recipient: user.email, label: user.email, data: { ownerId: user.id, teamId: null } };
}

export async function transferPipeline(input: { userId: string; pipeline: AccessiblePipeline; newOwner: NewOwner }) {
  const { pipeline } = input;
  const to = await destination(input.userId, pipeline, input.newOwner);
  const couplings = await db.pipelineCoupling.findMany({ where: { pipelineId: pipeline.id }, select: { app: { select: { id: true, name: true } } } });
  // Every app first: one the caller may not transfer stops the whole transfer before anything moves.
  const apps = await Promise.all(couplings.map((c) => findAppForUser({ userId: input.userId, app: c.app.id, operation: "app:transfer" })));
  const moved: string[] = [];
  for (const app of apps) {
    try {
      await transferApp({ app, actorUserId: input.userId, recipient: to.recipient });
      moved.push(app.name);
    } catch (err) {
      const why = toAppError(err);
      const done = moved.length ? ` ${moved.join(", ")} moved already; the pipeline did not.` : " Nothing was moved.";
      throw new AppError(why.code === "INTERNAL" ? "INTERNAL" : why.code, `Transferring ${app.name} failed: ${why.message}${done}`);
    }
  }
  const updated = await db.pipeline.update({ where: { id: pipeline.id }, data: to.data, select: pipelineSelect });
  const from = pipeline.team?.name ?? pipeline.owner?.email ?? "its owner";
  for (const teamId of new Set([pipeline.teamId, to.data.teamId])) {
    await recordActivity({
      kind: "pipeline.transferred",
      message: `Transferred pipeline ${pipeline.name} (and ${apps.length} app${apps.length === 1 ? "" : "s"}) from ${from} to ${to.label}`,
      teamId,
      data: { pipeline: pipeline.name, from, to: to.label, apps: apps.map((a) => a.name) },
    });
  }
  return updated;
}
