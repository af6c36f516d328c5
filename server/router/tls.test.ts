// HTTPS at the router for real: HAProxy terminating TLS with certificates from a test CA
// made by openssl (the default one, and uploaded ones served by SNI), real dynos behind it,
// and Node TLS / HTTP/2 clients that trust only that CA.
import fs from "node:fs";
import http from "node:http";
import http2 from "node:http2";
import path from "node:path";
import tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { publishAndWaitForRouter } from "@/server/router/publish";
import { createApp } from "@/server/services/apps";
import { addSniEndpoint, removeSniEndpoint, setHttpsSettings, updateSniEndpoint } from "@/server/services/certificates";
import { addDomain } from "@/server/services/domains";
import { setAcm, startAcme } from "@/server/services/acme";
import { db } from "@/server/db";
import { startPebble } from "@/server/testing/pebble";
import { releaseImage } from "@/server/services/deploys";
import { testRuntimeOptions, waitFor } from "@/server/testing/runtime";
import { startRouterSuite, stopRouterSuite, type RouterSuite } from "@/server/testing/router-suite";
import { get, getTls } from "@/server/testing/router";
import { issueCert, makeTestCa, type TestCa } from "@/server/testing/tls";

const opts = testRuntimeOptions({ drain: () => publishAndWaitForRouter(5_000) });
let suite: Partial<RouterSuite> = {};
let ca: TestCa;
// Node's TLS client refuses a wildcard directly under a one-label name (*.localhost), so the
// default certificate names the apps of this file.
const stamp = Date.now().toString(36);
const names = { tls: `tls-${stamp}`, redir: `redir-${stamp}`, sni: `sni-${stamp}`, acme: `acme-${stamp}` };
const host = (name: string) => `${name}.localhost`;
// The dashboard's own name (SLIPWAY_DASHBOARD_HOST), sent by the router to a stand-in control
// plane that says which scheme the router told it.
const dashHost = `dash-${stamp}.example.com`;
let upstream: http.Server;

beforeAll(async () => {
  upstream = http.createServer((req, res) => res.end(`control plane via ${req.headers["x-forwarded-proto"]}`));
  await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", r));
  ca = makeTestCa();
  const fallback = issueCert(ca, Object.values(names).map(host));
  const defaultCert = path.join(ca.dir, "default.pem");
  fs.writeFileSync(defaultCert, fallback.certPem + fallback.keyPem);
  suite = await startRouterSuite(opts, { timeoutMs: 5_000, user: "tls", routerEnv: { SLIPWAY_ROUTER_TLS_CERT: defaultCert, SLIPWAY_DASHBOARD_HOST: dashHost, SLIPWAY_DASHBOARD_UPSTREAM: `127.0.0.1:${(upstream.address() as { port: number }).port}` } });
});

afterAll(async () => {
  await stopRouterSuite(opts, suite);
  upstream?.close();
  if (ca) fs.rmSync(ca.dir, { recursive: true, force: true });
});

async function deployed(name: string) {
  const app = await createApp({ userId: suite.userId!, name });
  await releaseImage({ appId: app.id, userId: suite.userId!, imageTag: suite.image!, processTypes: { web: "node server.js" }, description: "test" });
  await waitFor(`${app.name} to answer`, async () => ((await get(suite.router!.port, host(app.name))).status === 200 ? true : null), 30_000);
  return app;
}

type Echo = { dyno: string; headers: Record<string, string> };

