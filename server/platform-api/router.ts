import "server-only";
import type { z } from "zod";
import type { PipelineOperation, TeamRole } from "@/server/auth/permissions";
import { findAppForUser, type AccessibleApp, type Operation } from "@/server/services/access";

// A small method + path router for the Platform API. Routes are declared with one of three
// builders, which decide how the caller is authenticated (handle.ts does it, once) and,
// for app routes, load the app and check the caller's permission before the handler runs:
// handlers never check access themselves.

export type Method = "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
export type Reply = { status?: number; body: unknown; headers?: Record<string, string> };

/** bearer: an API key (or dashboard session); basic: email + password (oauth only); none: public (the buildpack registry). */
export type AuthKind = "bearer" | "basic" | "none";

export type Ctx<B = unknown> = { req: Request; params: Record<string, string>; userId: string; body: B };
export type AppCtx<B = unknown> = Ctx<B> & { app: AccessibleApp };

export type Route = {
  method: Method;
  /** App routes: the operation (or how the body picks it), for the authorization matrix. */
  operation?: Operation | ((body: never) => Operation);
  /** Team routes: the lowest team role that may call it (server/platform-api/teams.ts). */
  teamRole?: TeamRole;
  /** Pipeline routes (`:pipeline`): the pipeline operation, whose lowest team role the matrix checks. */
  pipelineOperation?: PipelineOperation;
  segments: string[];
  auth: AuthKind;
  body?: z.ZodType;
  run: (ctx: Ctx) => Promise<Reply>;
};

type Def<S extends z.ZodType, C> = { body?: S; handler: (ctx: C) => Promise<Reply> };

function split(pattern: string): string[] {
  return pattern.split("/").filter(Boolean);
}

/** Any signed-in caller. */
export function userRoute<S extends z.ZodType = z.ZodUnknown>(method: Method, pattern: string, def: Def<S, Ctx<z.infer<S>>>): Route {
  return { method, segments: split(pattern), auth: "bearer", body: def.body, run: def.handler as Route["run"] };
}

/** HTTP Basic email:password instead of a key: how `heroku login -i` gets its first key. */
export function basicAuthRoute<S extends z.ZodType = z.ZodUnknown>(method: Method, pattern: string, def: Def<S, Ctx<z.infer<S>>>): Route {
  return { method, segments: split(pattern), auth: "basic", body: def.body, run: def.handler as Route["run"] };
}

/** No credentials at all: only for what Heroku serves publicly (its buildpack registry). */
export function publicRoute(method: Method, pattern: string, handler: (ctx: Pick<Ctx, "req" | "params">) => Promise<Reply>): Route {
  return { method, segments: split(pattern), auth: "none", run: (ctx) => handler({ req: ctx.req, params: ctx.params }) };
}

/**
 * A route under `/apps/:app`: the app (name or id) is loaded if the caller may perform the
 * operation, which may depend on the body (PATCH /apps/:app renames with app:rename,
 * toggles maintenance with app:maintenance). Apps the caller cannot see are NOT_FOUND.
 */
export function appRoute<S extends z.ZodType = z.ZodUnknown>(
  method: Method,
  pattern: string,
  operation: Operation | ((body: z.infer<S>) => Operation),
  def: Def<S, AppCtx<z.infer<S>>>,
): Route {
  if (!pattern.includes(":app")) throw new Error(`appRoute ${pattern} has no :app parameter`);
  return {
    method,
    operation: operation as Route["operation"],
    segments: split(pattern),
    auth: "bearer",
    body: def.body,
    run: async (ctx) => {
      const body = ctx.body as z.infer<S>;
      const needed = typeof operation === "function" ? operation(body) : operation;
      const app = await findAppForUser({ userId: ctx.userId, app: ctx.params.app!, operation: needed });
      return def.handler({ ...ctx, body, app });
    },
  };
}

export function matchRoute(routes: Route[], method: string, segments: string[]): { route: Route; params: Record<string, string> } | null {
  for (const route of routes) {
    if (route.method !== method || route.segments.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const ok = route.segments.every((part, i) => {
      if (part.startsWith(":")) {
        params[part.slice(1)] = segments[i]!;
        return segments[i] !== "";
      }
      return part === segments[i];
    });
    if (ok) return { route, params };
  }
  return null;
}
