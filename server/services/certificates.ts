import "server-only";
// HTTPS for an app at the router: its settings (redirect plain HTTP, HSTS) and the
// certificates users upload (`heroku certs:add`, Settings → SSL certificates), which the
// routing table hands the router to serve over SNI.
import { createPrivateKey, randomInt, X509Certificate, type KeyObject } from "node:crypto";
import { rootCertificates } from "node:tls";
import { decrypt, encrypt } from "@/server/crypto";
import { db } from "@/server/db";
import { env } from "@/server/env";
import { AppError, isUniqueViolation } from "@/server/errors";
import type { RoutedCertificate } from "@/server/router/protocol";
import { bus } from "@/server/runtime/events";
import { recordActivity } from "@/server/services/activity";
import { defaultHostname } from "@/server/services/domains";

export type HttpsSettings = { sslRedirect: boolean; hsts: boolean; httpsPort: number; acm: boolean; acmDomains: { hostname: string; status: string | null; reason: string | null }[] };

export async function getHttpsSettings(appId: string): Promise<HttpsSettings> {
  const app = await db.app.findUniqueOrThrow({ where: { id: appId }, select: { sslRedirect: true, hsts: true, acm: true, domains: { select: { hostname: true, acmStatus: true, acmStatusReason: true }, orderBy: { hostname: "asc" } } } });
  const { domains, ...rest } = app;
  return { ...rest, httpsPort: env().SLIPWAY_ROUTER_HTTPS_PORT, acmDomains: domains.map((d) => ({ hostname: d.hostname, status: d.acmStatus, reason: d.acmStatusReason })) };
}

/** Heroku's "SSL redirect" and HSTS: the router applies them with the next table. */
export async function setHttpsSettings(input: { appId: string; userId: string | null; sslRedirect?: boolean; hsts?: boolean }): Promise<HttpsSettings> {
  const data = { ...(input.sslRedirect === undefined ? {} : { sslRedirect: input.sslRedirect }), ...(input.hsts === undefined ? {} : { hsts: input.hsts }) };
  await db.app.update({ where: { id: input.appId }, data });
  bus.emit("routes", { appId: input.appId });
  const said = [input.sslRedirect === undefined ? null : `HTTPS redirect ${input.sslRedirect ? "on" : "off"}`, input.hsts === undefined ? null : `HSTS ${input.hsts ? "on" : "off"}`].filter(Boolean);
  if (said.length) await recordActivity({ kind: "app.https", message: said.join(", "), appId: input.appId, userId: input.userId, data });
  return getHttpsSettings(input.appId);
}

// ---- uploaded certificates (SNI endpoints) ---------------------------------------------

/** What the leaf says, read once on upload and shown by `certs` and `certs:info`. */
export type CertificateDetails = {
  subject: string;
  issuer: string;
  names: string[];
  startsAt: Date;
  expiresAt: Date;
  selfSigned: boolean;
  /** The chain ends at a root this machine trusts (Node's bundled roots). */
  caSigned: boolean;
};

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const MAX_PEM = 64 * 1024;

const refuse = (message: string, field: "certificate_chain" | "private_key" = "certificate_chain"): never => {
  throw new AppError("UNPROCESSABLE", message, { fieldErrors: { [field]: message } });
};

/** A certificate name (SAN entry) covers a hostname: exactly, or `*.` for one label. */
export function nameCovers(name: string, hostname: string): boolean {
  const n = name.toLowerCase();
  const h = hostname.toLowerCase();
  if (!n.startsWith("*.")) return n === h;
  const dot = h.indexOf(".");
  return dot > 0 && h.slice(dot + 1) === n.slice(2);
}

const dnsNames = (cert: X509Certificate): string[] => {
  const san = (cert.subjectAltName ?? "")
    .split(/,\s*/)
    .filter((e) => e.startsWith("DNS:"))
    .map((e) => e.slice(4).toLowerCase());
  if (san.length) return san;
  const cn = /(?:^|\n)CN=([^\n]+)/.exec(cert.subject)?.[1];
  return cn ? [cn.toLowerCase()] : [];
};

const oneLine = (dn: string) =>
  dn
    .split("\n")
    .filter(Boolean)
    .map((p) => `/${p}`)
    .join("");

/**
 * Checks an upload and reads the leaf: PEM certificates leaf first, each issued by the next;
 * an unencrypted private key that belongs to the leaf; valid now; and covering at least one
 * of `hostnames` (the app's). Every refusal says what to fix.
 */
