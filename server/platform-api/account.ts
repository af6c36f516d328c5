import "server-only";
import { z } from "zod";
import { AppError } from "@/server/errors";
import { paginate } from "@/server/platform-api/range";
import { userRoute } from "@/server/platform-api/router";
import { accountShape, appShape, type AppRow } from "@/server/platform-api/shapes";
import { listApps } from "@/server/services/apps";
import { findColleague, getUser } from "@/server/services/users";

// The account, other people as far as the caller already knows them, account features the
// CLI asks about, and the apps filter `pipelines:info` lists a pipeline's apps with.

// Features the CLI checks before it calls Heroku's other services: with
// dashboard-repositories-api on, reviewapps:enable reads the pipeline's repository from
// the Platform API (GET /pipelines/:id/repo) instead of kolkrabbi.heroku.com.
const FEATURES: Record<string, { enabled: boolean; description: string }> = {
  "dashboard-repositories-api": { enabled: true, description: "Pipelines' repositories come from the Platform API (Slipway: the parent app's git repository)" },
};

export const accountRoutes = [
  userRoute("GET", "/account", {
    handler: async ({ userId }) => ({ body: accountShape(await getUser(userId)) }),
  }),
  userRoute("GET", "/account/features/:feature", {
    handler: async ({ params }) => {
      const feature = FEATURES[params.feature!];
      if (!feature) throw new AppError("NOT_FOUND", "Couldn't find that feature.", { resource: "account-feature" });
      const name = params.feature!;
      return { body: { id: name, name, display_name: name, description: feature.description, doc_url: "", enabled: feature.enabled, state: "general", feedback_email: null, created_at: null, updated_at: null } };
    },
  }),
  // `~` is the caller (pipelines:create owns a personal pipeline by this id); anyone else
  // only if they share a team with the caller (pipelines:transfer to a team admin), so the
  // door tells nobody which emails have accounts.
  userRoute("GET", "/users/:user", {
    handler: async ({ userId, params }) => {
      const who = params.user!;
      if (who === "~" || who === userId) return { body: accountShape(await getUser(userId)) };
      const colleague = await findColleague({ userId, identity: who });
      if (!colleague) throw new AppError("NOT_FOUND", "Couldn't find that user.", { resource: "user" });
      if (colleague.id === userId) return { body: accountShape(await getUser(userId)) };
      return { body: { id: colleague.id, email: colleague.email, name: colleague.name } };
    },
  }),
  userRoute("POST", "/filters/apps", {
    body: z.object({ in: z.object({ id: z.array(z.string().max(64)).max(1000) }) }),
    handler: async ({ req, userId, body }) => {
      const wanted = new Set(body.in.id);
      const apps = (await listApps({ userId, scope: "all" })).filter((a) => wanted.has(a.id));
      return paginate(req, apps, { id: (a: AppRow) => a.id, name: (a: AppRow) => a.name }, appShape);
    },
  }),
];
