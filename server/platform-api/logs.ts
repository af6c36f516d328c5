import "server-only";
import { appRoute } from "@/server/platform-api/router";
import { createLogSession, logSessionInput } from "@/server/logs/session";

// `heroku logs [-t]`: a log session is a URL the CLI then reads as Server-Sent Events.
export const logRoutes = [
  appRoute("POST", "/apps/:app/log-sessions", "view", {
    body: logSessionInput.passthrough(),
    handler: async ({ app, body, userId }) => ({
      status: 201,
      body: createLogSession({ ...body, appId: app.id, appName: app.name, userId }),
    }),
  }),
];
