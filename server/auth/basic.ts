// The one reader of credentials in an Authorization header: HTTP Basic (git, `curl -n`,
// `heroku login -i`) and Bearer (the CLI, scripts). Pure: no database, no secrets kept.

export type BasicCredentials = { user: string; password: string };

/** `Basic base64(user:password)`; null when absent or malformed (no colon). */
export function basicCredentials(header: string | null | undefined): BasicCredentials | null {
  const encoded = header?.match(/^Basic\s+(.+)$/i)?.[1];
  if (!encoded) return null;
  const decoded = Buffer.from(encoded.trim(), "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon < 0 ? null : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** `Bearer <token>`; null when absent. */
export function bearerToken(header: string | null | undefined): string | null {
  return header?.match(/^Bearer\s+(.+)$/i)?.[1]?.trim() || null;
}

/** An API key as Heroku accepts it: a Bearer token, or the password of HTTP Basic (any user name). */
export function apiKeyFrom(header: string | null | undefined): string | null {
  return bearerToken(header) ?? (basicCredentials(header)?.password || null);
}
