import "server-only";
// One-off dynos (`run.N`): a command in the current release's environment, its output
// streamed to the caller, its exit code returned. Like `heroku run`.
import crypto from "node:crypto";
import { db } from "@/server/db";
import { AppError, isUniqueViolation } from "@/server/errors";
import { loadDesiredApp, loadRelease, specHash } from "@/server/runtime/desired";
import { runtimeDriver, type AttachedRun } from "@/server/runtime/driver";
import { platformLog } from "@/server/runtime/events";
import { dynoSize, DEFAULT_DYNO_SIZE } from "@/server/runtime/sizes";

export type OneOffPrefix = "run" | "release" | "postdeploy" | "predestroy";

export type OneOffOptions = {
  installation: string;
  appId: string;
  command: string;
  size?: string;
  port: number;
  stopTimeoutSeconds: number;
  /** Output as it happens. */
  onOutput: (stream: "stdout" | "stderr", text: string) => void;
  /** Called once the dyno has its name. */
  onStart?: (dyno: string) => void;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Run this release instead of the current one (the release phase runs a pending release). */
  releaseId?: string;
  /** The dyno's name prefix: `run` (run.N), `release` for the release phase, as Heroku names it, `postdeploy`/`predestroy` for app.json's scripts. */
  namePrefix?: OneOffPrefix;
};

export type PrepareOptions = Omit<OneOffOptions, "onOutput" | "onStart" | "signal" | "timeoutMs"> & {
  /** Extra environment (`heroku run -e`, TERM, COLUMNS, LINES): under the release's config. */
  env?: Record<string, string>;
  /** A stdin and maybe a terminal (see DynoSpec.interactive). */
  interactive?: { tty: boolean };
};

/** A one-off whose dyno exists (created, its `run.N` row written) but has not started. */
export type PreparedOneOff = {
  dyno: string;
  /** The Dyno row's id. */
  rowId: string;
  /** The runtime's id of the dyno (for resize). */
  dynoId: string;
  command: string;
  size: string;
  release: { id: string; version: number };
  createdAt: Date;
  /** Starts it, streams its output, returns its exit status; the dyno and its row go afterwards. */
  run(opts: Pick<AttachedRun, "onOutput" | "signal" | "timeoutMs" | "stdin" | "onStarted">): Promise<{ dyno: string; exitCode: number }>;
  /** Removes it without running it (nobody attached in time). */
  discard(): Promise<void>;
};

export async function runOneOff(opts: OneOffOptions): Promise<{ dyno: string; exitCode: number }> {
  const prepared = await prepareOneOff(opts);
  opts.onStart?.(prepared.dyno);
  return prepared.run(opts);
}

/**
 * Creates a one-off dyno of the current (or the given) release without starting it: the
 * name is known and the dyno listed (`heroku ps`) before anyone attaches to it.
 */
export async function prepareOneOff(opts: PrepareOptions): Promise<PreparedOneOff> {
  const desired = await loadDesiredApp(opts.appId);
  if (!desired) throw new AppError("NOT_FOUND", "Couldn't find that app.", { resource: "app" });
  const release = opts.releaseId ? await loadRelease(opts.appId, opts.releaseId) : desired.release;
  if (!release) throw new AppError("UNPROCESSABLE", "This app has no release with code yet: deploy first.");
  const size = dynoSize(opts.size ?? DEFAULT_DYNO_SIZE);
  if (!size) throw new AppError("BAD_REQUEST", `Unknown dyno size ${opts.size}.`);
  const command = opts.command.trim();
  if (!command) throw new AppError("BAD_REQUEST", "Give a command to run.", { fieldErrors: { command: "Required." } });

  const driver = runtimeDriver();
  const { id: rowId, name: dyno } = await allocateRunDyno(opts.appId, opts.namePrefix ?? "run", { size: size.name, command, releaseId: release.id });
  let id: string | undefined;
  let done = false;
  const cleanup = async () => {
    if (done) return;
    done = true;
    try {
      if (id) await driver.removeDyno(id);
      await db.dyno.deleteMany({ where: { id: rowId } });
    } finally {
      live.delete(rowId);
    }
  };
  try {
    id = await driver.createDyno({
      installation: opts.installation,
      spec: specHash({ releaseId: release.id, image: release.image, command, size: size.name }),
      appId: opts.appId,
      appName: desired.appName,
      dyno,
      type: "run",
      releaseId: release.id,
      release: release.version,
      image: release.image,
      command,
      env: { ...release.config, ...opts.env, PORT: String(opts.port), DYNO: dyno },
      size,
      port: opts.port,
      oneOff: true,
      oneOffId: rowId,
      stopTimeoutSeconds: opts.stopTimeoutSeconds,
      interactive: opts.interactive,
    });
    await db.dyno.update({ where: { id: rowId }, data: { containerId: id } });
  } catch (err) {
    await cleanup().catch(() => undefined);
    throw err;
  }
  const dynoId = id;
  return {
    dyno,
    rowId,
    dynoId,
    command,
    size: size.name,
    release: { id: release.id, version: release.version },
    createdAt: new Date(),
    discard: cleanup,
    async run(run) {
      try {
        platformLog(opts.appId, dyno, `Starting process with command \`${command}\``);
        const { exitCode } = await driver.runAttached(dynoId, {
          ...run,
          onStarted: async () => {
            platformLog(opts.appId, dyno, "State changed from starting to up");
            await db.dyno.update({ where: { id: rowId }, data: { state: "up" } });
            await run.onStarted?.();
          },
        });
        platformLog(opts.appId, dyno, `Process exited with status ${exitCode}`);
        platformLog(opts.appId, dyno, "State changed from up to complete");
        return { dyno, exitCode };
      } finally {
        await cleanup();
      }
    },
  };
}

// Dyno row ids of the one-offs this process runs. A one-off container or `run.N` row whose
// id is not here belongs to a control plane that died (kill -9): nobody streams its output
// or waits for its exit code any more, and the dyno manager reaps it.
const holder = globalThis as unknown as { slipwayOneOffs?: Set<string> };
const live = (holder.slipwayOneOffs ??= new Set<string>());

export function isLiveOneOff(rowId: string | null): boolean {
  return !!rowId && live.has(rowId);
}

/**
 * Claims the next free `run.N` of the app: the row's unique (app, name) decides between
 * concurrent runs, and the loser tries the next number. The id is registered as live before
 * the row exists, so a sweep never reaps a one-off still being set up.
 */
async function allocateRunDyno(appId: string, prefix: OneOffPrefix, data: { size: string; command: string; releaseId: string }) {
  const id = crypto.randomUUID();
  live.add(id);
  try {
    for (let attempt = 0; ; attempt++) {
      const rows = await db.dyno.findMany({ where: { appId, type: "run", name: { startsWith: `${prefix}.` } }, select: { name: true } });
      const name = `${prefix}.${Math.max(0, ...rows.map((r) => Number(r.name.split(".")[1]) || 0)) + 1}`;
      try {
        await db.dyno.create({ data: { id, appId, name, type: "run", state: "starting", ...data } });
        return { id, name };
      } catch (err) {
        if (attempt >= 20 || !isUniqueViolation(err)) throw err;
      }
    }
  } catch (err) {
    live.delete(id);
    throw err;
  }
}
