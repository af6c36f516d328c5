import "server-only";
import { z } from "zod";
import { appRoute } from "@/server/platform-api/router";
import { getConfigVars, setConfigVars } from "@/server/services/config-vars";

// `heroku config:set A=1 B=2` / `config:unset A` send {KEY: value} / {KEY: null}; the
// answer is the whole new config. Reading values needs "deploy", as in the dashboard
// (where revealing a value does): "view" shows an app, not its secrets.
const changesBody = z.record(z.string(), z.string().nullable());

export const configVarRoutes = [
  appRoute("GET", "/apps/:app/config-vars", "config:read", {
    handler: async ({ app }) => ({ body: await getConfigVars(app.id) }),
  }),
  appRoute("PATCH", "/apps/:app/config-vars", "config:write", {
    body: changesBody,
    handler: async ({ app, userId, body }) => {
      const { config } = await setConfigVars({ appId: app.id, userId, changes: body });
      return { body: config };
    },
  }),
];
