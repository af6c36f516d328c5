import "server-only";
// Dyno rows: the observed state as the dashboard and the API read it. Written by the
// reconciler after each pass; read back (crash history) after a restart of the platform.
import { db } from "@/server/db";
import type { DesiredApp } from "@/server/runtime/desired";

type Primary = {
  containerId: string;
  releaseId: string;
  tracked: { state: string; restartCount: number; nextRestartAt: number | null; exitCode: number | null } | undefined;
};

export async function loadCrashState(appId: string, dyno: string, containerId: string) {
  const row = await db.dyno.findUnique({ where: { appId_name: { appId, name: dyno } } });
  if (!row || row.containerId !== containerId) return null;
  return { state: row.state, restartCount: row.restartCount, nextRestartAt: row.nextRestartAt?.getTime() ?? null };
}

export async function syncDynoRows(appId: string, desired: DesiredApp, primaries: Map<string, Primary>) {
  const rows = await db.dyno.findMany({ where: { appId, type: { not: "run" } } });
  const existing = new Map(rows.map((r) => [r.name, r]));
  const writes: Promise<unknown>[] = [];
  for (const d of desired.dynos) {
    const p = primaries.get(d.name);
    const data = {
      type: d.type,
      size: d.size.name,
      command: d.command,
      state: p?.tracked?.state ?? "starting",
      containerId: p?.containerId ?? null,
      releaseId: p?.releaseId ?? desired.release?.id ?? null,
      exitCode: p?.tracked?.exitCode ?? null,
      restartCount: p?.tracked?.restartCount ?? 0,
      nextRestartAt: p?.tracked?.nextRestartAt ? new Date(p.tracked.nextRestartAt) : null,
    };
    const row = existing.get(d.name);
    if (!row) {
      writes.push(db.dyno.create({ data: { appId, name: d.name, ...data } }));
    } else if (
      row.state !== data.state ||
      row.containerId !== data.containerId ||
      row.releaseId !== data.releaseId ||
      row.size !== data.size ||
      row.command !== data.command ||
      row.restartCount !== data.restartCount ||
      row.exitCode !== data.exitCode ||
      row.nextRestartAt?.getTime() !== data.nextRestartAt?.getTime()
    ) {
      writes.push(db.dyno.update({ where: { id: row.id }, data }));
    }
  }
  const wanted = new Set(desired.dynos.map((d) => d.name));
  const gone = rows.filter((r) => !wanted.has(r.name)).map((r) => r.id);
  if (gone.length) writes.push(db.dyno.deleteMany({ where: { id: { in: gone } } }));
  await Promise.all(writes);
}

/** `run.N` rows whose one-off no process runs (see reapOneOffs). */
export async function deleteOrphanRunRows(isLive: (rowId: string) => boolean) {
  const rows = await db.dyno.findMany({ where: { type: "run" }, select: { id: true } });
  const gone = rows.filter((r) => !isLive(r.id)).map((r) => r.id);
  if (gone.length) await db.dyno.deleteMany({ where: { id: { in: gone } } });
}
