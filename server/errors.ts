// The one error type services throw, and the one table that maps it to tRPC codes,
// HTTP statuses and Heroku Platform API error ids. Raw Prisma/Docker messages never
// reach a client: anything that is not an AppError becomes INTERNAL.

export type AppErrorCode =
  | "BAD_REQUEST"
  | "UNAUTHORIZED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "CONFLICT"
  | "PAYLOAD_TOO_LARGE"
  | "UNPROCESSABLE"
  | "QUOTA_EXCEEDED"
  | "RATE_LIMITED"
  | "UNAVAILABLE"
  | "INTERNAL";

export type FieldErrors = Record<string, string>;

export class AppError extends Error {
  constructor(
    public readonly code: AppErrorCode,
    message: string,
    public readonly details?: { fieldErrors?: FieldErrors; resource?: string; cause?: unknown; retryAfterSeconds?: number },
  ) {
    super(message);
    this.name = "AppError";
  }
}

export const ERROR_TABLE: Record<
  AppErrorCode,
  { trpc: "BAD_REQUEST" | "UNAUTHORIZED" | "FORBIDDEN" | "NOT_FOUND" | "CONFLICT" | "PAYLOAD_TOO_LARGE" | "UNPROCESSABLE_CONTENT" | "TOO_MANY_REQUESTS" | "SERVICE_UNAVAILABLE" | "INTERNAL_SERVER_ERROR"; http: number; herokuId: string }
> = {
  BAD_REQUEST: { trpc: "BAD_REQUEST", http: 400, herokuId: "bad_request" },
  UNAUTHORIZED: { trpc: "UNAUTHORIZED", http: 401, herokuId: "unauthorized" },
  FORBIDDEN: { trpc: "FORBIDDEN", http: 403, herokuId: "forbidden" },
  NOT_FOUND: { trpc: "NOT_FOUND", http: 404, herokuId: "not_found" },
  CONFLICT: { trpc: "CONFLICT", http: 409, herokuId: "conflict" },
  PAYLOAD_TOO_LARGE: { trpc: "PAYLOAD_TOO_LARGE", http: 413, herokuId: "payload_too_large" },
  UNPROCESSABLE: { trpc: "UNPROCESSABLE_CONTENT", http: 422, herokuId: "invalid_params" },
  QUOTA_EXCEEDED: { trpc: "UNPROCESSABLE_CONTENT", http: 422, herokuId: "quota_exceeded" },
  RATE_LIMITED: { trpc: "TOO_MANY_REQUESTS", http: 429, herokuId: "rate_limit" },
  UNAVAILABLE: { trpc: "SERVICE_UNAVAILABLE", http: 503, herokuId: "unavailable" },
  INTERNAL: { trpc: "INTERNAL_SERVER_ERROR", http: 500, herokuId: "internal_server_error" },
};

/** Unique-constraint violations: Prisma's P2002, or PostgreSQL's 23505 as PGlite reports it. */
export function isUniqueViolation(err: unknown): boolean {
  const seen = new Set<unknown>();
  let e: unknown = err;
  while (e && typeof e === "object" && !seen.has(e)) {
    seen.add(e);
    const o = e as { code?: unknown; cause?: unknown; meta?: { driverAdapterError?: unknown }; originalCode?: unknown };
    if (o.code === "P2002" || o.code === "23505" || o.originalCode === "23505") return true;
    if (o.meta?.driverAdapterError && isUniqueViolation(o.meta.driverAdapterError)) return true;
    e = o.cause;
  }
  return typeof err === "object" && err !== null && /23505|Unique constraint/i.test(String((err as Error).message));
}

export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (isUniqueViolation(err)) return new AppError("CONFLICT", "That name is already taken.", { cause: err });
  return new AppError("INTERNAL", "Something went wrong on our side.", { cause: err });
}

/** A route handler's JSON error answer: `{ error: { code, message } }` with the code's HTTP status. */
export function errorResponse(err: unknown): Response {
  const e = toAppError(err);
  return Response.json({ error: { code: e.code, message: e.message } }, { status: ERROR_TABLE[e.code].http });
}
