import "server-only";
// The labels every Slipway container and Swarm service carries: what a dyno is, read back
// by any control plane from the runtime itself (no memory of its own needed after a crash).
import type { DynoLabels, DynoSpec } from "@/server/runtime/driver";

export const LABEL = {
  managed: "slipway.managed",
  installation: "slipway.installation",
  spec: "slipway.spec",
  appId: "slipway.app-id",
  app: "slipway.app",
  dyno: "slipway.dyno",
  type: "slipway.type",
  releaseId: "slipway.release-id",
  release: "slipway.release",
  size: "slipway.size",
  oneOff: "slipway.one-off",
  /** A one-off's Dyno row id: the process running it knows it; an unknown one is orphaned. */
  oneOffId: "slipway.one-off-id",
} as const;

/**
 * The mark of a standby dyno (see runtime/standby-pool.ts): the end of its container name.
 * Labels are immutable, a container name is not: promotion renames the container without
 * it (`docker rename`), and from then on it is the dyno its labels always said it would be.
 */
export const STANDBY_NAME_SUFFIX = "-standby";

/** A dyno's labels as the runtime stores them. */
export function dynoLabels(spec: DynoSpec): Record<string, string> {
  return {
    [LABEL.managed]: "1",
    [LABEL.installation]: spec.installation,
    [LABEL.spec]: spec.spec,
    [LABEL.appId]: spec.appId,
    [LABEL.app]: spec.appName,
    [LABEL.dyno]: spec.dyno,
    [LABEL.type]: spec.type,
    [LABEL.releaseId]: spec.releaseId,
    [LABEL.release]: String(spec.release),
    [LABEL.size]: spec.size.name,
    ...(spec.oneOff ? { [LABEL.oneOff]: "1" } : {}),
    ...(spec.oneOffId ? { [LABEL.oneOffId]: spec.oneOffId } : {}),
  };
}

/** Reads a dyno's labels back. */
export function parseDynoLabels(l: Record<string, string> | undefined | null): DynoLabels {
  const labels = l ?? {};
  return {
    appId: labels[LABEL.appId] ?? "",
    dyno: labels[LABEL.dyno] ?? "",
    type: labels[LABEL.type] ?? "",
    releaseId: labels[LABEL.releaseId] ?? "",
    release: Number(labels[LABEL.release] ?? 0),
    size: labels[LABEL.size] ?? "",
    spec: labels[LABEL.spec] ?? "",
    oneOff: labels[LABEL.oneOff] === "1",
    oneOffId: labels[LABEL.oneOffId] ?? null,
  };
}

/** The label filter selecting one installation's dynos (optionally of one app). */
export function dynoLabelFilter(installation: string, appId?: string): string[] {
  return [`${LABEL.managed}=1`, `${LABEL.installation}=${installation}`, LABEL.dyno, ...(appId ? [`${LABEL.appId}=${appId}`] : [])];
}
