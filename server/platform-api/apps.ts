import "server-only";
import { z } from "zod";
import { AppError } from "@/server/errors";
import { paginate } from "@/server/platform-api/range";
import { appRoute, userRoute } from "@/server/platform-api/router";
import { appShape, type AppRow } from "@/server/platform-api/shapes";
import { createApp, destroyApp, listApps, renameApp, setAppMaintenance } from "@/server/services/apps";
import { getTeamForMember } from "@/server/services/teams";

// Slipway has one region and one stack; Heroku's names are refused with the ones we have,
// rather than silently ignored.
const REGION = "local";
const STACK = "bookworm";

const optionalName = z.string().max(64).nullish();

const createAppBody = z.object({
  name: optionalName,
  region: z.string().nullish().refine((r) => !r || r === REGION, `Unknown region. Slipway has one region: ${REGION}.`),
  stack: z.string().nullish().refine((s) => !s || s === STACK, `Unknown stack. Slipway has one stack: ${STACK}.`),
});

const createTeamAppBody = createAppBody.extend({ team: z.string().min(1).max(64) });

const updateAppBody = z.object({ name: optionalName, maintenance: z.boolean().nullish() });

/**
 * Heroku answers a name it refuses (`POST /apps {"name": "Bad_Name"}`) with 422
 * invalid_params, as it does any other bad parameter; the service's BAD_REQUEST (a field
 * error for the dashboard's form) becomes that here.
 */
async function createFromApi(input: Parameters<typeof createApp>[0]) {
  try {
    return await createApp(input);
  } catch (err) {
    if (err instanceof AppError && err.code === "BAD_REQUEST" && err.details?.fieldErrors?.name) {
      throw new AppError("UNPROCESSABLE", err.message, err.details);
    }
    throw err;
  }
}

const listKeys = { name: (a: AppRow) => a.name, id: (a: AppRow) => a.id };

export const appsRoutes = [
  userRoute("GET", "/apps", {
    handler: async ({ req, userId }) => paginate(req, await listApps({ userId, scope: "all" }), listKeys, appShape),
  }),
  userRoute("GET", "/users/~/apps", {
    handler: async ({ req, userId }) => paginate(req, await listApps({ userId, scope: "personal" }), listKeys, appShape),
  }),
  userRoute("GET", "/teams/:team/apps", {
    handler: async ({ req, userId, params }) => {
      const team = await getTeamForMember({ userId, teamName: params.team! });
      return paginate(req, await listApps({ userId, teamName: team.name }), listKeys, appShape);
    },
  }),
  userRoute("POST", "/apps", {
    body: createAppBody,
    handler: async ({ userId, body }) => ({ status: 201, body: appShape(await createFromApi({ userId, name: body.name })) }),
  }),
  userRoute("POST", "/teams/apps", {
    body: createTeamAppBody,
    handler: async ({ userId, body }) => ({ status: 201, body: appShape(await createFromApi({ userId, name: body.name, teamName: body.team })) }),
  }),
  appRoute("GET", "/apps/:app", "app:info", {
    handler: async ({ app }) => ({ body: appShape(app) }),
  }),
  appRoute("PATCH", "/apps/:app", (body) => (body.name ? "app:rename" : "app:maintenance"), {
    body: updateAppBody,
    handler: async ({ app, body, userId }) => {
      let updated: AppRow = app;
      if (body.name && body.name !== app.name) updated = await renameApp({ appId: app.id, userId, newName: body.name });
      if (typeof body.maintenance === "boolean" && body.maintenance !== app.maintenance) {
        updated = await setAppMaintenance({ appId: app.id, userId, maintenance: body.maintenance });
      }
      return { body: appShape(updated) };
    },
  }),
  // The CLI asks for the name itself (`--confirm`) before it sends DELETE.
  appRoute("DELETE", "/apps/:app", "app:destroy", {
    handler: async ({ app }) => {
      await destroyApp({ appId: app.id, appName: app.name, confirm: app.name });
      return { body: appShape(app) };
    },
  }),
];
