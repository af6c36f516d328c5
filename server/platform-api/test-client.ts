// Test helpers for the Platform API: a user with an API key, and a request straight into
// handlePlatformRequest (no server). Not a test file itself; the *.test.ts files use it.
import { expect } from "vitest";
import { handlePlatformRequest } from "@/server/platform-api/handle";
import { createApiKey } from "@/server/services/api-keys";
import { createUser } from "@/server/services/users";

export const unique = () => Math.random().toString(36).slice(2, 8);

export async function userWithKey() {
  const user = await createUser({ email: `u-${unique()}@example.com`, password: "correct horse" });
  const { token } = await createApiKey({ userId: user.id, description: "test" });
  return { ...user, key: token };
}

export type CallOptions = { key?: string | null; body?: unknown; headers?: Record<string, string> };

export async function call(method: string, path: string, options: CallOptions = {}) {
  const headers: Record<string, string> = { Accept: "application/vnd.heroku+json; version=3", ...options.headers };
  if (options.key) headers.Authorization = `Bearer ${options.key}`;
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  const res = await handlePlatformRequest(
    new Request(`http://localhost/api/v3${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : typeof options.body === "string" ? options.body : JSON.stringify(options.body),
    }),
  );
  expect(res.headers.get("content-type")).toBe("application/json");
  return { status: res.status, headers: res.headers, body: (await res.json()) as any };
}
