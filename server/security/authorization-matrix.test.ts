// Every door × every kind of caller: each tRPC procedure (from the router definition),
// each Platform API route (from its routes array) and each app/api route handler (from
// the file system), called as anonymous, an outsider, a team viewer, a member without
// the grant (and on a locked app), a member and an outside collaborator holding exactly
// the permission the operation needs, and an admin. Expectations come from one table
// (server/security/matrix-table.ts + the permission table). The bar is 0 leaks.
import fs from "node:fs";
import path from "node:path";
import { TRPCError } from "@trpc/server";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/server/db";
import { effectivePermissions, OPERATIONS, PIPELINE_OPERATIONS, TEAM_ROLES, type Operation, type PipelineOperation, type TeamRole } from "@/server/auth/permissions";
import { routes as platformRoutes, handlePlatformRequest } from "@/server/platform-api/handle";
import type { AppDoor } from "@/server/http/with-app";
import { createCast, type Caller, type Cast } from "@/server/security/cast";
import { PLATFORM_BODIES, PLATFORM_ROWS, PLATFORM_SELF_PARAMS, ROUTE_FILE_ROWS, TRPC_ROWS, type HandRow } from "@/server/security/matrix-table";
import { newUser } from "@/server/testing/callers";
import { appRouter, createCaller } from "@/server/trpc/root";

type Outcome = "unauthorized" | "hidden" | "forbidden" | "passed";
type Answer = { status: number; message: string };

const APP_HIDDEN = /Couldn't find (that app|app \S+, or you don't have access to it)/;
const APP_FORBIDDEN = /You do not have access to the app/;

function outcomeOf(a: Answer): Outcome {
  if (a.status === 401) return "unauthorized";
  if (a.status === 404 && APP_HIDDEN.test(a.message)) return "hidden";
  if (a.status === 403 && APP_FORBIDDEN.test(a.message)) return "forbidden";
  return "passed";
}

const TEAM_HIDDEN = /Couldn't find that team/;

/** A team door's answer: hidden is the team's NOT_FOUND, forbidden any 403 (a role too low). */
function teamOutcomeOf(a: Answer): Outcome {
  if (a.status === 401) return "unauthorized";
  if (a.status === 404 && TEAM_HIDDEN.test(a.message)) return "hidden";
  if (a.status === 403) return "forbidden";
  return "passed";
}

const PIPELINE_HIDDEN = /Couldn't find that pipeline/;

/** A pipeline door's answer: hidden is the pipeline's NOT_FOUND, forbidden its 403 (a role too low). */
function pipelineOutcomeOf(a: Answer): Outcome {
  if (a.status === 401) return "unauthorized";
  if (a.status === 404 && PIPELINE_HIDDEN.test(a.message)) return "hidden";
  if (a.status === 403 && /You do not have access to the pipeline/.test(a.message)) return "forbidden";
  return "passed";
}

/** TEAM_ROLES runs admin, member, viewer: a role is at least `min` when it comes no later. */
function teamExpected(caller: Caller, minRole: TeamRole): Outcome {
  if (!("member" in caller)) return "unauthorized";
  const role = caller.member.role;
  if (!role) return "hidden";
  return TEAM_ROLES.indexOf(role) <= TEAM_ROLES.indexOf(minRole) ? "passed" : "forbidden";
}

/** Everyone a team door is tried as: each role, people outside the team, anonymous. */
function teamCallers(): Caller[] {
  return cast.callers("view").filter((c) => !("member" in c) || !c.locked);
}

function expected(cast: Cast, caller: Caller, operation: Operation): Outcome {
  if (!("member" in caller)) return "unauthorized";
  const m = caller.member;
  const held = effectivePermissions({ isOwner: false, isTeamApp: true, teamRole: m.role, teamDefaults: ["view"], grant: m.grant, locked: caller.locked });
  if (!held) return "hidden";
  return held.includes(OPERATIONS[operation]) ? "passed" : "forbidden";
}

const TRPC_STATUS: Record<string, number> = { UNAUTHORIZED: 401, FORBIDDEN: 403, NOT_FOUND: 404 };

