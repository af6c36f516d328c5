import { TRPCClientError } from "@trpc/client";

export type FieldErrors = Record<string, string>;

/** Per-field messages the server attached (`data.fieldErrors`), or {}. */
export function fieldErrorsOf(error: unknown): FieldErrors {
  if (error instanceof TRPCClientError) {
    const fields = (error.data as { fieldErrors?: FieldErrors | null } | undefined)?.fieldErrors;
    if (fields) return fields;
  }
  return {};
}

/** A message fit to show a person. */
export function messageOf(error: unknown): string {
  if (error instanceof TRPCClientError) {
    if (error.message === "Failed to fetch") return "Couldn't reach Slipway. Check your connection and try again.";
    return error.message;
  }
  return error instanceof Error ? error.message : "Something went wrong.";
}

/** The message the server attached to `field`, if any. */
export function errorFor(error: unknown, field: string): string | undefined {
  if (!error) return undefined;
  return fieldErrorsOf(error)[field];
}

/** The overall message, unless it is already shown next to one of `shownFields`. */
export function formErrorOf(error: unknown, shownFields: string[]): string | undefined {
  if (!error) return undefined;
  const fields = fieldErrorsOf(error);
  return shownFields.some((f) => fields[f]) ? undefined : messageOf(error);
}
