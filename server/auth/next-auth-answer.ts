import "server-only";
import { retryAfterOf } from "@/server/auth/lockout-message";

/**
 * next-auth answers every refused credentials sign-in with 401 and the thrown message in a
 * URL (`…/error?error=rate_limited:840`, as JSON `{ url }` for the dashboard's form; a
 * form posted without JavaScript is redirected instead). A lockout becomes 429 with
 * Retry-After, its body and cookies kept.
 */
export async function rateLimitedAnswer(res: Response): Promise<Response | null> {
  if (res.status !== 401 || !res.headers.get("content-type")?.includes("application/json")) return null;
  const target = ((await res.clone().json().catch(() => null)) as { url?: string } | null)?.url;
  const seconds = target ? retryAfterOf(new URL(target, "http://localhost").searchParams.get("error")) : null;
  if (seconds === null) return null;
  const headers = new Headers(res.headers);
  headers.set("Retry-After", String(seconds));
  return new Response(res.body, { status: 429, headers });
}
