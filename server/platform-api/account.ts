import "server-only";
import { paginate } from "@/server/platform-api/range";
import { userRoute } from "@/server/platform-api/router";
import { accountShape, teamShape } from "@/server/platform-api/shapes";
import { listTeams } from "@/server/services/teams";
import { getUser } from "@/server/services/users";

export const accountRoutes = [
  userRoute("GET", "/account", {
    handler: async ({ userId }) => ({ body: accountShape(await getUser(userId)) }),
  }),
  userRoute("GET", "/teams", {
    handler: async ({ req, userId }) => paginate(req, await listTeams(userId), { name: (t) => t.name, id: (t) => t.id }, teamShape),
  }),
];
