import "server-only";
import { userRoute } from "@/server/platform-api/router";
import { accountShape } from "@/server/platform-api/shapes";
import { getUser } from "@/server/services/users";

export const accountRoutes = [
  userRoute("GET", "/account", {
    handler: async ({ userId }) => ({ body: accountShape(await getUser(userId)) }),
  }),
];
