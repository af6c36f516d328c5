import "server-only";
import { z } from "zod";
import { AppError } from "@/server/errors";
import { paginate } from "@/server/platform-api/range";
import { appRoute } from "@/server/platform-api/router";
import { dynoShape, formationShape } from "@/server/platform-api/shapes";
import { attachUrl, startRendezvous } from "@/server/rendezvous/server";
import { listDynos, listFormation, releasePhaseFormation, restartDynos, stopDyno, updateFormation, type FormationUpdate } from "@/server/services/formation";
import { startInside, startOneOff } from "@/server/services/one-offs";
import { getStandbyPool, setStandbyPool, type StandbyPoolView } from "@/server/services/standby";

// Formation (desired scale and size per process type) and dynos (what runs), as `ps`,
// `ps:scale`, `ps:type`, `ps:restart` and `ps:stop` use them. Scaling only writes the
// formation; the dyno manager converges on it, so the dyno list catches up a moment later.

type App = { id: string; name: string };
type FormationRow = Awaited<ReturnType<typeof listFormation>>[number];
type DynoRow = Awaited<ReturnType<typeof listDynos>>[number];

// The CLI sends quantity as a string ("2", "+1", "-1"); other clients send a number.
const quantity = z.union([z.number().int(), z.string().trim().max(12)]).nullish();
const size = z.string().trim().min(1).max(32).nullish();
const processType = z.string().min(1).max(64);

// What `heroku run` / `run:detached` send (heroku/cli lib/run/dyno.js).
const runBody = z.object({
  command: z.string().trim().min(1, "Give a command to run.").max(10_000),
  attach: z.boolean().nullish(),
  env: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).nullish()).nullish(),
  force_no_tty: z.boolean().nullish(),
  size: size,
  type: z.string().max(64).nullish(),
  time_to_live: z.number().nullish(),
});

/** The client's extra environment as strings (the CLI sends COLUMNS and LINES as numbers). */
function clientEnv(vars: z.infer<typeof runBody>["env"]): Record<string, string> {
  return Object.fromEntries(Object.entries(vars ?? {}).flatMap(([k, v]) => (v === null || v === undefined ? [] : [[k, String(v)]])));
}

const batchBody = z.object({
  updates: z.array(z.object({ type: processType, quantity, size })).min(1, "Give at least one update.").max(50),
});
const singleBody = z.object({ quantity, size });
// Any integer passes here: the service says which are allowed (0…max), after the access check.
const standbyBody = z.object({ size: z.number().int() });

/** A Slipway extension (Heroku has no standby pool): snake_case like the rest of the API. */
const standbyShape = (v: StandbyPoolView) => ({
  size: v.size,
  max: v.max,
  ready: v.ready,
  preparing: v.preparing,
  memory_bytes: v.memoryBytes,
  supported: v.supported,
});

/** listFormation already resolves each entry's command (its own, else the release's). */
const presentFormation = (app: App) => (f: FormationRow) => formationShape(app, f);

async function findFormation(appId: string, type: string): Promise<FormationRow> {
  const row = (await listFormation(appId)).find((f) => f.type === type);
  if (!row) throw new AppError("NOT_FOUND", `Couldn't find that process type (${type}).`, { resource: "formation" });
  return row;
}

/** `{dyno}` is a name (web.1) or an id, as on Heroku. */
async function findDyno(appId: string, dyno: string): Promise<DynoRow> {
  const row = (await listDynos(appId)).find((d) => d.name === dyno || d.id === dyno);
  if (!row) throw new AppError("NOT_FOUND", `Couldn't find that dyno (${dyno}).`, { resource: "dyno" });
  return row;
}

/**
 * `ps:restart web` (the CLI's deprecated positional form) sends the process type where a
 * dyno goes: a segment that names no dyno but a process type of the formation means that
 * type, as on Heroku.
 */
async function findDynoOrType(appId: string, segment: string): Promise<{ dyno: string } | { type: string }> {
  const row = (await listDynos(appId)).find((d) => d.name === segment || d.id === segment);
  if (row) return { dyno: row.name };
  if ((await listFormation(appId)).some((f) => f.type === segment)) return { type: segment };
  throw new AppError("NOT_FOUND", `Couldn't find that dyno (${segment}).`, { resource: "dyno" });
}

/** Stops every dyno of a type; the dyno manager starts formation dynos again. */
async function stopType(appId: string, type: string) {
  const dynos = (await listDynos(appId)).filter((d) => d.type === type);
  if (dynos.length === 0) {
    await findFormation(appId, type);
    throw new AppError("NOT_FOUND", `No ${type} dynos are running.`, { resource: "dyno" });
  }
  for (const d of dynos) {
    // One that has no container right now (still starting) has nothing to stop.
    await stopDyno({ appId, dyno: d.name }).catch((err: unknown) => {
      if (!(err instanceof AppError && err.code === "NOT_FOUND")) throw err;
    });
  }
}

/**
 * Heroku answers bad scale requests (unknown size, too many dynos, a quantity that is not
 * a number) with 422 invalid_params; the service calls those BAD_REQUEST.
 */
async function scale(appId: string, updates: FormationUpdate[]) {
  try {
    return await updateFormation({ appId, updates });
  } catch (err) {
    if (err instanceof AppError && err.code === "BAD_REQUEST") throw new AppError("UNPROCESSABLE", err.message, err.details);
    throw err;
  }
}

