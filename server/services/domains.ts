import "server-only";
// Hostnames an app answers: its default <app>.<base domain> and custom domains users add
// (Settings → Domains, `heroku domains:add`). The router reads them from the routing table.
import net from "node:net";
import { z } from "zod";
import { db } from "@/server/db";
import { env, publicUrl } from "@/server/env";
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

export type DomainRow = { id: string; hostname: string; kind: "heroku" | "custom"; createdAt: Date; updatedAt: Date; acmStatus?: string | null; acmStatusReason?: string | null };

export async function listDomains(app: { id: string; name: string; createdAt: Date }): Promise<DomainRow[]> {
  const rows = await db.domain.findMany({ where: { appId: app.id }, orderBy: { hostname: "asc" } });
  return [
    { id: `default-${app.id}`, hostname: defaultHostname(app.name), kind: "heroku", createdAt: app.createdAt, updatedAt: app.createdAt },
    ...rows.map((r) => ({ id: r.id, hostname: r.hostname, kind: "custom" as const, createdAt: r.createdAt, updatedAt: r.updatedAt, acmStatus: r.acmStatus, acmStatusReason: r.acmStatusReason })),
  ];
}

export async function addDomain(input: { appId: string; hostname: string }): Promise<DomainRow> {
  const parsed = hostnameSchema.safeParse(input.hostname);
  if (!parsed.success) {
    const message = parsed.error.issues[0]?.message ?? "Invalid hostname.";
    throw new AppError("UNPROCESSABLE", message, { fieldErrors: { hostname: message } });
  }
  const hostname = parsed.data;
  const refusal = reservedHostname(hostname);
  if (refusal) throw new AppError("UNPROCESSABLE", refusal, { fieldErrors: { hostname: refusal } });
  try {
    const acm = (await db.app.findUnique({ where: { id: input.appId }, select: { acm: true } }))?.acm ?? false;
    const row = await db.domain.create({ data: { appId: input.appId, hostname, kind: "custom", acmStatus: acm ? "pending" : null } });
    bus.emit("routes", { appId: input.appId });
    if (acm) bus.emit("acm", { appId: input.appId });
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

/**
 * Hostnames no app may claim: the dashboard's own (its cookies and sign-in page would be
 * served by the app), IP literals (the router would hand an app every request sent to an
 * address), and the base domain with every <app>.<base domain> under it.
 */
export function reservedHostname(hostname: string): string | null {
  const host = hostname.toLowerCase().replace(/\.$/, "");
  const dashboard = new URL(publicUrl()).hostname.toLowerCase().replace(/^\[|\]$/g, "");
  if (host === dashboard) return `${host} is where this platform's dashboard answers; add a domain of your own.`;
  // A last label of digits (or 0x…) is read as an IPv4 address by browsers (WHATWG URL): 10.1, 0x7f.1.
  if (net.isIP(host.replace(/^\[|\]$/g, "")) || /^(\d+|0x[0-9a-f]*)$/.test(host.slice(host.lastIndexOf(".") + 1))) {
    return `${host} is an IP address; a custom domain must be a hostname like www.example.com.`;
  }
  const base = env().SLIPWAY_BASE_DOMAIN.toLowerCase();
  if (host === base || host.endsWith(`.${base}`)) return `${host} is under ${base}, where apps get their default names; add a domain of your own.`;
  return null;
}

export async function removeDomain(input: { appId: string; hostname: string }) {
  const where = { appId: input.appId, OR: [{ hostname: input.hostname.toLowerCase() }, { id: input.hostname }] };
  const found = await db.domain.findFirst({ where, select: { hostname: true } });
  const { count } = await db.domain.deleteMany({ where });
  if (!count || !found) throw new AppError("NOT_FOUND", `${input.hostname} is not a custom domain of this app.`, { resource: "domain" });
  bus.emit("routes", { appId: input.appId });
  await recordActivity({ kind: "domains.removed", message: `Removed domain ${found.hostname}`, appId: input.appId, data: { hostname: found.hostname } });
}
