import "server-only";
// HTTPS for an app at the router: its settings (redirect plain HTTP, HSTS) and the
// certificates users upload (`heroku certs:add`, Settings → SSL certificates), which the
// routing table hands the router to serve over SNI.
import { db } from "@/server/db";
import { env } from "@/server/env";
import { bus } from "@/server/runtime/events";
import { recordActivity } from "@/server/services/activity";

export type HttpsSettings = { sslRedirect: boolean; hsts: boolean; httpsPort: number };

export async function getHttpsSettings(appId: string): Promise<HttpsSettings> {
  const app = await db.app.findUniqueOrThrow({ where: { id: appId }, select: { sslRedirect: true, hsts: true } });
  return { ...app, httpsPort: env().SLIPWAY_ROUTER_HTTPS_PORT };
}

/** Heroku's "SSL redirect" and HSTS: the router applies them with the next table. */
export async function setHttpsSettings(input: { appId: string; userId: string | null; sslRedirect?: boolean; hsts?: boolean }): Promise<HttpsSettings> {
  const data = { ...(input.sslRedirect === undefined ? {} : { sslRedirect: input.sslRedirect }), ...(input.hsts === undefined ? {} : { hsts: input.hsts }) };
  const app = await db.app.update({ where: { id: input.appId }, data, select: { sslRedirect: true, hsts: true } });
  bus.emit("routes", { appId: input.appId });
  const said = [input.sslRedirect === undefined ? null : `HTTPS redirect ${input.sslRedirect ? "on" : "off"}`, input.hsts === undefined ? null : `HSTS ${input.hsts ? "on" : "off"}`].filter(Boolean);
  if (said.length) await recordActivity({ kind: "app.https", message: said.join(", "), appId: input.appId, userId: input.userId, data });
  return { ...app, httpsPort: env().SLIPWAY_ROUTER_HTTPS_PORT };
}
