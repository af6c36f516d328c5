import "server-only";
import type { z, ZodError } from "zod";
import { AppError, type AppErrorCode } from "@/server/errors";

// One reading of a JSON request body against a zod schema, for the Platform API (whose
// invalid bodies are Heroku's 422 invalid_params) and the app/api route handlers (400).
// An empty body counts as `{}`; field errors are keyed by the input's path.

export function zodFieldErrors(error: ZodError) {
  const fieldErrors = Object.fromEntries(error.issues.map((i) => [i.path.join(".") || "body", i.message]));
  const message = error.issues.map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message)).join("; ");
  return { fieldErrors, message };
}

export function parseJsonBody<S extends z.ZodType>(text: string, schema: S, invalid: AppErrorCode): z.infer<S> {
  let json: unknown = {};
  if (text.trim()) {
    try {
      json = JSON.parse(text);
    } catch {
      throw new AppError("BAD_REQUEST", "The request body is not valid JSON.");
    }
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const { fieldErrors, message } = zodFieldErrors(parsed.error);
  throw new AppError(invalid, message, { fieldErrors });
}
