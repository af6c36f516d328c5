import "server-only";
import { bearerToken } from "@/server/auth/basic";
import { hasSessionCookie } from "@/server/auth/identity";
import { env } from "@/server/env";
import { AppError } from "@/server/errors";

// CSRF: a browser sends the dashboard's cookie with any site's form or fetch, so a request
// that changes something on the strength of that cookie must show it came from our own
// pages. Browsers say so in `Origin` (every POST) and `Sec-Fetch-Site`. `same-site` is
// refused too: apps are served on subdomains of the same site (myapp.<base domain>), and
// an app must not drive its owner's dashboard. API keys (Bearer) are not sent by browsers
// on their own, so requests carrying one are exempt; the Platform API reads no cookie.

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

function hostOf(url: string): string | null {
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return null;
  }
}

/** Why this request must be refused, or null when it may proceed. */
export function crossSiteReason(req: Request): string | null {
  if (SAFE.has(req.method.toUpperCase())) return null;
  if (bearerToken(req.headers.get("authorization"))) return null;
  if (!hasSessionCookie(req.headers)) return null;
  const site = req.headers.get("sec-fetch-site");
  if (site === "same-origin" || site === "none") return null;
  const origin = req.headers.get("origin");
  // Neither header: not a browser (a browser's cross-site POST always carries an Origin,
  // "null" at worst), e.g. a test or script holding a session cookie of its own.
  if (!origin && !site) return null;
  if (origin && origin !== "null" && !site) {
    const host = hostOf(origin);
    const ours = [env().SLIPWAY_PUBLIC_URL && hostOf(env().SLIPWAY_PUBLIC_URL!), req.headers.get("x-forwarded-host"), req.headers.get("host")];
    if (host && ours.some((h) => h && h.toLowerCase() === host)) return null;
  }
  return `This request came from ${origin && origin !== "null" ? origin : site ? `another site (Sec-Fetch-Site: ${site})` : "a page that hides its origin"}, not from Slipway's dashboard, so it was refused. Use the dashboard, or an API key (Authorization: Bearer) from scripts.`;
}

/** Throws FORBIDDEN for a cookie-authenticated state-changing request from another site. */
export function assertSameOrigin(req: Request): void {
  const reason = crossSiteReason(req);
  if (reason) throw new AppError("FORBIDDEN", reason);
}
