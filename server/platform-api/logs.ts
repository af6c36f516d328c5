import "server-only";
import { appRoute } from "@/server/platform-api/router";
import { z } from "zod";
import { apiKeyFrom } from "@/server/auth/basic";
import { authenticateApiKey } from "@/server/services/api-keys";
import { createLogSession, logSessionInput } from "@/server/logs/session";
import { requestOrigin } from "@/server/env";
import { addDrain, listDrains, removeDrain } from "@/server/services/log-drains";

type DrainRow = { id: string; url: string; token: string; createdAt: Date; updatedAt: Date };
const drainShape = (d: DrainRow) => ({ id: d.id, url: d.url, token: d.token, addon: null, created_at: d.createdAt.toISOString(), updated_at: d.updatedAt.toISOString() });

// `heroku logs [-t]`: a log session is a URL the CLI then reads as Server-Sent Events.
export const logRoutes = [
  appRoute("POST", "/apps/:app/log-sessions", "logs:read", {
    body: logSessionInput.passthrough(),
    // The session remembers the API key it was made with: revoking the key ends its tails.
    handler: async ({ req, app, body, userId }) => ({
      status: 201,
      body: createLogSession({ ...body, origin: requestOrigin(req.headers), appId: app.id, appName: app.name, userId, keyId: (await authenticateApiKey(apiKeyFrom(req.headers.get("authorization")) ?? ""))?.keyId }),
    }),
  }),
  // heroku drains / drains:add URL / drains:remove URL (the URL, id or token).
  appRoute("GET", "/apps/:app/log-drains", "drains:list", {
    handler: async ({ app }) => ({ body: (await listDrains(app.id)).map(drainShape) }),
  }),
  appRoute("POST", "/apps/:app/log-drains", "drains:write", {
    body: z.object({ url: z.string().max(2000) }).passthrough(),
    handler: async ({ app, body }) => ({ status: 201, body: drainShape(await addDrain({ appId: app.id, url: body.url })) }),
  }),
  appRoute("DELETE", "/apps/:app/log-drains/:drain", "drains:write", {
    handler: async ({ app, params }) => ({ body: drainShape(await removeDrain({ appId: app.id, drain: params.drain! })) }),
  }),
];