describe("HTTPS at the router", () => {
  it("terminates TLS 1.2+ with the default certificate, speaks HTTP/2 by ALPN, and tells the dyno it was HTTPS", async () => {
    const { port, httpsPort } = suite.router!;
    const app = await deployed(names.tls);
    const r = await getTls(httpsPort, host(app.name), "/headers", ca.certPem);
    expect(r.status).toBe(200);
    expect(r.protocol).toBe("TLSv1.3");
    expect(r.peer.subjectaltname).toContain(`DNS:${host(app.name)}`);
    const echo = JSON.parse(r.body) as Echo;
    expect(echo.headers["x-forwarded-proto"]).toBe("https");
    expect(echo.headers["x-forwarded-port"]).toBe(String(httpsPort));
    // Plain HTTP still says http.
    const plain = JSON.parse((await get(port, host(app.name), "/headers")).body) as Echo;
    expect(plain.headers["x-forwarded-proto"]).toBe("http");
    expect(plain.headers["x-forwarded-port"]).toBe(String(port));

    // HTTP/2, negotiated by ALPN, to an HTTP/1.1 dyno.
    const session = http2.connect(`https://${host(app.name)}:${httpsPort}`, { ca: ca.certPem, lookup: (_h, _o, cb) => cb(null, [{ address: "127.0.0.1", family: 4 }] as never, 4) });
    const h2 = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      session.on("error", reject);
      const req = session.request({ ":path": "/headers" });
      let body = "";
      let status = 0;
      req.on("response", (h) => (status = Number(h[":status"])));
      req.on("data", (d) => (body += d));
      req.on("end", () => resolve({ status, body }));
      req.on("error", reject);
    });
    expect(session.alpnProtocol).toBe("h2");
    session.close();
    expect(h2.status).toBe(200);
    expect((JSON.parse(h2.body) as Echo).headers["x-forwarded-proto"]).toBe("https");

    // TLS 1.1 and older are refused; TLS 1.2 uses a forward-secret AEAD cipher.
    const handshake = (o: tls.ConnectionOptions) =>
      new Promise<{ version: string | null; cipher: string } | Error>((resolve) => {
        const s = tls.connect({ host: "127.0.0.1", port: httpsPort, servername: host(app.name), ca: ca.certPem, ...o }, () => {
          const got = { version: s.getProtocol(), cipher: s.getCipher().name };
          s.destroy();
          resolve(got);
        });
        s.on("error", (err) => resolve(err));
      });
    expect(await handshake({ minVersion: "TLSv1", maxVersion: "TLSv1.1", ciphers: "DEFAULT:@SECLEVEL=0" })).toBeInstanceOf(Error);
    const v12 = await handshake({ maxVersion: "TLSv1.2" });
    expect(v12).toMatchObject({ version: "TLSv1.2" });
    expect((v12 as { cipher: string }).cipher).toMatch(/^ECDHE-(ECDSA|RSA)-(AES\d+-GCM|CHACHA20-POLY1305)/);
  });

  it("redirects plain HTTP to HTTPS (308) and sends HSTS when the app asks; a reload lets an HTTPS request in flight finish", async () => {
    const { port, httpsPort } = suite.router!;
    const app = await deployed(names.redir);
    await setHttpsSettings({ appId: app.id, userId: suite.userId!, sslRedirect: true, hsts: true });
    const redirected = await waitFor("the 308", async () => {
      const r = await get(port, host(app.name), "/a/b?c=1");
      return r.status === 308 ? r : null;
    });
    expect(redirected.headers.location).toBe(`https://${host(app.name)}:${httpsPort}/a/b?c=1`);
    expect(redirected.headers["strict-transport-security"]).toBeUndefined();
    const secure = await getTls(httpsPort, host(app.name), "/", ca.certPem);
    expect(secure.status).toBe(200);
    expect(secure.headers["strict-transport-security"]).toBe("max-age=31536000");

    // A request in flight over TLS while the router reloads (the settings change) finishes.
    const slow = getTls(httpsPort, host(app.name), "/sleep?ms=2500", ca.certPem);
    await new Promise((r) => setTimeout(r, 300)); // let the request reach the dyno before the reload
    await setHttpsSettings({ appId: app.id, userId: suite.userId!, sslRedirect: false, hsts: false });
    await waitFor("plain HTTP served again", async () => ((await get(port, host(app.name))).status === 200 ? true : null));
    const done = await slow;
    expect(done.status).toBe(200);
    expect(done.headers["strict-transport-security"]).toBe("max-age=31536000"); // answered by the old worker
    expect((await getTls(httpsPort, host(app.name), "/", ca.certPem)).headers["strict-transport-security"]).toBeUndefined();
  });

  it("serves an uploaded certificate by SNI for the app's domains it covers, a replacement after certs:update, and the default once removed", async () => {
    const { httpsPort } = suite.router!;
    const app = await deployed(names.sni);
    const domain = `www.${app.name}.example.com`;
    await addDomain({ appId: app.id, hostname: domain });
    const first = issueCert(ca, [domain, `api.${app.name}.example.com`]);
    const endpoint = await addSniEndpoint({ appId: app.id, userId: suite.userId!, certificateChain: first.certPem, privateKey: first.keyPem });
    expect(endpoint.domains).toEqual([domain]);
    const served = await waitFor("the uploaded certificate by SNI", async () => {
      const r = await getTls(httpsPort, domain, "/headers", ca.certPem).catch(() => null);
      return r?.status === 200 ? r : null;
    });
    expect(served.peer.subjectaltname).toBe(`DNS:${domain}, DNS:api.${app.name}.example.com`);
    expect((JSON.parse(served.body) as Echo).headers.host).toBe(domain);
    // The app's default hostname, not covered by the upload, keeps the default certificate.
    expect((await getTls(httpsPort, host(app.name), "/", ca.certPem)).peer.subjectaltname).toContain(`DNS:${host(app.name)}`);

    const second = issueCert(ca, [`*.${app.name}.example.com`]);
    await updateSniEndpoint({ appId: app.id, userId: suite.userId!, nameOrId: endpoint.name, certificateChain: second.certPem, privateKey: second.keyPem });
    await waitFor("the replacement certificate", async () => ((await getTls(httpsPort, domain, "/", ca.certPem).catch(() => null))?.peer.subjectaltname === `DNS:*.${app.name}.example.com` ? true : null));

    await removeSniEndpoint({ appId: app.id, userId: suite.userId!, nameOrId: endpoint.name });
    // Back to the default certificate, which does not name the domain: a validating client refuses it.
    const refused = await waitFor("the default certificate again", async () => {
      const err = await getTls(httpsPort, domain, "/", ca.certPem).then(() => null, (e: Error) => e);
      return err && /altnames/.test(err.message) ? err : null;
    });
    expect(refused.message).toContain(domain);
  });
});

