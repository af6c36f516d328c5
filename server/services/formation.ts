import "server-only";
import { db, type Prisma } from "@/server/db";
import { AppError } from "@/server/errors";
import { recordRestartEvent, restartMessage } from "@/server/metrics/markers";
import { getRuntime, pokeApp } from "@/server/runtime";
import { runnableRelease } from "@/server/runtime/desired";
import { platformLog } from "@/server/runtime/events";
import { runOneOff, type OneOffPrefix } from "@/server/runtime/one-off";
import { recordActivity } from "@/server/services/activity";
import { dynoNodes } from "@/server/services/nodes";
import { DEFAULT_DYNO_SIZE, DYNO_SIZES, dynoSize } from "@/server/runtime/sizes";
import { checkFormationQuota, checkOneOffQuota } from "@/server/services/quotas";

type Tx = Prisma.TransactionClient;

export const formationSelect = { id: true, type: true, quantity: true, size: true, command: true, createdAt: true, updatedAt: true } as const;

/** The formation, each entry with its command: its own override, else the current release's Procfile line. */
export async function listFormation(appId: string) {
  const [rows, release] = await Promise.all([
    db.formation.findMany({ where: { appId }, orderBy: { type: "asc" }, select: formationSelect }),
    runnableRelease(appId),
  ]);
  const processTypes = (release?.processTypes ?? {}) as Record<string, string>;
  return rows.map((r) => ({ ...r, command: r.command ?? processTypes[r.type] ?? null }));
}

/**
 * The `release` process type as Heroku lists it in the formation (never scaled: it runs
 * once per release), from the newest release that has code, whatever its status: after a
 * failed release phase, `heroku releases:retry` looks for it here.
 */
export async function releasePhaseFormation(appId: string) {
  const release = await db.release.findFirst({
    where: { appId, imageTag: { not: null } },
    orderBy: { version: "desc" },
    select: { id: true, processTypes: true, createdAt: true },
  });
  const command = (release?.processTypes as Record<string, string> | null)?.release;
  if (!release || !command) return null;
  return { id: release.id, type: "release", quantity: 0, size: DEFAULT_DYNO_SIZE, command, createdAt: release.createdAt, updatedAt: release.createdAt };
}

/**
 * A release brought these process types: each new type gets a formation entry, `web`
 * with one dyno and the others with none (Heroku's defaults). Existing entries keep
 * their scale.
 */
export async function ensureFormation(tx: Tx, appId: string, processTypes: Record<string, string>) {
  const existing = new Set((await tx.formation.findMany({ where: { appId }, select: { type: true } })).map((f) => f.type));
  for (const type of Object.keys(processTypes)) {
    if (type === "release" || existing.has(type)) continue;
    await tx.formation.create({ data: { appId, type, quantity: type === "web" ? 1 : 0, size: DEFAULT_DYNO_SIZE } });
  }
}

export type FormationUpdate = { type: string; quantity?: number | string | null; size?: string | null };

function parseQuantity(value: number | string, current: number, type: string): number {
  const text = String(value).trim();
  const m = /^([+-]?)(\d+)$/.exec(text);
  if (!m) throw new AppError("BAD_REQUEST", `Invalid quantity for ${type}: ${text}. Use a number, or +N / -N.`, { fieldErrors: { [type]: "Invalid quantity." } });
  const n = Number(m[2]);
  // The Platform API sends quantity as a string; "+1"/"-1" are relative (ps:scale web+1).
  return m[1] === "+" ? current + n : m[1] === "-" ? current - n : n;
}

/** Applies scale / size changes to the desired state, then asks the runtime to converge. */
export async function updateFormation(input: { appId: string; updates: FormationUpdate[] }) {
  if (input.updates.length === 0) throw new AppError("BAD_REQUEST", "Nothing to change.");
  const rows = await db.formation.findMany({ where: { appId: input.appId } });
  const byType = new Map(rows.map((r) => [r.type, r]));
  const writes: { id: string; quantity: number; size: string }[] = [];
  for (const u of input.updates) {
    const row = byType.get(u.type);
    if (!row) {
      throw new AppError("NOT_FOUND", `Couldn't find that process type (${u.type}).`, { resource: "formation", fieldErrors: { [u.type]: "No such process type." } });
    }
    const size = u.size ? dynoSize(u.size) : dynoSize(row.size);
    if (!size) {
      throw new AppError("BAD_REQUEST", `Unknown dyno size ${u.size}. Sizes: ${DYNO_SIZES.map((s) => s.name).join(", ")}.`, { fieldErrors: { [u.type]: "Unknown size." } });
    }
    const quantity = u.quantity === undefined || u.quantity === null ? row.quantity : parseQuantity(u.quantity, row.quantity, u.type);
    if (quantity < 0) throw new AppError("BAD_REQUEST", `Cannot scale ${u.type} below 0.`, { fieldErrors: { [u.type]: "Must be 0 or more." } });
    if (quantity > size.maxQuantity) {
      throw new AppError("BAD_REQUEST", `${size.name} dynos are limited to ${size.maxQuantity} per process type; pick a larger size to run ${quantity}.`, {
        fieldErrors: { [u.type]: `At most ${size.maxQuantity} ${size.name} dynos.` },
      });
    }
    writes.push({ id: row.id, quantity, size: size.name });
  }
  await checkFormationQuota({ appId: input.appId, next: writes });
  await db.$transaction(writes.map((w) => db.formation.update({ where: { id: w.id }, data: { quantity: w.quantity, size: w.size } })));
  const scaled = writes.map((w) => `${rows.find((r) => r.id === w.id)!.type}@${w.quantity}:${w.size}`).join(" ");
  platformLog(input.appId, null, `Scaled to ${scaled}`, "app[api]");
  await recordFormationChange(input.appId, writes.map((w) => ({ ...w, before: rows.find((r) => r.id === w.id)! })));
  void pokeApp(input.appId);
  return listFormation(input.appId);
}

