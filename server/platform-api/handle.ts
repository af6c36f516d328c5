import "server-only";
import crypto from "node:crypto";
import { ZodError, type z } from "zod";
import { clientIp, withOrigin } from "@/server/audit/origin";
import { apiKeyFrom, basicCredentials } from "@/server/auth/basic";
import { AppError, ERROR_TABLE, toAppError } from "@/server/errors";
import { parseJsonBody, zodFieldErrors } from "@/server/http/json-body";
import { readBodyText } from "@/server/http/body-limit";
import { accountRoutes } from "@/server/platform-api/account";
import { addonRoutes } from "@/server/platform-api/addons";
import { collaboratorRoutes } from "@/server/platform-api/collaborators";
import { appsRoutes } from "@/server/platform-api/apps";
import { appSetupRoutes } from "@/server/platform-api/app-setups";
import { dataRoutes } from "@/server/platform-api/data-api";
import { configVarRoutes } from "@/server/platform-api/config-vars";
import { buildpackRoutes } from "@/server/platform-api/buildpacks";
import { formationRoutes } from "@/server/platform-api/formation";
import { logRoutes } from "@/server/platform-api/logs";
import { oauthRoutes } from "@/server/platform-api/oauth";
import { pipelineRoutes } from "@/server/platform-api/pipelines";
import { releaseRoutes } from "@/server/platform-api/releases";
import { resourceRoutes } from "@/server/platform-api/resources";
import { matchRoute, type AuthKind, type Reply, type Route } from "@/server/platform-api/router";
import { certRoutes } from "@/server/platform-api/certs";
import { teamRoutes } from "@/server/platform-api/teams";
import { signInWithPassword } from "@/server/auth/sign-in";
import { authenticateApiKey } from "@/server/services/api-keys";

// The Heroku Platform API (v3 subset) that the official `heroku` CLI talks to. Every
// request goes through here: route match, authentication (once, for every route), body
// validation, then the handler; whatever is thrown becomes Heroku's error shape.

/** Every route, in match order (the authorization matrix test enumerates them). */
export const routes: Route[] = [...collaboratorRoutes, ...accountRoutes, ...appsRoutes, ...appSetupRoutes, ...addonRoutes, ...configVarRoutes, ...formationRoutes, ...releaseRoutes, ...buildpackRoutes, ...resourceRoutes, ...certRoutes, ...logRoutes, ...oauthRoutes, ...teamRoutes, ...dataRoutes, ...pipelineRoutes];

const API_PREFIX = /^\/api\/v3(?=\/|$)/;

function pathSegments(req: Request): string[] {
  const pathname = new URL(req.url).pathname.replace(API_PREFIX, "");
  return pathname.split("/").filter(Boolean).map((s) => decodeURIComponent(s));
}

/**
 * API keys only, never the dashboard's session cookie: /api/v3 is reachable without the
 * Heroku Accept header, so a cookie would let any site post forms to it. Like Heroku, an
 * API key is also accepted as the password of HTTP Basic (`curl -n` with a .netrc).
 */
async function authenticate(req: Request, kind: AuthKind): Promise<string> {
  const header = req.headers.get("authorization");
  const basic = basicCredentials(header);
  if (kind === "basic") {
    // `heroku login -i`: a password guess, limited and audited like the dashboard's sign-in.
    const ip = clientIp(req.headers);
    const user = basic && (await withOrigin({ userId: null, via: "cli", ip }, () => signInWithPassword({ email: basic.user, password: basic.password, ip })));
    if (!user) throw new AppError("UNAUTHORIZED", "Invalid credentials provided.");
    return user.id;
  }
  const token = apiKeyFrom(header);
  const key = token ? await authenticateApiKey(token) : null;
  if (!key) throw new AppError("UNAUTHORIZED", "Invalid credentials provided.");
  return key.userId;
}

async function readBody(req: Request, schema: z.ZodType | undefined): Promise<unknown> {
  return schema ? parseJsonBody(await readBodyText(req), schema, "UNPROCESSABLE") : undefined;
}

function invalidParams(error: ZodError): AppError {
  const { fieldErrors, message } = zodFieldErrors(error);
  return new AppError("UNPROCESSABLE", message, { fieldErrors });
}

function requestIdOf(req: Request): string {
  const given = req.headers.get("request-id");
  return given && /^[\w.,:-]{1,200}$/.test(given) ? given : crypto.randomUUID();
}

function json(status: number, body: unknown, requestId: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { ...headers, "Content-Type": "application/json", "Request-Id": requestId, "Cache-Control": "no-store" },
  });
}

function errorResponse(err: unknown, req: Request, requestId: string): Response {
  const appError = err instanceof ZodError ? invalidParams(err) : toAppError(err);
  if (appError.code === "INTERNAL") {
    console.error(`[platform-api] ${req.method} ${new URL(req.url).pathname} request_id=${requestId}:`, appError.details?.cause ?? err);
  }
  const { http, herokuId } = ERROR_TABLE[appError.code];
  const resource = appError.details?.resource;
  const retryAfter = appError.details?.retryAfterSeconds;
  const headers: Record<string, string> = retryAfter ? { "Retry-After": String(retryAfter) } : {};
  return json(http, { id: herokuId, message: appError.message, ...(resource ? { resource } : {}) }, requestId, headers);
}

/** Answers one Platform API request. `segments` is the path below /api/v3 (taken from the URL when omitted). */
export async function handlePlatformRequest(req: Request, segments?: string[]): Promise<Response> {
  const requestId = requestIdOf(req);
  try {
    const match = matchRoute(routes, req.method.toUpperCase(), segments ?? pathSegments(req));
    if (!match) throw new AppError("NOT_FOUND", "The requested API endpoint was not found. Are you using the right HTTP verb?");
    const userId = match.route.auth === "none" ? null : await authenticate(req, match.route.auth);
    const body = await readBody(req, match.route.body);
    const reply: Reply = await withOrigin({ userId, via: "cli", ip: clientIp(req.headers) }, () => match.route.run({ req, params: match.params, userId: userId ?? "", body }));
    return json(reply.status ?? 200, reply.body, requestId, reply.headers);
  } catch (err) {
    return errorResponse(err, req, requestId);
  }
}
