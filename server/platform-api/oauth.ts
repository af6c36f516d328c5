import "server-only";
import { z } from "zod";
import { basicAuthRoute } from "@/server/platform-api/router";
import { createApiKey } from "@/server/services/api-keys";
import { getUser } from "@/server/services/users";

// `heroku login -i` posts email:password as HTTP Basic and stores `access_token.token`.
// An authorization is an API key here; Heroku's shape is kept so the CLI can read it.
const authorizationBody = z.object({
  description: z.string().max(200).nullish(),
  expires_in: z.number().int().positive().nullish(),
  scope: z.array(z.string()).nullish(),
});

const DAY = 86_400;

export const oauthRoutes = [
  basicAuthRoute("POST", "/oauth/authorizations", {
    body: authorizationBody,
    handler: async ({ userId, body }) => {
      const user = await getUser(userId);
      const expiresInDays = body.expires_in ? Math.max(1, Math.ceil(body.expires_in / DAY)) : null;
      const key = await createApiKey({ userId, description: body.description ?? "Heroku CLI login", expiresInDays });
      const expiresIn = key.expiresAt ? Math.round((key.expiresAt.getTime() - key.createdAt.getTime()) / 1000) : null;
      return {
        status: 201,
        body: {
          id: key.id,
          description: key.description,
          scope: ["global"],
          created_at: key.createdAt.toISOString(),
          updated_at: key.createdAt.toISOString(),
          expires_in: expiresIn,
          access_token: { id: key.id, token: key.token, expires_in: expiresIn },
          refresh_token: null,
          client: null,
          grant: null,
          session: null,
          user: { id: user.id, email: user.email, full_name: user.name },
        },
      };
    },
  }),
];
