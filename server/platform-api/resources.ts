import "server-only";
import { paginate } from "@/server/platform-api/range";
import { appRoute } from "@/server/platform-api/router";
import { collaboratorShape, defaultHostname, domainShape } from "@/server/platform-api/shapes";
import { listCollaborators } from "@/server/services/access";
import { listDomains } from "@/server/services/apps";

// Read-only views of an app's access and domain tables (formation and dynos are in
// formation.ts). domains:add and access:add come with the features that own those tables.

const byId = { id: (r: { id: string }) => r.id };

export const resourceRoutes = [
  // Heroku lists a personal app's owner as a collaborator with role "owner" (`heroku
  // access` shows it; `apps:info` filters it out again).
  appRoute("GET", "/apps/:app/collaborators", "view", {
    handler: async ({ req, app }) => {
      const rows = await listCollaborators(app.id);
      const owner = app.owner ? [{ id: app.owner.id, role: "owner", createdAt: app.createdAt, user: app.owner }] : [];
      return paginate(req, [...owner, ...rows], byId, (c) => collaboratorShape(app, c));
    },
  }),
  // Every app answers on <name>.<base domain>; the router serves it without a row.
  appRoute("GET", "/apps/:app/domains", "view", {
    handler: async ({ req, app }) => {
      const rows = await listDomains(app.id);
      const builtIn = rows.some((d) => d.kind === "heroku")
        ? []
        : [{ id: app.id, hostname: defaultHostname(app.name), kind: "heroku", createdAt: app.createdAt, updatedAt: app.createdAt }];
      return paginate(req, [...builtIn, ...rows], { ...byId, hostname: (d) => d.hostname }, (d) => domainShape(app, d));
    },
  }),
];