const accepted = { status: 202, body: {} };

export const formationRoutes = [
  appRoute("GET", "/apps/:app/formation", "formation:list", {
    handler: async ({ req, app }) => {
      const release = await releasePhaseFormation(app.id);
      const rows = [...(await listFormation(app.id)), ...(release ? [release] : [])];
      return paginate(req, rows, { type: (f) => f.type, id: (f) => f.id }, presentFormation(app));
    },
  }),
  appRoute("GET", "/apps/:app/formation/:type", "formation:list", {
    handler: async ({ app, params }) => {
      const row = await findFormation(app.id, params.type!);
      return { body: presentFormation(app)(row) };
    },
  }),
  // ps:scale and ps:type: answers the whole formation, as Heroku's batch update does.
  appRoute("PATCH", "/apps/:app/formation", "formation:scale", {
    body: batchBody,
    handler: async ({ app, body }) => {
      const rows = await scale(app.id, body.updates);
      return { body: rows.map(presentFormation(app)) };
    },
  }),
  appRoute("PATCH", "/apps/:app/formation/:type", "formation:scale", {
    body: singleBody,
    handler: async ({ app, params, body }) => {
      const rows = await scale(app.id, [{ type: params.type!, quantity: body.quantity, size: body.size }]);
      const row = rows.find((f) => f.type === params.type)!;
      return { body: (presentFormation(app))(row) };
    },
  }),

  // The standby pool (Slipway's own; the dashboard's Resources tab and tRPC set it too).
  appRoute("GET", "/apps/:app/standby-pool", "formation:list", {
    handler: async ({ app }) => ({ body: standbyShape(await getStandbyPool(app.id)) }),
  }),
  appRoute("PATCH", "/apps/:app/standby-pool", "formation:scale", {
    body: standbyBody,
    handler: async ({ app, body }) => ({ body: standbyShape(await setStandbyPool({ appId: app.id, size: body.size })) }),
  }),

  appRoute("GET", "/apps/:app/dynos", "dynos:list", {
    handler: async ({ req, app }) => paginate(req, await listDynos(app.id), { name: (d) => d.name, id: (d) => d.id }, (d) => dynoShape(app, d)),
  }),
  // heroku run (attach: true → an attach_url for the rendezvous) and heroku run:detached.
  appRoute("POST", "/apps/:app/dynos", "dynos:run", {
    body: runBody,
    handler: async ({ app, userId, body }) => {
      const attach = !!body.attach;
      if (attach) await startRendezvous(); // normally started at boot; its certificate first
      const extra = clientEnv(body.env);
      const { prepared, session } = await startOneOff({ appId: app.id, userId, command: body.command, size: body.size, env: extra, attach, noTty: !!body.force_no_tty });
      const now = prepared.createdAt;
      const shape = dynoShape(app, { id: prepared.rowId, name: prepared.dyno, type: "run", size: prepared.size, state: "starting", command: prepared.command, createdAt: now, updatedAt: now, release: prepared.release });
      return { status: 201, body: { ...shape, attach_url: session ? attachUrl(session.secret) : null } };
    },
  }),
  // heroku run:inside DYNO COMMAND: a command inside a running dyno (the platform's ps:exec).
  appRoute("POST", "/apps/:app/dynos/:dyno", "dynos:run", {
    body: runBody,
    handler: async ({ app, userId, params, body }) => {
      const row = await findDyno(app.id, params.dyno!);
      await startRendezvous();
      const extra = clientEnv(body.env);
      const { session } = await startInside({ appId: app.id, userId, dyno: row.name, command: body.command, env: extra });
      return { status: 201, body: { ...dynoShape(app, row), attach_url: attachUrl(session.secret) } };
    },
  }),
  appRoute("GET", "/apps/:app/dynos/:dyno", "dynos:list", {
    handler: async ({ app, params }) => ({ body: dynoShape(app, await findDyno(app.id, params.dyno!)) }),
  }),
  // Restarts: every dyno, one dyno, one process type (the CLI's plural `formations`).
  appRoute("DELETE", "/apps/:app/dynos", "dynos:restart", {
    handler: async ({ app }) => {
      await restartDynos({ appId: app.id });
      return accepted;
    },
  }),
  appRoute("DELETE", "/apps/:app/dynos/:dyno", "dynos:restart", {
    handler: async ({ app, params }) => {
      await restartDynos({ appId: app.id, ...(await findDynoOrType(app.id, params.dyno!)) });
      return accepted;
    },
  }),
  appRoute("DELETE", "/apps/:app/formations/:type", "dynos:restart", {
    handler: async ({ app, params }) => {
      const row = await findFormation(app.id, params.type!);
      await restartDynos({ appId: app.id, type: row.type });
      return accepted;
    },
  }),
  // ps:stop: a formation dyno is started again by the dyno manager; a one-off stays gone.
  appRoute("POST", "/apps/:app/dynos/:dyno/actions/stop", "dynos:stop", {
    handler: async ({ app, params }) => {
      const target = await findDynoOrType(app.id, params.dyno!);
      if ("type" in target) await stopType(app.id, target.type);
      else await stopDyno({ appId: app.id, dyno: target.dyno });
      return accepted;
    },
  }),
  appRoute("POST", "/apps/:app/formations/:type/actions/stop", "dynos:stop", {
    handler: async ({ app, params }) => {
      await stopType(app.id, params.type!);
      return accepted;
    },
  }),
];