export function checkCertificate(chainPem: string, keyPem: string, hostnames: string[], now = new Date()): CertificateDetails {
  if (chainPem.length > MAX_PEM || keyPem.length > MAX_PEM) refuse("The certificate and the key may be at most 64 KB each.");
  const blocks = chainPem.match(PEM_CERT) ?? [];
  if (!blocks.length) refuse("No certificate found: give the certificate chain in PEM (-----BEGIN CERTIFICATE-----), the app's certificate first.");
  const chain = blocks.map((b, i) => {
    try {
      return new X509Certificate(b);
    } catch {
      return refuse(`Certificate ${i + 1} of the chain is not a valid PEM certificate.`);
    }
  });
  let key: KeyObject;
  try {
    key = createPrivateKey(keyPem);
  } catch (err) {
    const encrypted = /ENCRYPTED/.test(keyPem) || /passphrase/i.test(String(err));
    return refuse(encrypted ? "The private key is encrypted: give it without a passphrase (openssl pkey -in key.pem -out plain.pem)." : "No private key found: give an unencrypted private key in PEM (-----BEGIN PRIVATE KEY-----).", "private_key");
  }
  const leaf = chain[0]!;
  if (!leaf.checkPrivateKey(key)) refuse(`The private key does not belong to the certificate for ${dnsNames(leaf).join(", ") || oneLine(leaf.subject)}: check that you gave the matching key.`, "private_key");
  for (let i = 0; i + 1 < chain.length; i++) {
    const [child, parent] = [chain[i]!, chain[i + 1]!];
    if (!child.checkIssued(parent) || !child.verify(parent.publicKey)) {
      refuse(`The chain is out of order or incomplete: certificate ${i + 2} (${oneLine(parent.subject)}) did not issue certificate ${i + 1} (${oneLine(child.subject)}). Put the app's certificate first, then each intermediate in order.`);
    }
  }
  const startsAt = new Date(leaf.validFrom);
  const expiresAt = new Date(leaf.validTo);
  if (expiresAt <= now) refuse(`The certificate expired on ${expiresAt.toISOString().slice(0, 10)}: upload a current one.`);
  if (startsAt > now) refuse(`The certificate is not valid before ${startsAt.toISOString()}.`);
  const names = dnsNames(leaf);
  if (!names.length) refuse("The certificate names no host (no subjectAltName DNS entries and no common name).");
  if (!hostnames.some((h) => names.some((n) => nameCovers(n, h)))) {
    refuse(`The certificate is for ${names.join(", ")}, which covers none of this app's domains (${hostnames.join(", ")}). Add the domain to the app first (heroku domains:add), or upload a certificate for one of them.`);
  }
  const last = chain[chain.length - 1]!;
  const selfSigned = chain.length === 1 && leaf.checkIssued(leaf) && leaf.verify(leaf.publicKey);
  const caSigned = !selfSigned && rootCertificates.some((pem) => {
    const root = new X509Certificate(pem);
    return last.checkIssued(root) && last.verify(root.publicKey);
  });
  return { subject: oneLine(leaf.subject), issuer: oneLine(leaf.issuer), names, startsAt, expiresAt, selfSigned, caSigned };
}

const DINOSAURS = ["allosaurus", "ankylosaurus", "brachiosaurus", "diplodocus", "iguanodon", "parasaurolophus", "stegosaurus", "triceratops", "tyrannosaurus", "velociraptor"];
const endpointName = () => `${DINOSAURS[randomInt(DINOSAURS.length)]}-${randomInt(10_000, 100_000)}`;

type EndpointRow = Awaited<ReturnType<typeof db.sniEndpoint.findFirstOrThrow>>;
export type SniEndpoint = Omit<EndpointRow, "privateKeyEnc"> & { caSigned: boolean; /** The app's hostnames it is served for. */ domains: string[] };

async function appHostnames(appId: string): Promise<string[]> {
  const app = await db.app.findUniqueOrThrow({ where: { id: appId }, select: { name: true, domains: { select: { hostname: true }, orderBy: { hostname: "asc" } } } });
  return [defaultHostname(app.name), ...app.domains.map((d) => d.hostname)];
}

function present(row: EndpointRow, hostnames: string[]): SniEndpoint {
  const { privateKeyEnc: _key, ...rest } = row;
  const caSigned = (() => {
    try {
      const blocks = row.certificateChain.match(PEM_CERT) ?? [];
      const last = new X509Certificate(blocks[blocks.length - 1]!);
      return !row.selfSigned && rootCertificates.some((pem) => last.checkIssued(new X509Certificate(pem)));
    } catch {
      return false;
    }
  })();
  return { ...rest, caSigned, domains: hostnames.filter((h) => row.names.some((n) => nameCovers(n, h))) };
}

export async function listSniEndpoints(appId: string): Promise<SniEndpoint[]> {
  const [rows, hostnames] = await Promise.all([db.sniEndpoint.findMany({ where: { appId }, orderBy: { createdAt: "asc" } }), appHostnames(appId)]);
  return rows.map((r) => present(r, hostnames));
}

