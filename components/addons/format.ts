import type { AddonPlan } from "./types";

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 100 || Number.isInteger(value) ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

const mb = (n: number) => formatBytes(n * 1024 * 1024);

/** What a plan really gives: "256 MB RAM · 20 connections · 1 GB storage". */
export function describePlan(plan: AddonPlan): string {
  const parts = [`${mb(plan.memoryMb)} RAM`];
  if (plan.dataMemoryMb) parts[0] = `${mb(plan.dataMemoryMb)} data (${mb(plan.memoryMb)} RAM)`;
  parts.push(`${plan.connections} connections`);
  if (plan.storageMb) parts.push(`${mb(plan.storageMb)} storage`);
  return parts.join(" · ");
}

/** The config var an attachment sets. */
export function configVarOf(attachmentName: string): string {
  return `${attachmentName}_URL`;
}
