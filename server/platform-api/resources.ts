import "server-only";
import { paginate } from "@/server/platform-api/range";
import { appRoute } from "@/server/platform-api/router";
import { z } from "zod";
import { collaboratorShape, domainShape } from "@/server/platform-api/shapes";
import { listCollaborators } from "@/server/services/access";
import { addDomain, listDomains, removeDomain } from "@/server/services/domains";

// Read-only views of an app's access and domain tables (formation and dynos are in
// formation.ts). domains:add and access:add come with the features that own those tables.

const byId = { id: (r: { id: string }) => r.id };

export const resourceRoutes = [
  // Heroku lists a personal app's owner as a collaborator with role "owner" (`heroku
  // access` shows it; `apps:info` filters it out again).
  appRoute("GET", "/apps/:app/collaborators", "access:list", {
    handler: async ({ req, app }) => {
      const rows = await listCollaborators(app.id);
      const owner = app.owner ? [{ id: app.owner.id, role: "owner", permissions: ["view", "deploy", "operate", "manage"], createdAt: app.createdAt, updatedAt: app.createdAt, user: app.owner }] : [];
      const grants = rows.map((c) => ({ ...c, role: app.team ? null : "collaborator" }));
      return paginate(req, [...owner, ...grants], byId, (c) => collaboratorShape(app, c, c.role));
    },
  }),
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
