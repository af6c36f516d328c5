import "server-only";
import { ERROR_TABLE, errorResponse, toAppError } from "@/server/errors";

// The one error answer of the app/api route handlers: the same code, status and message
// whatever the format; only the encoding differs. JSON `{ error: { code, message } }`
// (server/errors.ts) for the dashboard and scripts; text/plain for git, which prints the
// body to the user as `remote:` lines.

export type ErrorFormat = "json" | "text";

export function errorAnswer(err: unknown, format: ErrorFormat = "json", headers: Record<string, string> = {}): Response {
  const e = toAppError(err);
  if (e.code === "INTERNAL") console.error("[api] internal error:", e.details?.cause ?? err);
  const res =
    format === "text"
      ? new Response(`${e.message}\n`, { status: ERROR_TABLE[e.code].http, headers: { "Content-Type": "text/plain; charset=utf-8" } })
      : errorResponse(e);
  for (const [k, v] of Object.entries(headers)) res.headers.set(k, v);
  return res;
}