async function findEndpoint(appId: string, nameOrId: string, forChange = false) {
  const row = await db.sniEndpoint.findFirst({ where: { appId, OR: [{ name: nameOrId }, { id: nameOrId }] } });
  if (!row) throw new AppError("NOT_FOUND", `No SSL certificate ${nameOrId} on this app.`, { resource: "sni-endpoint" });
  if (forChange && row.acmHostname) throw new AppError("UNPROCESSABLE", `${row.name} is managed by ACM for ${row.acmHostname}; turn ACM off (heroku certs:auto:disable) to manage certificates yourself.`);
  return row;
}

export async function getSniEndpoint(appId: string, nameOrId: string): Promise<SniEndpoint> {
  return present(await findEndpoint(appId, nameOrId), await appHostnames(appId));
}

function normalizePem(text: string) {
  return `${text.trim().replace(/\r\n/g, "\n")}\n`;
}

export async function addSniEndpoint(input: { appId: string; userId: string | null; certificateChain: string; privateKey: string }): Promise<SniEndpoint> {
  const hostnames = await appHostnames(input.appId);
  const details = checkCertificate(input.certificateChain, input.privateKey, hostnames);
  const { caSigned: _c, ...stored } = details;
  const chain = normalizePem((input.certificateChain.match(PEM_CERT) ?? []).join("\n"));
  for (let attempt = 0; ; attempt++) {
    try {
      const row = await db.sniEndpoint.create({ data: { appId: input.appId, name: endpointName(), certificateChain: chain, privateKeyEnc: encrypt(normalizePem(input.privateKey)), ...stored } });
      bus.emit("routes", { appId: input.appId });
      await recordActivity({ kind: "certs.added", message: `Added SSL certificate ${row.name} (${details.names.join(", ")})`, appId: input.appId, userId: input.userId, data: { name: row.name, names: details.names } });
      return present(row, hostnames);
    } catch (err) {
      if (isUniqueViolation(err) && attempt < 5) continue; // the name was taken: another
      throw err;
    }
  }
}

export async function updateSniEndpoint(input: { appId: string; userId: string | null; nameOrId: string; certificateChain: string; privateKey: string }): Promise<SniEndpoint> {
  const existing = await findEndpoint(input.appId, input.nameOrId, true);
  const hostnames = await appHostnames(input.appId);
  const { caSigned: _c, ...stored } = checkCertificate(input.certificateChain, input.privateKey, hostnames);
  const chain = normalizePem((input.certificateChain.match(PEM_CERT) ?? []).join("\n"));
  const row = await db.sniEndpoint.update({ where: { id: existing.id }, data: { certificateChain: chain, privateKeyEnc: encrypt(normalizePem(input.privateKey)), ...stored } });
  bus.emit("routes", { appId: input.appId });
  await recordActivity({ kind: "certs.updated", message: `Updated SSL certificate ${row.name} (${stored.names.join(", ")})`, appId: input.appId, userId: input.userId, data: { name: row.name, names: stored.names } });
  return present(row, hostnames);
}

export async function removeSniEndpoint(input: { appId: string; userId: string | null; nameOrId: string }): Promise<SniEndpoint> {
  const existing = await findEndpoint(input.appId, input.nameOrId, true);
  const hostnames = await appHostnames(input.appId);
  await db.sniEndpoint.delete({ where: { id: existing.id } });
  bus.emit("routes", { appId: input.appId });
  await recordActivity({ kind: "certs.removed", message: `Removed SSL certificate ${existing.name}`, appId: input.appId, userId: input.userId, data: { name: existing.name } });
  return present(existing, hostnames);
}

/**
 * The certificates the router serves, for the routing table: each with the private key
 * decrypted and the app's hostnames it covers (newest first, so a replacement wins).
 */
export async function routedCertificates(apps: { id: string; hostnames: string[] }[]): Promise<RoutedCertificate[]> {
  const rows = await db.sniEndpoint.findMany({ orderBy: { createdAt: "desc" } });
  const byApp = new Map(apps.map((a) => [a.id, a.hostnames]));
  const out: RoutedCertificate[] = [];
  for (const r of rows) {
    const hostnames = (byApp.get(r.appId) ?? []).filter((h) => r.names.some((n) => nameCovers(n, h)));
    if (!hostnames.length || r.expiresAt <= new Date()) continue;
    try {
      out.push({ id: r.id, appId: r.appId, hostnames, pem: r.certificateChain + decrypt(r.privateKeyEnc) });
    } catch (err) {
      console.error(`slipway: cannot decrypt the key of certificate ${r.name} (was SLIPWAY_SECRET_KEY changed?)`, err);
    }
  }
  return out;
}
