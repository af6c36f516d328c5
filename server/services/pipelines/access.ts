import "server-only";
import { isTeamRole, pipelineAllows, pipelineRole, PIPELINE_OPERATIONS, type PipelineOperation } from "@/server/auth/permissions";
import { db } from "@/server/db";
import { AppError } from "@/server/errors";

// Every pipeline door asks here: may this user perform this operation on this pipeline?
// The rule is in server/auth/permissions.ts (pipelineRole, PIPELINE_OPERATIONS); this
// module gathers the facts. Pipelines the user may not see are NOT_FOUND; seen but not
// allowed is FORBIDDEN, naming the role it takes.

export const pipelineSelect = {
  id: true,
  name: true,
  ownerId: true,
  teamId: true,
  createdAt: true,
  updatedAt: true,
  owner: { select: { id: true, email: true } },
  team: { select: { id: true, name: true } },
} as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function pipelineWhere(pipeline: string) {
  return UUID.test(pipeline) ? { id: pipeline } : { name: pipeline };
}

/** The pipelines a user can see: their own and their teams'. */
export function visiblePipelinesWhere(userId: string) {
  return { OR: [{ ownerId: userId }, { team: { members: { some: { userId } } } }] };
}

/** A pipeline (name or id) with the caller's role on it; null when they may not see it. */
export async function pipelineForUser(input: { userId: string; pipeline: string }) {
  const row = await db.pipeline.findFirst({
    where: { ...pipelineWhere(input.pipeline), ...visiblePipelinesWhere(input.userId) },
    select: { ...pipelineSelect, team: { select: { id: true, name: true, members: { where: { userId: input.userId }, select: { role: true } } } } },
  });
  if (!row) return null;
  const teamRole = row.team?.members[0]?.role ?? null;
  const role = pipelineRole({ isOwner: row.ownerId === input.userId, isTeamPipeline: row.teamId !== null, teamRole: teamRole && isTeamRole(teamRole) ? teamRole : null });
  if (!role) return null;
  const { team, ...rest } = row;
  return { ...rest, team: team ? { id: team.id, name: team.name } : null, role };
}

export type AccessiblePipeline = NonNullable<Awaited<ReturnType<typeof pipelineForUser>>>;

const REFUSAL = { viewer: "a member of its team", member: "a member or admin of its team", admin: "an admin of its team" } as const;

/** Loads a pipeline by name or id if the user may perform `operation` on it. */
export async function findPipelineForUser(input: { userId: string; pipeline: string; operation: PipelineOperation }) {
  const pipeline = await pipelineForUser(input);
  if (!pipeline) throw new AppError("NOT_FOUND", "Couldn't find that pipeline.", { resource: "pipeline" });
  assertPipelineAllowed(pipeline, input.operation);
  return pipeline;
}

export function assertPipelineAllowed(pipeline: Pick<AccessiblePipeline, "name" | "role">, operation: PipelineOperation) {
  if (!pipelineAllows(pipeline.role, operation)) {
    throw new AppError("FORBIDDEN", `You do not have access to the pipeline ${pipeline.name}: this takes ${REFUSAL[PIPELINE_OPERATIONS[operation]]}.`);
  }
}