async function callTrpc(procedurePath: string, userId: string | null, input: unknown): Promise<Answer> {
  const ac = new AbortController();
  const caller = createCaller({ identity: userId ? { userId, via: "session" } : null }, { signal: ac.signal });
  const fn = procedurePath.split(".").reduce((o: any, k) => o[k], caller) as (i: unknown) => Promise<unknown>;
  try {
    const result = await fn(input);
    // A subscription that was let in: close it without reading.
    const iterator = (result as AsyncIterable<unknown> | null)?.[Symbol.asyncIterator]?.();
    await iterator?.return?.();
    return { status: 200, message: "" };
  } catch (err) {
    if (!(err instanceof TRPCError)) throw err;
    return { status: TRPC_STATUS[err.code] ?? 400, message: err.message };
  } finally {
    ac.abort();
  }
}

async function answerOf(res: Response): Promise<Answer> {
  const text = await res.text();
  let message = text;
  try {
    const json = JSON.parse(text) as { message?: string; error?: { message?: string } };
    message = json.error?.message ?? json.message ?? text;
  } catch {
    // text/plain (git)
  }
  return { status: res.status, message };
}

type ProcMeta = { operation?: Operation; teamRole?: TeamRole; installationOperation?: string; pipelineOperation?: PipelineOperation };

function trpcProcedures(): ({ path: string; type: string } & ProcMeta)[] {
  const procedures = (appRouter._def as unknown as { procedures: Record<string, { _def: { type: string; meta?: ProcMeta } }> }).procedures;
  return Object.entries(procedures).map(([p, proc]) => ({ path: p, type: proc._def.type, ...proc._def.meta }));
}

function routeFiles(dir = "app/api"): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? routeFiles(full) : e.name === "route.ts" ? [full] : [];
  });
}

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

let cast: Cast;
/** An installation admin (User.isAdmin), for the installation-admin doors. */
let installationAdmin: string;
const leaks: string[] = [];
const missing: string[] = [];
let cells = 0;

/** Set when a call got past the access check (and so may have changed something): restore before the next. */
let dirty = true;
async function clean() {
  if (dirty) await cast.restore();
  dirty = false;
}

function check(door: string, caller: Caller, want: Outcome, got: Answer, classify: (a: Answer) => Outcome = outcomeOf) {
  cells++;
  const outcome = classify(got);
  if (outcome === "passed") dirty = true;
  if (outcome !== want) leaks.push(`${door} as ${caller.name}: expected ${want}, got ${outcome} (${got.status} ${got.message.slice(0, 120)})`);
}

/** A hand row's expectation for a caller. */
function handExpected(row: HandRow, caller: Caller): ((o: Outcome) => boolean) | null {
  if (row.kind === "elsewhere") return null;
  if (row.kind === "public") return (o) => o !== "unauthorized";
  if (row.kind === "password") return (o) => o === "unauthorized";
  return "member" in caller ? (o) => o !== "unauthorized" : (o) => o === "unauthorized";
}

function checkHand(door: string, row: HandRow, caller: Caller, got: Answer) {
  const ok = handExpected(row, caller);
  if (!ok) return;
  cells++;
  dirty = true;
  if (!ok(outcomeOf(got))) leaks.push(`${door} as ${caller.name} (${row.kind}): got ${got.status} ${got.message.slice(0, 120)}`);
}

beforeAll(async () => {
  cast = await createCast();
  installationAdmin = (await newUser("installation-admin")).id;
  await db.user.update({ where: { id: installationAdmin }, data: { isAdmin: true } });
});

