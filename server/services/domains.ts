import "server-only";
// Hostnames an app answers: its default <app>.<base domain> and custom domains users add
// (Settings → Domains, `heroku domains:add`). The router reads them from the routing table.
import { z } from "zod";
import { db } from "@/server/db";
import { env } from "@/server/env";
import { AppError, isUniqueViolation } from "@/server/errors";
import { bus } from "@/server/runtime/events";
import { recordActivity } from "@/server/services/activity";

export const hostnameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(253, "A hostname has at most 253 characters.")
  .regex(/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/, "Give a hostname like www.example.com (letters, digits, dashes and dots).");

/** Every app answers on <name>.<base domain>, as on <name>.herokuapp.com. */
export function defaultHostname(appName: string) {
  return `${appName}.${env().SLIPWAY_BASE_DOMAIN}`.toLowerCase();
}

/** Where users open the app: through the router, on its default hostname. */
export function webUrl(appName: string) {
  return `http://${defaultHostname(appName)}:${env().SLIPWAY_ROUTER_PORT}/`;
}

export type DomainRow = { id: string; hostname: string; kind: "heroku" | "custom"; createdAt: Date; updatedAt: Date };

export async function listDomains(app: { id: string; name: string; createdAt: Date }): Promise<DomainRow[]> {
  const rows = await db.domain.findMany({ where: { appId: app.id }, orderBy: { hostname: "asc" } });
  return [
    { id: `default-${app.id}`, hostname: defaultHostname(app.name), kind: "heroku", createdAt: app.createdAt, updatedAt: app.createdAt },
    ...rows.map((r) => ({ id: r.id, hostname: r.hostname, kind: "custom" as const, createdAt: r.createdAt, updatedAt: r.updatedAt })),
  ];
}

export async function addDomain(input: { appId: string; hostname: string }): Promise<DomainRow> {
  const parsed = hostnameSchema.safeParse(input.hostname);
  if (!parsed.success) {
    const message = parsed.error.issues[0]?.message ?? "Invalid hostname.";
    throw new AppError("UNPROCESSABLE", message, { fieldErrors: { hostname: message } });
  }
  const hostname = parsed.data;
  const base = env().SLIPWAY_BASE_DOMAIN.toLowerCase();
  if (hostname === base || hostname.endsWith(`.${base}`)) {
    const message = `${hostname} is under ${base}, where apps get their default names; add a domain of your own.`;
    throw new AppError("UNPROCESSABLE", message, { fieldErrors: { hostname: message } });
  }
  try {
    const row = await db.domain.create({ data: { appId: input.appId, hostname, kind: "custom" } });
    bus.emit("routes", { appId: input.appId });
    await recordActivity({ kind: "domains.added", message: `Added domain ${hostname}`, appId: input.appId, data: { hostname } });
    return { id: row.id, hostname: row.hostname, kind: "custom", createdAt: row.createdAt, updatedAt: row.updatedAt };
  } catch (err) {
    if (isUniqueViolation(err)) {
      const message = `${hostname} is already added to an app.`;
      throw new AppError("CONFLICT", message, { fieldErrors: { hostname: message } });
    }
    throw err;
  }
}

export async function removeDomain(input: { appId: string; hostname: string }) {
  const where = { appId: input.appId, OR: [{ hostname: input.hostname.toLowerCase() }, { id: input.hostname }] };
  const found = await db.domain.findFirst({ where, select: { hostname: true } });
  const { count } = await db.domain.deleteMany({ where });
  if (!count || !found) throw new AppError("NOT_FOUND", `${input.hostname} is not a custom domain of this app.`, { resource: "domain" });
  bus.emit("routes", { appId: input.appId });
  await recordActivity({ kind: "domains.removed", message: `Removed domain ${found.hostname}`, appId: input.appId, data: { hostname: found.hostname } });
}
