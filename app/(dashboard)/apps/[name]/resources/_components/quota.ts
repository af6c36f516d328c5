import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/trpc/root";
import { formatMemory } from "./format";

export type AppQuotas = inferRouterOutputs<AppRouter>["quotas"]["forApp"];

/**
 * Dyno memory with a process type changed from `nowMb` to `draftMb` reserved: the owner's
 * total after the change and the limit that binds (the owner's, or the installation's
 * when less of it is left), with a sentence for under the slider.
 */
export function memoryAfter(q: AppQuotas, nowMb: number, draftMb: number) {
  const whose = q.owner.kind === "team" ? `team ${q.owner.name}'s` : "your";
  const owner = { used: q.dynoMemory.usedMb, limit: q.dynoMemory.limitMb, whose };
  const installation = { used: q.installationMemory.usedMb, limit: q.installationMemory.limitMb, whose: "this installation's" };
  const binding = installation.limit - installation.used < owner.limit - owner.used ? installation : owner;
  const afterMb = binding.used - nowMb + draftMb;
  const isOver = draftMb > nowMb && afterMb > binding.limit;
  const text = isOver
    ? `This would use ${formatMemory(afterMb)} of dyno memory; ${binding.whose} limit is ${formatMemory(binding.limit)} (${formatMemory(binding.used)} in use).`
    : `${formatMemory(draftMb === nowMb ? binding.used : afterMb)} of ${binding.whose} ${formatMemory(binding.limit)} dyno memory ${draftMb === nowMb ? "in use" : "after this change"} · ${formatMemory(Math.max(0, binding.limit - afterMb))} left`;
  return { afterMb, limitMb: binding.limit, isOver, text };
}