describe("authorization matrix", { timeout: 600_000 }, () => {
  it("tRPC: every procedure", async () => {
    for (const proc of trpcProcedures()) {
      if (proc.operation) {
        for (const caller of cast.callers(OPERATIONS[proc.operation])) {
          await clean();
          const app = "member" in caller && caller.locked ? cast.lockedApp.name : cast.app.name;
          // Only `app`: the procedure's own input is parsed after the access check, so an
          // allowed call stops at validation and changes nothing.
          const got = await callTrpc(proc.path, "member" in caller ? caller.member.id : null, { app });
          check(`tRPC ${proc.path}`, caller, expected(cast, caller, proc.operation), got);
        }
        continue;
      }
      if (proc.teamRole) {
        for (const caller of teamCallers()) {
          await clean();
          // Only `team`: the rest of the input is parsed after the role check.
          const got = await callTrpc(proc.path, "member" in caller ? caller.member.id : null, { team: cast.team.name });
          check(`tRPC ${proc.path}`, caller, teamExpected(caller, proc.teamRole), got, teamOutcomeOf);
        }
        continue;
      }
      if (proc.pipelineOperation) {
        // A team pipeline follows the team: each role is tried against the operation's lowest role.
        for (const caller of teamCallers()) {
          await clean();
          const got = await callTrpc(proc.path, "member" in caller ? caller.member.id : null, { pipeline: cast.pipeline.id });
          check(`tRPC ${proc.path}`, caller, teamExpected(caller, PIPELINE_OPERATIONS[proc.pipelineOperation]), got, pipelineOutcomeOf);
        }
        continue;
      }
      const row = TRPC_ROWS[proc.path];
      if (!row) {
        missing.push(`add a row for tRPC ${proc.path} (${proc.type}) to TRPC_ROWS in server/security/matrix-table.ts, or give it an operation`);
        continue;
      }
      if (proc.installationOperation && row.kind !== "installation-admin") {
        missing.push(`tRPC ${proc.path} is an installationProcedure: its TRPC_ROWS row must be { kind: "installation-admin" }`);
        continue;
      }
      if (row.kind === "installation-admin") {
        // Everyone of the cast is refused (a team admin is no installation admin); only an
        // installation admin gets past the check (and then stops at input validation).
        for (const caller of cast.callers("manage")) {
          const got = await callTrpc(proc.path, "member" in caller ? caller.member.id : null, {});
          check(`tRPC ${proc.path}`, caller, "member" in caller ? "forbidden" : "unauthorized", got, teamOutcomeOf);
        }
        await clean();
        const admin: Caller = { name: "installation admin", member: { id: installationAdmin, email: "", key: "", keyId: "", role: null, grant: null }, locked: false };
        check(`tRPC ${proc.path}`, admin, "passed", await callTrpc(proc.path, installationAdmin, {}), teamOutcomeOf);
        continue;
      }
      for (const caller of [cast.callers("view")[0]!, cast.callers("view")[1]!]) {
        const got = await callTrpc(proc.path, "member" in caller ? caller.member.id : null, {});
        checkHand(`tRPC ${proc.path}`, row, caller, got);
      }
    }
  });

  it("Platform API: every route", async () => {
    for (const route of platformRoutes) {
      const pattern = `/${route.segments.join("/")}`;
      const name = `${route.method} ${pattern}`;
      const self = PLATFORM_SELF_PARAMS[`${route.method} /${route.segments.join("/")}`];
      const urlFor = (app: string, caller?: Caller) =>
        `http://localhost/api/v3/${route.segments
          .map((s) => (s === ":app" ? app : s === ":team" ? cast.team.name : s === ":pipeline" ? cast.pipeline.id : self && s === `:${self}` && caller && "member" in caller ? encodeURIComponent(caller.member.email) : s.startsWith(":") ? "no-such-thing" : s))
          .join("/")}`;
      const body = PLATFORM_BODIES[name];
      const send = (url: string, key: string | null) =>
        handlePlatformRequest(
          new Request(url, {
            method: route.method,
            headers: { "Content-Type": "application/json", ...(key ? { Authorization: `Bearer ${key}` } : {}) },
            body: route.method === "GET" || route.method === "DELETE" ? undefined : JSON.stringify(body ?? {}),
          }),
        );
      if (route.operation) {
        const operation = typeof route.operation === "function" ? (route.operation as (b: unknown) => Operation)(body ?? {}) : route.operation;
        for (const caller of cast.callers(OPERATIONS[operation])) {
          await clean();
          const app = "member" in caller && caller.locked ? cast.lockedApp.name : cast.app.name;
          const got = await answerOf(await send(urlFor(app, caller), "member" in caller ? caller.member.key : null));
          if (got.status === 422 && !("member" in caller && expected(cast, caller, operation) === "passed")) {
            missing.push(`the Platform API's ${name} refused the matrix's body before the access check: add a valid one to PLATFORM_BODIES (${got.message})`);
            break;
          }
          check(`Platform API ${name}`, caller, expected(cast, caller, operation), got);
        }
        continue;
      }
      if (route.teamRole) {
        for (const caller of teamCallers()) {
          await clean();
          const got = await answerOf(await send(urlFor(cast.app.name), "member" in caller ? caller.member.key : null));
          if (got.status === 422 && teamExpected(caller, route.teamRole) !== "passed") {
            missing.push(`the Platform API's ${name} refused the matrix's body before the access check: add a valid one to PLATFORM_BODIES (${got.message})`);
            break;
          }
          check(`Platform API ${name}`, caller, teamExpected(caller, route.teamRole), got, teamOutcomeOf);
        }
        continue;
      }
      if (route.pipelineOperation) {
        for (const caller of teamCallers()) {
          await clean();
          const got = await answerOf(await send(urlFor(cast.app.name), "member" in caller ? caller.member.key : null));
          const want = teamExpected(caller, PIPELINE_OPERATIONS[route.pipelineOperation]);
          if (got.status === 422 && want !== "passed") {
            missing.push(`the Platform API's ${name} refused the matrix's body before the access check: add a valid one to PLATFORM_BODIES (${got.message})`);
            break;
          }
          check(`Platform API ${name}`, caller, want, got, pipelineOutcomeOf);
        }
        continue;
      }
      const row = PLATFORM_ROWS[name];
      if (!row) {
        missing.push(`add a row for Platform API ${name} to PLATFORM_ROWS in server/security/matrix-table.ts, or make it an appRoute`);
        continue;
      }
      for (const caller of [cast.callers("view")[0]!, cast.callers("view")[1]!]) {
        checkHand(`Platform API ${name}`, row, caller, await answerOf(await send(urlFor(cast.app.name), "member" in caller ? caller.member.key : null)));
      }
    }
  });

  it("app/api: every route handler", async () => {
    for (const file of routeFiles()) {
      const mod = (await import(/* @vite-ignore */ path.join(process.cwd(), file))) as Record<string, unknown>;
      for (const method of METHODS) {
        const handler = mod[method] as (((req: Request, ctx: { params: Promise<Record<string, unknown>> }) => Promise<Response>) & { door?: AppDoor }) | undefined;
        if (!handler) continue;
        const name = `${file} ${method}`;
        // Dynamic segments: the app under test, anything else a name that does not exist.
        const paramsFor = (app: string) =>
          Object.fromEntries(
            [...file.matchAll(/\[(\.\.\.)?(\w+)\]/g)].map(([, rest, key]) => [key, key === "app" ? app : key === "team" ? cast.team.name : rest ? ["no-such-thing"] : "no-such-thing"]),
          );
        const call = (app: string, headers: Record<string, string>) =>
          handler(new Request(`http://localhost/${file}`, { method, headers, body: method === "GET" ? undefined : "{}" }), { params: Promise.resolve(paramsFor(app)) });
        if (handler.door) {
          const { operation, auth } = handler.door;
          for (const caller of cast.callers(OPERATIONS[operation])) {
            await clean();
            const app = "member" in caller && caller.locked ? cast.lockedApp.name : cast.app.name;
            const key = "member" in caller ? caller.member.key : null;
            const headers: Record<string, string> = !key ? {} : auth === "basic-key" ? { Authorization: `Basic ${Buffer.from(`git:${key}`).toString("base64")}` } : { Authorization: `Bearer ${key}` };
            check(name, caller, expected(cast, caller, operation), await answerOf(await call(app, headers)));
          }
          continue;
        }
        const row = ROUTE_FILE_ROWS[name];
        if (!row) {
          missing.push(`add a row for ${name} to ROUTE_FILE_ROWS in server/security/matrix-table.ts, or wrap it in withApp(operation, …)`);
          continue;
        }
        if (row.kind === "elsewhere") continue;
        if (row.kind === "team") {
          for (const caller of teamCallers()) {
            await clean();
            const key = "member" in caller ? caller.member.key : null;
            check(name, caller, teamExpected(caller, row.minRole), await answerOf(await call(cast.app.name, key ? { Authorization: `Bearer ${key}` } : {})), teamOutcomeOf);
          }
          continue;
        }
        for (const caller of [cast.callers("view")[0]!, cast.callers("view")[1]!]) {
          const key = "member" in caller ? caller.member.key : null;
          checkHand(name, row, caller, await answerOf(await call(cast.app.name, key ? { Authorization: `Bearer ${key}` } : {})));
        }
      }
    }
  });

  it("has a row for every door and 0 leaks", () => {
    console.log(`authorization matrix: ${cells} cells, ${leaks.length} leaks`);
    expect(missing).toEqual([]);
    expect(leaks).toEqual([]);
    expect(cells).toBeGreaterThan(500);
  });
});
