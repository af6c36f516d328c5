import "server-only";
// Automated certificate management (Heroku's ACM, `heroku certs:auto:enable`): the control
// plane is an ACME client (acme-client from npm) that gets a certificate for each custom
// domain of an app with ACM on, answering HTTP-01 challenges through the router (the routing
// table carries them; HAProxy answers /.well-known/acme-challenge/<token> on every host),
// renews it before it expires, and after a failure tries again later, backing off. Each
// domain shows its state and last error (acm_status, acm_status_reason) as on Heroku.
import fs from "node:fs";
import https from "node:https";
import path from "node:path";
import * as acme from "acme-client";
import { decrypt, encrypt } from "@/server/crypto";
import { db } from "@/server/db";
import { dataDir, env } from "@/server/env";
import { AppError } from "@/server/errors";
import { publishAndWaitForRouter } from "@/server/router/publish";
import { bus } from "@/server/runtime/events";
import { recordActivity } from "@/server/services/activity";
import { checkCertificate } from "@/server/services/certificates";
import type { RoutedCertificate } from "@/server/router/protocol";

export type AcmeOptions = {
  /** The ACME directory (SLIPWAY_ACME_DIRECTORY_URL; Let's Encrypt by default). */
  directoryUrl: string;
  email?: string;
  /** Extra CA to trust for the directory's own HTTPS (a test server such as Pebble). */
  ca?: string;
  intervalMs?: number;
  /** Renew when the certificate expires within this many days (30, as Let's Encrypt advises). */
  renewBeforeDays?: number;
  /** The first retry after a failure; doubled for each failure in a row, at most a day. */
  backoffMs?: number;
  /** An order that takes longer fails (an ACME server that does not answer must not stall the loop). */
  orderTimeoutMs?: number;
  /**
   * The dashboard's own name (SLIPWAY_DASHBOARD_HOST with SLIPWAY_DASHBOARD_ACME=1): a
   * certificate for it too, served by the router's dashboard listener.
   */
  dashboardHost?: string;
};

const holder = globalThis as unknown as {
  slipwayAcmeChallenges?: Map<string, string>;
  slipwayAcme?: { stop: () => void; tick: () => Promise<void> };
  slipwayAcmeDashboard?: { host: string; failures: number; retryAt: number; lastError: string | null };
};
const challenges = (holder.slipwayAcmeChallenges ??= new Map());

/** HTTP-01 challenges in progress, for the routing table. */
export function acmeChallenges(): Record<string, string> {
  return Object.fromEntries(challenges);
}

function accountKeyFile(directoryUrl: string) {
  const name = Buffer.from(directoryUrl).toString("base64url").slice(-40);
  return path.join(dataDir(), "acme", `account-${name}.key.enc`);
}

/** The ACME account key for this directory, made once and kept encrypted like config vars. */
async function accountKey(directoryUrl: string): Promise<string> {
  const file = accountKeyFile(directoryUrl);
  if (fs.existsSync(file)) return decrypt(fs.readFileSync(file, "utf8"));
  const key = (await acme.crypto.createPrivateEcdsaKey()).toString();
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, encrypt(key), { mode: 0o600 });
  return key;
}

async function issue(o: AcmeOptions, hostname: string): Promise<{ chain: string; key: string }> {
  if (o.ca) acme.axios.defaults.httpsAgent = new https.Agent({ ca: o.ca });
  // The account's URL once known: asking for an existing account again makes acme-client send
  // an empty update, which servers may refuse (Pebble does).
  const urlFile = accountKeyFile(o.directoryUrl).replace(/\.key\.enc$/, ".url");
  const accountUrl = fs.existsSync(urlFile) ? fs.readFileSync(urlFile, "utf8").trim() : undefined;
  const client = new acme.Client({ directoryUrl: o.directoryUrl, accountKey: await accountKey(o.directoryUrl), accountUrl });
  const [key, csr] = await acme.crypto.createCsr({ commonName: hostname, altNames: [hostname] }, await acme.crypto.createPrivateEcdsaKey());
  const chain = await client.auto({
    csr,
    email: o.email,
    termsOfServiceAgreed: true,
    challengePriority: ["http-01"],
    // The ACME server checks the challenge itself; a check from here would go through this
    // machine's idea of the domain's DNS, which need not be the world's.
    skipChallengeVerification: true,
    challengeCreateFn: async (_authz, challenge, keyAuthorization) => {
      challenges.set(challenge.token, keyAuthorization);
      if (!(await publishAndWaitForRouter(10_000))) throw new Error("the router did not take the ACME challenge within 10 s");
    },
    challengeRemoveFn: async (_authz, challenge) => {
      challenges.delete(challenge.token);
      await publishAndWaitForRouter(10_000);
    },
  });
  if (!accountUrl) fs.writeFileSync(urlFile, client.getAccountUrl());
  return { chain, key: key.toString() };
}

