// Pure: the login form formats the same words from the seconds the server sends.

/** "Try again in 15 minutes" for a lockout that ends in `seconds`. */
export function lockoutMessage(seconds: number): string {
  const wait = seconds < 60 ? `${Math.max(1, Math.ceil(seconds))} seconds` : `${Math.ceil(seconds / 60)} minute${Math.ceil(seconds / 60) === 1 ? "" : "s"}`;
  return `Too many failed attempts for this account or from this address. Try again in ${wait}.`;
}

/** next-auth carries a thrown error's message in its answer's URL: this is how a lockout travels. */
export const RATE_LIMITED_ERROR_PREFIX = "rate_limited:";

export function retryAfterOf(nextAuthError: string | null | undefined): number | null {
  const match = nextAuthError?.match(/^rate_limited:(\d+)$/);
  return match ? Number(match[1]) : null;
}
