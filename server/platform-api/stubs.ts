import "server-only";
import { appRoute } from "@/server/platform-api/router";

// Collections the CLI reads on its way to something else (apps:info, domains:add)
// whose features do not exist yet: empty, but only for apps the caller may see.

const empty = async () => ({ body: [] });

export const stubRoutes = [
  appRoute("GET", "/apps/:app/sni-endpoints", "domains:list", { handler: empty }),
];