const dashboardFile = () => path.join(dataDir(), "acme", "dashboard.json.enc");
type DashboardCert = { hostname: string; chain: string; key: string; expiresAt: string };

function readDashboardCert(): DashboardCert | null {
  try {
    return JSON.parse(decrypt(fs.readFileSync(dashboardFile(), "utf8"))) as DashboardCert;
  } catch {
    return null;
  }
}

/**
 * The dashboard's ACME certificate for the routing table (the router serves it for the
 * dashboard's name), while the ACME loop manages one and it has not expired.
 */
export function dashboardCertificate(): RoutedCertificate | null {
  const host = holder.slipwayAcmeDashboard?.host;
  const cert = host ? readDashboardCert() : null;
  if (!cert || cert.hostname !== host || new Date(cert.expiresAt) <= new Date()) return null;
  return { id: "dashboard", appId: "dashboard", hostnames: [cert.hostname], pem: cert.chain + cert.key };
}

/** issue(), given up after `limit` ms with an error that says so. */
async function issueWithin(o: AcmeOptions, hostname: string, limit: number) {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    issue(o, hostname),
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`The ACME server (${o.directoryUrl}) did not complete the order within ${Math.round(limit / 1000)} s.`)), limit))),
  ]).finally(() => clearTimeout(timer));
}

/** The dashboard's certificate: issued when missing or near expiry; after a failure, backs off. */
async function dashboardTick(o: AcmeOptions, renewBefore: number, limit: number) {
  const state = holder.slipwayAcmeDashboard;
  if (!state || state.retryAt > Date.now()) return;
  const current = readDashboardCert();
  if (current?.hostname === state.host && new Date(current.expiresAt).getTime() - Date.now() > renewBefore) return;
  try {
    const { chain, key } = await issueWithin(o, state.host, limit);
    const details = checkCertificate(chain, key, [state.host]);
    fs.mkdirSync(path.dirname(dashboardFile()), { recursive: true, mode: 0o700 });
    const tmp = `${dashboardFile()}.tmp`;
    fs.writeFileSync(tmp, encrypt(JSON.stringify({ hostname: state.host, chain, key, expiresAt: details.expiresAt.toISOString() } satisfies DashboardCert)), { mode: 0o600 });
    fs.renameSync(tmp, dashboardFile());
    Object.assign(state, { failures: 0, retryAt: 0, lastError: null });
    bus.emit("routes", { appId: "dashboard" });
    console.log(`slipway: ${current ? "renewed" : "issued"} the dashboard's certificate for ${state.host} (ACME)`);
  } catch (err) {
    state.failures += 1;
    state.retryAt = Date.now() + Math.min((o.backoffMs ?? 60_000) * 2 ** (state.failures - 1), 86_400_000);
    state.lastError = err instanceof Error ? err.message : String(err);
    console.error(`slipway: no ACME certificate for the dashboard (${state.host}) yet: ${state.lastError}; trying again at ${new Date(state.retryAt).toISOString()}`);
  }
}

