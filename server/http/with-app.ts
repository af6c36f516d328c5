import "server-only";
import type { z } from "zod";
import { clientIp, withOrigin, type Via } from "@/server/audit/origin";
import { basicCredentials } from "@/server/auth/basic";
import { identify, type Identity } from "@/server/auth/identity";
import { AppError, toAppError } from "@/server/errors";
import { parseJsonBody } from "@/server/http/json-body";
import { errorAnswer, type ErrorFormat } from "@/server/http/respond";
import { assertSameOrigin } from "@/server/http/same-origin";
import { findAppForUser, type AccessibleApp, type Operation } from "@/server/services/access";
import { authenticateApiKey } from "@/server/services/api-keys";

// The one wrapper of the app/api route handlers (builds, run, logs, backups, git), like
// dub's withWorkspace: identify the caller, refuse cross-site cookie requests (CSRF), load
// the app if the caller may perform the operation (server/auth/permissions.ts), parse the
// body with zod, run the handler with its audit origin, and answer every error in one
// shape. Handlers never check access. Access comes before the body: a caller who may not
// see the app learns nothing from how their body would have been judged.

/**
 * session-or-key: the dashboard's cookie or `Authorization: Bearer <API key>`.
 * basic-key: HTTP Basic with any user name and an API key as the password (git, as on Heroku).
 */
export type DoorAuth = "session-or-key" | "basic-key";

/** What a wrapped handler declares: read by the authorization matrix test. */
export type AppDoor = { operation: Operation; auth: DoorAuth };

export type AppRequest<P, B> = { req: Request; params: P; app: AccessibleApp; userId: string; identity: Identity; body: B };

type Options<S extends z.ZodType | undefined> = {
  body?: S;
  auth?: DoorAuth;
  /** text: for git, which shows a text/plain error body as `remote:` lines. */
  errors?: ErrorFormat;
  /** Another credential tried first (a log session's signed token); null falls back to `auth`. */
  credential?: (req: Request) => Identity | null | Promise<Identity | null>;
};

type RouteContext<P> = { params: Promise<P> };
export type AppRouteHandler<P> = ((req: Request, ctx: RouteContext<P>) => Promise<Response>) & { door: AppDoor };

const CHALLENGE = { "WWW-Authenticate": 'Basic realm="Slipway"' };

async function identifyBy(req: Request, auth: DoorAuth): Promise<Identity> {
  if (auth === "session-or-key") {
    const identity = await identify(req.headers);
    if (!identity) throw new AppError("UNAUTHORIZED", "Sign in first, or send an API key (Authorization: Bearer).");
    return identity;
  }
  const basic = basicCredentials(req.headers.get("authorization"));
  const key = basic?.password ? await authenticateApiKey(basic.password) : null;
  if (!key) {
    throw new AppError(
      "UNAUTHORIZED",
      basic ? "Invalid credentials: use an API key (Account → API keys) as the password." : "Authentication required: use an API key as the password.",
    );
  }
  return { userId: key.userId, via: "api_key", keyId: key.keyId };
}

async function readBody(req: Request, schema: z.ZodType): Promise<unknown> {
  return parseJsonBody(await req.text(), schema, "BAD_REQUEST");
}

export function withApp<P extends { app: string }, S extends z.ZodType | undefined = undefined>(
  operation: Operation,
  handler: (ctx: AppRequest<P, S extends z.ZodType ? z.infer<S> : undefined>) => Response | Promise<Response>,
  options: Options<S> = {},
): AppRouteHandler<P> {
  const auth = options.auth ?? "session-or-key";
  const format = options.errors ?? "json";
  const wrapped = async (req: Request, ctx: RouteContext<P>): Promise<Response> => {
    try {
      const params = await ctx.params;
      const identity = (await options.credential?.(req)) ?? (await identifyBy(req, auth));
      if (identity.via === "session") assertSameOrigin(req);
      const app = await findAppForUser({ userId: identity.userId, app: params.app, operation }).catch((err: unknown) => {
        const e = toAppError(err);
        throw e.code === "NOT_FOUND" ? new AppError("NOT_FOUND", `Couldn't find app ${params.app}, or you don't have access to it.`, { resource: "app" }) : e;
      });
      const body = (options.body ? await readBody(req, options.body) : undefined) as S extends z.ZodType ? z.infer<S> : undefined;
      const via: Via = auth === "basic-key" ? "git" : identity.via === "session" ? "dashboard" : "api";
      return await withOrigin({ userId: identity.userId, via, ip: clientIp(req.headers) }, () => handler({ req, params, app, userId: identity.userId, identity, body }));
    } catch (err) {
      const e = toAppError(err);
      return errorAnswer(e, format, e.code === "UNAUTHORIZED" && auth === "basic-key" ? CHALLENGE : {});
    }
  };
  return Object.assign(wrapped, { door: { operation, auth } });
}