/** One audit event per change: `formation.scale` when a quantity moved, else `formation.resize`. */
async function recordFormationChange(appId: string, changes: { quantity: number; size: string; before: { type: string; quantity: number; size: string } }[]) {
  const scaled = changes.filter((c) => c.quantity !== c.before.quantity);
  const resized = changes.filter((c) => c.size !== c.before.size);
  if (!scaled.length && !resized.length) return;
  const parts = [
    ...(scaled.length ? [`Scaled ${scaled.map((c) => `${c.before.type} from ${c.before.quantity} to ${c.quantity}`).join(", ")}`] : []),
    ...(resized.length ? [`${scaled.length ? "resized" : "Resized"} ${resized.map((c) => `${c.before.type} from ${c.before.size} to ${c.size}`).join(", ")}`] : []),
  ];
  await recordActivity({
    kind: scaled.length ? "formation.scale" : "formation.resize",
    message: parts.join("; "),
    appId,
    data: { changes: [...new Set([...scaled, ...resized])].map((c) => ({ type: c.before.type, from: { quantity: c.before.quantity, size: c.before.size }, to: { quantity: c.quantity, size: c.size } })) },
  });
}

/** The app's dynos, each with the node it runs on (null while it has no container, or the runtime cannot say). */
export async function listDynos(appId: string) {
  const [rows, nodes] = await Promise.all([
    db.dyno.findMany({
      where: { appId },
      orderBy: [{ type: "asc" }, { name: "asc" }],
      select: {
        id: true, name: true, type: true, size: true, state: true, command: true, exitCode: true, restartCount: true,
        createdAt: true, updatedAt: true, release: { select: { id: true, version: true } }, containerId: true,
      },
    }),
    dynoNodes(appId),
  ]);
  return rows.map(({ containerId, ...d }) => ({ ...d, node: (containerId && nodes.get(containerId)) || null }));
}

/** Restarts every dyno, one process type, or one dyno (`web.1`). */
export async function restartDynos(input: { appId: string; type?: string | null; dyno?: string | null }) {
  const runtime = getRuntime();
  if (!runtime) throw new AppError("UNAVAILABLE", "The dyno manager is not running.");
  const count = await runtime.restart(input.appId, (c) => (input.dyno ? c.dyno === input.dyno : input.type ? c.type === input.type : true));
  if (count === 0 && (input.dyno || input.type)) {
    throw new AppError("NOT_FOUND", `Couldn't find ${input.dyno ?? `${input.type} dynos`}.`, { resource: "dyno" });
  }
  if (count > 0) await recordRestartEvent({ appId: input.appId, kind: "restart", message: restartMessage(input) });
  await recordActivity({ kind: "dynos.restart", message: restartMessage(input), appId: input.appId, data: { type: input.type ?? null, dyno: input.dyno ?? null, restarted: count } });
  return { restarted: count };
}

/** Stops one dyno. A formation dyno is started again by the dyno manager, as on Heroku. */
export async function stopDyno(input: { appId: string; dyno: string }) {
  const runtime = getRuntime();
  if (!runtime) throw new AppError("UNAVAILABLE", "The dyno manager is not running.");
  const count = await runtime.stop(input.appId, (c) => c.dyno === input.dyno);
  if (count === 0) throw new AppError("NOT_FOUND", `Couldn't find dyno ${input.dyno}.`, { resource: "dyno" });
  await recordActivity({ kind: "dynos.stop", message: `Stopped dyno ${input.dyno}`, appId: input.appId, data: { dyno: input.dyno } });
}

/** Runs `command` in a one-off dyno (run.N) of the current release; output streams to onOutput. */
export async function runCommand(input: {
  appId: string;
  command: string;
  size?: string;
  onOutput: (stream: "stdout" | "stderr", text: string) => void;
  onStart?: (dyno: string) => void;
  signal?: AbortSignal;
  releaseId?: string;
  timeoutMs?: number;
  namePrefix?: OneOffPrefix;
}) {
  const runtime = getRuntime();
  if (input.namePrefix !== "release") await checkOneOffQuota({ appId: input.appId, size: input.size ?? DEFAULT_DYNO_SIZE });
  if (!runtime) throw new AppError("UNAVAILABLE", "The dyno manager is not running.");
  return runOneOff({
    installation: runtime.opts.installation,
    port: runtime.opts.port,
    stopTimeoutSeconds: runtime.opts.stopTimeoutSeconds,
    timeoutMs: 60 * 60 * 1000,
    ...input,
    onStart: (dyno) => {
      input.onStart?.(dyno);
      // The release phase is recorded as its deploy; people's one-off dynos are recorded here.
      if (input.namePrefix === "release") return;
      const program = commandName(input.command);
      recordActivity({ kind: "dynos.run", message: `Ran \`${program}\` in one-off dyno ${dyno}`, appId: input.appId, data: { dyno, command: program, size: input.size ?? DEFAULT_DYNO_SIZE } }).catch(
        (err: unknown) => console.error("slipway: could not record one-off dyno", dyno, err),
      );
    },
  });
}

/**
 * The program a command runs, for the audit trail: arguments and leading `VAR=value`
 * assignments are left out, since either may carry a secret.
 */
export function commandName(command: string): string {
  const words = command.trim().split(/\s+/).filter((w) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(w));
  return (words[0] ?? "").slice(0, 64) || "(empty)";
}