/** One pass: issue what is missing or near expiry, drop what is no longer wanted. */
async function tick(o: AcmeOptions) {
  const now = new Date();
  const renewBefore = (o.renewBeforeDays ?? 30) * 86_400_000;
  await dashboardTick(o, renewBefore, o.orderTimeoutMs ?? 5 * 60_000);
  // Certificates for domains gone, or of apps that turned ACM off.
  const issued = await db.sniEndpoint.findMany({ where: { acmHostname: { not: null } }, select: { id: true, appId: true, acmHostname: true, expiresAt: true, app: { select: { acm: true, domains: { select: { hostname: true } } } } } });
  const stale = issued.filter((e) => !e.app.acm || !e.app.domains.some((d) => d.hostname === e.acmHostname));
  if (stale.length) {
    await db.sniEndpoint.deleteMany({ where: { id: { in: stale.map((e) => e.id) } } });
    for (const appId of new Set(stale.map((e) => e.appId))) bus.emit("routes", { appId });
  }
  // A domain removed during the pass is updated nowhere (updateMany, not update: no P2025);
  // a certificate issued for it meanwhile is stale and goes at the next pass.
  const domains = await db.domain.findMany({ where: { kind: "custom", app: { acm: true } }, select: { id: true, appId: true, hostname: true, acmStatus: true, acmFailures: true, acmRetryAt: true } });
  for (const d of domains) {
    const current = issued.find((e) => e.appId === d.appId && e.acmHostname === d.hostname);
    if (current && current.expiresAt.getTime() - now.getTime() > renewBefore) {
      if (d.acmStatus !== "cert issued") await db.domain.updateMany({ where: { id: d.id }, data: { acmStatus: "cert issued", acmStatusReason: null } });
      continue;
    }
    if (d.acmRetryAt && d.acmRetryAt > now) continue;
    if (!current) await db.domain.updateMany({ where: { id: d.id }, data: { acmStatus: "pending" } });
    try {
      const { chain, key } = await issueWithin(o, d.hostname, o.orderTimeoutMs ?? 5 * 60_000);
      const details = checkCertificate(chain, key, [d.hostname]);
      const data = { certificateChain: chain, privateKeyEnc: encrypt(key), subject: details.subject, issuer: details.issuer, names: details.names, startsAt: details.startsAt, expiresAt: details.expiresAt, selfSigned: details.selfSigned };
      if (current) await db.sniEndpoint.update({ where: { id: current.id }, data });
      else await db.sniEndpoint.create({ data: { ...data, appId: d.appId, acmHostname: d.hostname, name: `acm-${d.hostname.replace(/[^a-z0-9]+/g, "-")}`.slice(0, 60) + `-${Date.now().toString(36)}` } });
      await db.domain.updateMany({ where: { id: d.id }, data: { acmStatus: "cert issued", acmStatusReason: null, acmFailures: 0, acmRetryAt: null } });
      bus.emit("routes", { appId: d.appId });
      await recordActivity({ kind: "certs.acm", message: `${current ? "Renewed" : "Issued"} a certificate for ${d.hostname} (ACM)`, appId: d.appId, userId: null, data: { hostname: d.hostname } });
    } catch (err) {
      const failures = d.acmFailures + 1;
      const wait = Math.min((o.backoffMs ?? 60_000) * 2 ** (failures - 1), 86_400_000);
      const reason = err instanceof AppError ? err.message : err instanceof Error ? err.message : String(err);
      // A certificate still valid keeps serving; the domain says why renewal failed.
      await db.domain.updateMany({ where: { id: d.id }, data: { acmStatus: current ? "cert issued" : "failed", acmStatusReason: reason.slice(0, 500), acmFailures: failures, acmRetryAt: new Date(Date.now() + wait) } });
    }
  }
}

/** Starts the ACME client's loop (one pass at a time); returns stop. */
export function startAcme(o: AcmeOptions) {
  holder.slipwayAcme?.stop();
  holder.slipwayAcmeDashboard = o.dashboardHost ? { host: o.dashboardHost.toLowerCase(), failures: 0, retryAt: 0, lastError: null } : undefined;
  let running: Promise<void> | null = null;
  const run = () =>
    (running ??= tick(o)
      .catch((err) => console.error("slipway: ACME pass failed", err))
      .finally(() => (running = null)));
  const timer = setInterval(() => void run(), o.intervalMs ?? 60_000);
  timer.unref();
  const onRoutes = () => void run(); // a domain added or ACM turned on: try at once
  bus.on("acm", onRoutes);
  void run();
  const stop = () => {
    clearInterval(timer);
    bus.off("acm", onRoutes);
    holder.slipwayAcme = undefined;
    holder.slipwayAcmeDashboard = undefined;
  };
  holder.slipwayAcme = { stop, tick: run };
  return stop;
}

export function acmeFromEnv(): AcmeOptions {
  const e = env();
  return { directoryUrl: e.SLIPWAY_ACME_DIRECTORY_URL, email: e.SLIPWAY_ACME_EMAIL, dashboardHost: e.SLIPWAY_DASHBOARD_ACME ? e.SLIPWAY_DASHBOARD_HOST : undefined };
}

/** certs:auto:enable / disable / refresh. */
export async function setAcm(input: { appId: string; userId: string | null; acm: boolean }) {
  await db.app.update({ where: { id: input.appId }, data: { acm: input.acm } });
  await db.domain.updateMany({ where: { appId: input.appId, kind: "custom" }, data: input.acm ? { acmStatus: "pending", acmFailures: 0, acmRetryAt: null, acmStatusReason: null } : { acmStatus: null, acmStatusReason: null, acmFailures: 0, acmRetryAt: null } });
  await recordActivity({ kind: "certs.acm", message: `Automatic certificate management ${input.acm ? "enabled" : "disabled"}`, appId: input.appId, userId: input.userId, data: { acm: input.acm } });
  bus.emit("acm", { appId: input.appId });
}

export async function refreshAcm(appId: string) {
  await db.domain.updateMany({ where: { appId, kind: "custom" }, data: { acmRetryAt: null } });
  bus.emit("acm", { appId });
}