describe("automatic certificates (ACME) against Pebble", () => {
  it("gets a certificate for a custom domain through HTTP-01 on the router, serves it by SNI, renews it near expiry, and reports a failure with a reason", { timeout: 150_000 }, async () => {
    const { httpsPort } = suite.router!;
    const pebble = await startPebble(ca, suite.router!.port);
    const stops: Array<() => void> = [];
    try {
      const app = await deployed(names.acme);
      const domain = `www.${app.name}.example.com`;
      await addDomain({ appId: app.id, hostname: domain });
      stops.push(startAcme({ directoryUrl: pebble.directoryUrl, ca: pebble.ca, intervalMs: 500, backoffMs: 60_000 }));
      await setAcm({ appId: app.id, userId: suite.userId!, acm: true });
      const issued = await waitFor("ACM to issue", async () => {
        const d = await db.domain.findUniqueOrThrow({ where: { hostname: domain } });
        if (d.acmStatus === "failed") throw new Error(`ACM failed: ${d.acmStatusReason}\n${pebble.output().slice(-2000)}`);
        return d.acmStatus === "cert issued" ? d : null;
      }, 40_000);
      expect(issued.acmStatusReason).toBeNull();
      const root = await pebble.root();
      const served = await waitFor("the ACME certificate by SNI", async () => (await getTls(httpsPort, domain, "/", root).catch(() => null)) ?? null);
      expect(served.status).toBe(200);
      expect(served.peer.subjectaltname).toBe(`DNS:${domain}`);
      expect(served.peer.issuer.CN).toMatch(/^Pebble Intermediate CA/);
      const first = served.peer.serialNumber;

      // Near expiry (here: renew anything expiring within 100 years): a new certificate replaces it.
      stops.pop()!();
      stops.push(startAcme({ directoryUrl: pebble.directoryUrl, ca: pebble.ca, intervalMs: 500, renewBeforeDays: 36_500 }));
      const renewed = await waitFor("the renewed certificate served", async () => {
        const d = await db.domain.findUniqueOrThrow({ where: { hostname: domain } });
        if (d.acmStatusReason) throw new Error(`renewal failed: ${d.acmStatusReason}`);
        const r = await getTls(httpsPort, domain, "/", root).catch(() => null);
        return r && r.peer.serialNumber !== first ? r : null;
      }, 60_000);
      expect(renewed.peer.subjectaltname).toBe(`DNS:${domain}`);
      stops.pop()!();

      // An ACME server that cannot be reached: the domain says why, and waits before trying again.
      const broken = `api.${app.name}.example.com`;
      stops.push(startAcme({ directoryUrl: "https://localhost:1/dir", intervalMs: 500, backoffMs: 60_000, orderTimeoutMs: 3_000 }));
      await addDomain({ appId: app.id, hostname: broken });
      const failed = await waitFor("the failure", async () => {
        const d = await db.domain.findUniqueOrThrow({ where: { hostname: broken } });
        return d.acmStatus === "failed" ? d : null;
      }, 30_000);
      expect(failed.acmStatusReason).toBe("The ACME server (https://localhost:1/dir) did not complete the order within 3 s.");
      expect(failed.acmFailures).toBe(1);
      expect(failed.acmRetryAt!.getTime()).toBeGreaterThan(Date.now() + 30_000);
    } finally {
      for (const stop of stops) stop();
      if (process.env.DEBUG_ACME) console.log(pebble.output().slice(-6000), suite.router!.output().slice(-3000));
      await pebble.stop();
    }
  });

  it("gets the dashboard's own certificate (SLIPWAY_DASHBOARD_HOST) over HTTP-01 and serves the control plane under it", { timeout: 90_000 }, async () => {
    const { port, httpsPort } = suite.router!;
    const pebble = await startPebble(ca, port);
    const stop = startAcme({ directoryUrl: pebble.directoryUrl, ca: pebble.ca, intervalMs: 500, backoffMs: 60_000, dashboardHost: dashHost });
    try {
      const root = await pebble.root();
      const served = await waitFor("the dashboard's ACME certificate", async () => (await getTls(httpsPort, dashHost, "/api/health", root).catch(() => null)) ?? null, 40_000);
      expect(served.status).toBe(200);
      expect(served.body).toBe("control plane via https");
      expect(served.peer.subjectaltname).toBe(`DNS:${dashHost}`);
      expect(served.peer.issuer.CN).toMatch(/^Pebble Intermediate CA/);
      // Plain HTTP for the dashboard's name goes to HTTPS.
      const plain = await get(port, dashHost, "/login?x=1");
      expect(plain.status).toBe(308);
      expect(plain.headers.location).toBe(`https://${dashHost}:${httpsPort}/login?x=1`);
    } finally {
      stop();
      await pebble.stop();
    }
  });
});
