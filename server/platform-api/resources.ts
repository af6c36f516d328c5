import "server-only";
import { paginate } from "@/server/platform-api/range";
import { appRoute } from "@/server/platform-api/router";
import { z } from "zod";
import { domainShape } from "@/server/platform-api/shapes";
import { addDomain, listDomains, removeDomain } from "@/server/services/domains";

// An app's domains (formation and dynos are in formation.ts, collaborators in
// collaborators.ts).

const byId = { id: (r: { id: string }) => r.id };

export const resourceRoutes = [
  // Every app answers on <name>.<base domain> (kind heroku) plus its custom domains.
  appRoute("GET", "/apps/:app/domains", "domains:list", {
    handler: async ({ req, app }) => {
      const rows = await listDomains(app);
      return paginate(req, rows, { ...byId, hostname: (d) => d.hostname }, (d) => domainShape(app, d));
    },
  }),
  appRoute("POST", "/apps/:app/domains", "domains:write", {
    body: z.object({ hostname: z.string().max(300) }).passthrough(),
    handler: async ({ app, body }) => ({ status: 201, body: domainShape(app, await addDomain({ appId: app.id, hostname: body.hostname })) }),
  }),
  appRoute("DELETE", "/apps/:app/domains/:hostname", "domains:write", {
    handler: async ({ app, params }) => {
      const row = (await listDomains(app)).find((d) => d.hostname === params.hostname!.toLowerCase() || d.id === params.hostname);
      await removeDomain({ appId: app.id, hostname: params.hostname! });
      return { body: domainShape(app, row!) };
    },
  }),
];
