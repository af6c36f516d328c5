import "server-only";
import { AppError } from "@/server/errors";
import { appRoute } from "@/server/platform-api/router";

// Collections the CLI reads on its way to something else (apps:info, domains:add)
// whose features do not exist yet: empty, but only for apps the caller may see.

const empty = async () => ({ body: [] });

export const stubRoutes = [
  appRoute("GET", "/apps/:app/sni-endpoints", "domains:list", { handler: empty }),
  // apps:info crashes on `[]` here: Heroku answers 404 for an app in no pipeline.
  appRoute("GET", "/apps/:app/pipeline-couplings", "app:info", {
    handler: async () => {
      throw new AppError("NOT_FOUND", "This app is not in a pipeline.", { resource: "pipeline_coupling" });
    },
  }),
];
