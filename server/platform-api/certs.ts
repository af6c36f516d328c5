import "server-only";
// Uploaded certificates: Heroku's SNI endpoints (`heroku certs:add`, `certs`, `certs:info`,
// `certs:update`, `certs:remove`), and a domain's certificate (`certs:add` asks which of the
// app's domains to use it for and PATCHes each; here a certificate serves every hostname of
// the app it covers, so that PATCH only checks and confirms).
import { z } from "zod";
import { AppError } from "@/server/errors";
import { appRoute } from "@/server/platform-api/router";
import { domainShape } from "@/server/platform-api/shapes";
import { addSniEndpoint, getSniEndpoint, listSniEndpoints, removeSniEndpoint, updateSniEndpoint, type SniEndpoint } from "@/server/services/certificates";
import { listDomains } from "@/server/services/domains";
import { refreshAcm, setAcm } from "@/server/services/acme";
import { appShape } from "@/server/platform-api/shapes";

const iso = (d: Date) => d.toISOString();

export function sniEndpointShape(app: { id: string; name: string }, e: SniEndpoint) {
  return {
    id: e.id,
    name: e.name,
    display_name: null,
    certificate_chain: e.certificateChain,
    app: { id: app.id, name: app.name },
    // Hostnames (not domain ids): certs:info shows them as "Domain(s)".
    domains: e.domains,
    ssl_cert: {
      id: e.id,
      "ca_signed?": e.caSigned,
      "self_signed?": e.selfSigned,
      acm: !!e.acmHostname,
      cert_domains: e.names,
      issuer: e.issuer,
      subject: e.subject,
      starts_at: iso(e.startsAt),
      expires_at: iso(e.expiresAt),
    },
    created_at: iso(e.createdAt),
    updated_at: iso(e.updatedAt),
  };
}

const upload = z.object({ certificate_chain: z.string().max(65_536), private_key: z.string().max(65_536) }).passthrough();

async function domainOf(app: { id: string; name: string; createdAt: Date }, hostname: string) {
  const d = (await listDomains(app)).find((r) => r.hostname === hostname.toLowerCase() || r.id === hostname);
  if (!d) throw new AppError("NOT_FOUND", `${hostname} is not a domain of this app.`, { resource: "domain" });
  return d;
}

/** The certificate serving `hostname`, if any (the newest that covers it, as the router picks). */
function servedBy(endpoints: SniEndpoint[], hostname: string) {
  const e = [...endpoints].reverse().find((x) => x.domains.includes(hostname));
  return e ? { id: e.id, name: e.name } : null;
}

export const certRoutes = [
  // Automated certificate management: certs:auto:enable, certs:auto:disable, certs:auto:refresh.
  appRoute("POST", "/apps/:app/acm", "certs:write", {
    handler: async ({ app, userId }) => {
      await setAcm({ appId: app.id, userId, acm: true });
      return { body: { ...appShape(app), acm: true } };
    },
  }),
  appRoute("DELETE", "/apps/:app/acm", "certs:write", {
    handler: async ({ app, userId }) => {
      await setAcm({ appId: app.id, userId, acm: false });
      return { body: { ...appShape(app), acm: false } };
    },
  }),
  appRoute("PATCH", "/apps/:app/acm", "certs:write", {
    handler: async ({ app }) => {
      await refreshAcm(app.id);
      return { body: appShape(app) };
    },
  }),
  appRoute("GET", "/apps/:app/sni-endpoints", "certs:list", {
    handler: async ({ app }) => ({ body: (await listSniEndpoints(app.id)).map((e) => sniEndpointShape(app, e)) }),
  }),
  appRoute("GET", "/apps/:app/sni-endpoints/:endpoint", "certs:list", {
    handler: async ({ app, params }) => ({ body: sniEndpointShape(app, await getSniEndpoint(app.id, params.endpoint!)) }),
  }),
  appRoute("POST", "/apps/:app/sni-endpoints", "certs:write", {
    body: upload,
    handler: async ({ app, body, userId }) => ({
      status: 201,
      body: sniEndpointShape(app, await addSniEndpoint({ appId: app.id, userId, certificateChain: body.certificate_chain, privateKey: body.private_key })),
    }),
  }),
  appRoute("PATCH", "/apps/:app/sni-endpoints/:endpoint", "certs:write", {
    body: upload,
    handler: async ({ app, body, params, userId }) => ({
      body: sniEndpointShape(app, await updateSniEndpoint({ appId: app.id, userId, nameOrId: params.endpoint!, certificateChain: body.certificate_chain, privateKey: body.private_key })),
    }),
  }),
  appRoute("DELETE", "/apps/:app/sni-endpoints/:endpoint", "certs:write", {
    handler: async ({ app, params, userId }) => ({ body: sniEndpointShape(app, await removeSniEndpoint({ appId: app.id, userId, nameOrId: params.endpoint! })) }),
  }),
  appRoute("GET", "/apps/:app/domains/:hostname", "domains:list", {
    handler: async ({ app, params }) => {
      const d = await domainOf(app, params.hostname!);
      return { body: { ...domainShape(app, d), sni_endpoint: servedBy(await listSniEndpoints(app.id), d.hostname) } };
    },
  }),
  // certs:add's "which domains should this certificate serve?": it already serves each one it covers.
  appRoute("PATCH", "/apps/:app/domains/:hostname", "certs:write", {
    body: z.object({ sni_endpoint: z.string().max(200).nullable() }).passthrough(),
    handler: async ({ app, params, body }) => {
      const d = await domainOf(app, params.hostname!);
      const endpoints = await listSniEndpoints(app.id);
      if (body.sni_endpoint) {
        const e = endpoints.find((x) => x.name === body.sni_endpoint || x.id === body.sni_endpoint);
        if (!e) throw new AppError("NOT_FOUND", `No SSL certificate ${body.sni_endpoint} on this app.`, { resource: "sni-endpoint" });
        if (!e.domains.includes(d.hostname)) throw new AppError("UNPROCESSABLE", `Certificate ${e.name} (${e.names.join(", ")}) does not cover ${d.hostname}.`);
      } else if (servedBy(endpoints, d.hostname)) {
        throw new AppError("UNPROCESSABLE", `${d.hostname} is served by the certificates that cover it; remove the certificate (heroku certs:remove) to stop.`);
      }
      return { body: { ...domainShape(app, d), sni_endpoint: servedBy(endpoints, d.hostname) } };
    },
  }),
];
