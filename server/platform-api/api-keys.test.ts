import { describe, expect, it } from "vitest";
import { db } from "@/server/db";
import { call, userWithKey } from "@/server/platform-api/test-client";
import { createApiKey, listApiKeys, revokeApiKey } from "@/server/services/api-keys";

describe("API keys through the Platform API", () => {
  it("stops answering a key the moment it is revoked", async () => {
    const u = await userWithKey();
    const { id, token } = await createApiKey({ userId: u.id, description: "laptop" });
    expect(await call("GET", "/account", { key: token })).toMatchObject({ status: 200, body: { email: u.email } });

    await revokeApiKey({ userId: u.id, keyId: id });

    expect(await call("GET", "/account", { key: token })).toMatchObject({ status: 401, body: { id: "unauthorized" } });
    expect((await listApiKeys(u.id)).map((k) => k.id)).not.toContain(id);
    // The user's other key is untouched.
    expect((await call("GET", "/account", { key: u.key })).status).toBe(200);
  });

  it("stores only a hash of the token, never the token itself", async () => {
    const u = await userWithKey();
    const { id, token, prefix } = await createApiKey({ userId: u.id, description: "ci" });
    const row = await db.apiKey.findUniqueOrThrow({ where: { id } });
    expect(row.tokenHash).not.toBe(token);
    expect(row.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(token);
    expect(token.startsWith(prefix)).toBe(true);
  });

  it("does not let one user revoke another's key", async () => {
    const owner = await userWithKey();
    const other = await userWithKey();
    const { id, token } = await createApiKey({ userId: owner.id, description: "mine" });
    await expect(revokeApiKey({ userId: other.id, keyId: id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await call("GET", "/account", { key: token })).status).toBe(200);
  });
});
