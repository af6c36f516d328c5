import "server-only";
import { AppError } from "@/server/errors";
import { appRoute, userRoute } from "@/server/platform-api/router";

// Collections the CLI reads on its way to something else (apps:info, addons, domains:add)
// whose features do not exist yet: empty, but only for apps the caller may see.

const empty = async () => ({ body: [] });

export const stubRoutes = [
  appRoute("GET", "/apps/:app/addons", "view", { handler: empty }),
  appRoute("GET", "/apps/:app/addon-attachments", "view", { handler: empty }),
  userRoute("GET", "/addon-attachments", { handler: empty }),
  userRoute("GET", "/addons", { handler: empty }),
  appRoute("GET", "/apps/:app/sni-endpoints", "view", { handler: empty }),
  // apps:info crashes on `[]` here: Heroku answers 404 for an app in no pipeline.
  appRoute("GET", "/apps/:app/pipeline-couplings", "view", {
    handler: async () => {
      throw new AppError("NOT_FOUND", "This app is not in a pipeline.", { resource: "pipeline_coupling" });
    },
  }),
];
