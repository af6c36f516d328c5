import "server-only";
// One-off dynos started through the Platform API (`heroku run`, `heroku run:detached`):
// attached ones wait for their transport (the rendezvous server; a browser terminal can
// use the same session), detached ones run at once with their output in the app's logs
// (`app[run.N]`, read by the log collector like any dyno's).
import { db } from "@/server/db";
import { AppError } from "@/server/errors";
import { env } from "@/server/env";
import { getRuntime } from "@/server/runtime";
import { prepareOneOff, type PreparedOneOff } from "@/server/runtime/one-off";
import { runtimeDriver } from "@/server/runtime/driver";
import { OneOffSession, registerSession, type SessionTarget } from "@/server/runtime/one-off-session";
import { DEFAULT_DYNO_SIZE } from "@/server/runtime/sizes";
import { recordActivity } from "@/server/services/activity";
import { commandName } from "@/server/services/formation";
import { checkOneOffQuota } from "@/server/services/quotas";

/** How long an attached one-off waits for its client to connect. */
export const ATTACH_TIMEOUT_MS = 60_000;
/** A detached one-off is stopped after a day, as on Heroku (it has no client to be idle with). */
const DETACHED_MAX_MS = 24 * 60 * 60_000;

export type StartOneOff = {
  appId: string;
  userId: string;
  command: string;
  size?: string | null;
  /** Extra environment from the client (`-e`, TERM, COLUMNS, LINES). */
  env?: Record<string, string>;
  attach: boolean;
  /** Attached without a terminal (`heroku run --no-tty`). */
  noTty?: boolean;
};

export type StartedOneOff = { prepared: PreparedOneOff; session: OneOffSession | null };

/** The per-app limit, before the owner's quota. */
async function checkAppLimit(appId: string) {
  const limit = env().SLIPWAY_ONE_OFF_DYNOS_PER_APP;
  const running = await db.dyno.count({ where: { appId, type: "run", name: { startsWith: "run." } } });
  if (running >= limit) {
    throw new AppError("QUOTA_EXCEEDED", `This app can run at most ${limit} one-off dynos at once; ${running} are running. Wait for one to finish or stop it (heroku ps:stop run.N).`);
  }
}

export async function startOneOff(input: StartOneOff): Promise<StartedOneOff> {
  const runtime = getRuntime();
  if (!runtime) throw new AppError("UNAVAILABLE", "The dyno manager is not running.");
  const size = input.size ?? DEFAULT_DYNO_SIZE;
  await checkAppLimit(input.appId);
  await checkOneOffQuota({ appId: input.appId, size });
  const e = env();
  const tty = input.attach && !input.noTty;
  const prepared = await prepareOneOff({
    installation: runtime.opts.installation,
    port: runtime.opts.port,
    stopTimeoutSeconds: runtime.opts.stopTimeoutSeconds,
    appId: input.appId,
    command: input.command,
    size,
    env: input.env,
    interactive: input.attach ? { tty } : undefined,
  });
  const program = commandName(input.command);
  await recordActivity({
    kind: "dynos.run",
    message: `Ran \`${program}\` in ${input.attach ? "" : "detached "}one-off dyno ${prepared.dyno}`,
    appId: input.appId,
    data: { dyno: prepared.dyno, command: program, size, attached: input.attach },
  }).catch((err: unknown) => console.error("slipway: could not record one-off dyno", prepared.dyno, err));

  if (!input.attach) {
    // Its output goes to the logs through the log collector; nobody waits for it here.
    void prepared.run({ onOutput: () => undefined, timeoutMs: DETACHED_MAX_MS }).catch((err: unknown) =>
      console.error("slipway: detached one-off", prepared.dyno, err),
    );
    return { prepared, session: null };
  }
  const cols = Number(input.env?.COLUMNS);
  const rows = Number(input.env?.LINES);
  const driver = runtimeDriver();
  const target: SessionTarget = {
    dyno: prepared.dyno,
    run: (o) => prepared.run(o),
    resize: (s) => driver.resizeDyno(prepared.dynoId, s),
    discard: () => prepared.discard(),
  };
  const session = new OneOffSession(target, {
    tty,
    holder: { userId: input.userId, appId: input.appId, operation: "dynos:run" },
    idleTimeoutMs: e.SLIPWAY_ONE_OFF_IDLE_TIMEOUT_MS,
    attachTimeoutMs: ATTACH_TIMEOUT_MS,
    size: tty && cols > 0 && rows > 0 ? { cols, rows } : undefined,
  });
  registerSession(session);
  return { prepared, session };
}

/**
 * `heroku run:inside DYNO COMMAND` (the platform's `ps:exec`): a command in a running dyno
 * of the app, attached through the same rendezvous as `heroku run`, with a terminal.
 */
export async function startInside(input: { appId: string; userId: string; dyno: string; command: string; env?: Record<string, string> }) {
  const runtime = getRuntime();
  if (!runtime) throw new AppError("UNAVAILABLE", "The dyno manager is not running.");
  const driver = runtimeDriver();
  const execAttached = driver.execAttached?.bind(driver);
  if (!execAttached) throw new AppError("UNPROCESSABLE", `The ${driver.name} runtime cannot run a command inside a dyno; use heroku run for a one-off dyno instead.`);
  const dynos = await driver.listDynos(runtime.opts.installation, input.appId);
  const found = dynos.filter((d) => d.dyno === input.dyno && d.status === "running").sort((a, b) => b.createdAt - a.createdAt)[0];
  if (!found) throw new AppError("NOT_FOUND", `Couldn't find a running dyno ${input.dyno}.`, { resource: "dyno" });
  const command = input.command.trim();
  if (!command) throw new AppError("BAD_REQUEST", "Give a command to run.", { fieldErrors: { command: "Required." } });
  const program = commandName(command);
  await recordActivity({
    kind: "dynos.run",
    message: `Ran \`${program}\` inside dyno ${input.dyno}`,
    appId: input.appId,
    data: { dyno: input.dyno, command: program, inside: true },
  }).catch((err: unknown) => console.error("slipway: could not record run:inside", input.dyno, err));
  let resize: ((size: { cols: number; rows: number }) => Promise<void>) | undefined;
  const target: SessionTarget = {
    dyno: input.dyno,
    run: (o) => execAttached(found.id, { command, tty: true, env: input.env }, { ...o, onTerminal: (r) => ((resize = r), void o.onStarted?.()) }),
    resize: async (size) => resize?.(size),
    discard: async () => undefined,
  };
  const cols = Number(input.env?.COLUMNS);
  const rows = Number(input.env?.LINES);
  const session = new OneOffSession(target, {
    tty: true,
    holder: { userId: input.userId, appId: input.appId, operation: "dynos:run" },
    idleTimeoutMs: env().SLIPWAY_ONE_OFF_IDLE_TIMEOUT_MS,
    attachTimeoutMs: ATTACH_TIMEOUT_MS,
    size: cols > 0 && rows > 0 ? { cols, rows } : undefined,
  });
  registerSession(session);
  return { session, dyno: found };
}
