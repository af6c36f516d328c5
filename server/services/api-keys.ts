import "server-only";
import crypto from "node:crypto";
import { sha256 } from "@/server/crypto";
import { db } from "@/server/db";
import { AppError } from "@/server/errors";
import { recordActivity } from "@/server/services/activity";
import { accessChanged } from "@/server/runtime/events";

// API keys are shown once; only their SHA-256 is stored. The prefix makes them
// recognisable in lists and in secret scanners.
const PREFIX = "slw_";

const apiKeySelect = { id: true, description: true, prefix: true, createdAt: true, lastUsedAt: true, expiresAt: true } as const;

export async function createApiKey(input: { userId: string; description: string; expiresInDays?: number | null }) {
  const token = PREFIX + crypto.randomBytes(24).toString("base64url");
  const key = await db.apiKey.create({
    data: {
      userId: input.userId,
      description: input.description.trim() || "API key",
      tokenHash: sha256(token),
      prefix: token.slice(0, PREFIX.length + 6),
      expiresAt: input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 86_400_000) : null,
    },
    select: apiKeySelect,
  });
  await recordActivity({ kind: "api_key.created", message: `Created API key ${key.prefix}… (${key.description})`, userId: input.userId, data: { keyId: key.id, prefix: key.prefix } });
  return { ...key, token };
}

export function listApiKeys(userId: string) {
  return db.apiKey.findMany({ where: { userId, revokedAt: null }, orderBy: { createdAt: "desc" }, select: apiKeySelect });
}

export async function revokeApiKey(input: { userId: string; keyId: string }) {
  const { count } = await db.apiKey.updateMany({
    where: { id: input.keyId, userId: input.userId, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  if (count === 0) throw new AppError("NOT_FOUND", "No such API key.", { resource: "api_key" });
  const key = await db.apiKey.findUniqueOrThrow({ where: { id: input.keyId }, select: { prefix: true, description: true } });
  await recordActivity({ kind: "api_key.revoked", message: `Revoked API key ${key.prefix}… (${key.description})`, userId: input.userId, data: { keyId: input.keyId, prefix: key.prefix } });
  accessChanged({ userId: input.userId }); // streams opened with the key end
}

/** The user an API key belongs to, or null when it is unknown, revoked or expired. */
export async function authenticateApiKey(token: string): Promise<{ userId: string; keyId: string } | null> {
  if (!token) return null;
  const key = await db.apiKey.findUnique({ where: { tokenHash: sha256(token) }, select: { id: true, userId: true, revokedAt: true, expiresAt: true, lastUsedAt: true } });
  if (!key || key.revokedAt || (key.expiresAt && key.expiresAt < new Date())) return null;
  // Touch lastUsedAt at most once a minute: a CLI command makes several calls.
  if (!key.lastUsedAt || Date.now() - key.lastUsedAt.getTime() > 60_000) {
    await db.apiKey.update({ where: { id: key.id }, data: { lastUsedAt: new Date() } });
  }
  return { userId: key.userId, keyId: key.id };
}
