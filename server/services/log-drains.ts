import "server-only";
// An app's log drains: where copies of every log line go (syslog over TCP/TLS, HTTPS
// batches). The URL may carry credentials: it is stored encrypted, shown with the password
// masked. Delivery is server/logs/drain-manager.ts, told here when the list changes.
import crypto from "node:crypto";
import net from "node:net";
import { decrypt, encrypt } from "@/server/crypto";
import { db } from "@/server/db";
import { AppError, isUniqueViolation } from "@/server/errors";
import { drainAddressPolicy, parseDrainUrl } from "@/server/logs/drains";
import { bus } from "@/server/runtime/events";
import { recordActivity } from "@/server/services/activity";

export const MAX_DRAINS_PER_APP = 5;

const drainSelect = { id: true, appId: true, url: true, token: true, createdAt: true, updatedAt: true } as const;

/** The URL with any password replaced by `****` (what lists and messages show). */
export function maskDrainUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "****";
    return u.toString().replace(/\/$/, url.endsWith("/") ? "/" : "");
  } catch {
    return url.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:****@");
  }
}

export function listDrains(appId: string) {
  return db.logDrain.findMany({ where: { appId }, select: drainSelect, orderBy: { createdAt: "asc" } });
}

/** Every drain with its real URL, for delivery only. */
export async function drainTargets(appId?: string) {
  const rows = await db.logDrain.findMany({ where: appId ? { appId } : {}, select: { ...drainSelect, urlEnc: true } });
  return rows.map(({ urlEnc, ...r }) => ({ ...r, target: urlEnc ? decrypt(urlEnc) : r.url }));
}

export async function addDrain(input: { appId: string; url: string }) {
  const url = input.url.trim();
  const parsed = parseDrainUrl(url); // throws a BAD_REQUEST that says what is wrong
  // Names are checked at every connect (they may change); an IP literal can be refused now.
  if (net.isIP(parsed.host) && !drainAddressPolicy().permits(parsed.host)) {
    const message = `${parsed.target} is a private address: log drains deliver only to public receivers.`;
    throw new AppError("UNPROCESSABLE", message, { fieldErrors: { url: message } });
  }
  if ((await db.logDrain.count({ where: { appId: input.appId } })) >= MAX_DRAINS_PER_APP) {
    throw new AppError("UNPROCESSABLE", `An app can have at most ${MAX_DRAINS_PER_APP} log drains; remove one first.`);
  }
  const shown = maskDrainUrl(url);
  try {
    const drain = await db.logDrain.create({
      data: { appId: input.appId, url: shown, urlEnc: encrypt(url), token: `d.${crypto.randomUUID()}` },
      select: drainSelect,
    });
    bus.emit("drains", { appId: input.appId });
    await recordActivity({ kind: "drains.added", message: `Added log drain ${shown}`, appId: input.appId, data: { url: shown } });
    return drain;
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError("CONFLICT", `${shown} is already a drain of this app.`, { fieldErrors: { url: "Already added." } });
    throw err;
  }
}

/** By id, token or URL (as given when added, or as listed). */
export async function removeDrain(input: { appId: string; drain: string }) {
  const all = await drainTargets(input.appId);
  const found = all.find((d) => d.id === input.drain || d.token === input.drain || d.url === input.drain || d.target === input.drain);
  if (!found) throw new AppError("NOT_FOUND", `No drain ${maskDrainUrl(input.drain)} on this app.`, { resource: "log_drain" });
  await db.logDrain.delete({ where: { id: found.id } });
  bus.emit("drains", { appId: input.appId });
  const { target: _target, ...shown } = found;
  await recordActivity({ kind: "drains.removed", message: `Removed log drain ${shown.url}`, appId: input.appId, data: { url: shown.url } });
  return shown;
}
