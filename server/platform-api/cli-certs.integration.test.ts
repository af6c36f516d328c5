// The official `heroku` CLI's certs commands against a running platform
// (scripts/with-platform.sh npx vitest run server/platform-api/cli-certs.integration.test.ts):
// certs:add, certs, certs:info, certs:update, certs:remove with certificates from a test CA
// made by openssl, and the platform's router serving them over HTTPS by SNI.
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, apiOk, baseUrl, bearer, heroku, herokuBin, newUser, ok, removeHomes, unique } from "@/server/testing/heroku-cli";
import { getTls } from "@/server/testing/router";
import { waitFor } from "@/server/testing/runtime";
import { issueCert, makeTestCa, type TestCa } from "@/server/testing/tls";

type User = Awaited<ReturnType<typeof newUser>>;
/** The CLI's error text on one line (it wraps errors and prefixes each line with ›). */
const said = (r: { stderr: string }) => r.stderr.replace(/\s*›\s*/g, " ").replace(/\s+/g, " ");
const httpsPort = Number(process.env.SLIPWAY_TEST_ROUTER_HTTPS_PORT) || 0;

describe.skipIf(!baseUrl)("the heroku CLI's certs commands", { timeout: 180_000 }, () => {
  let owner: User;
  let ca: TestCa;
  const app = `clic-${unique()}${unique()}`.slice(0, 14);
  const domain = `www.${app}.example.com`;

  beforeAll(async () => {
    expect(fs.existsSync(herokuBin), `heroku CLI not found at ${herokuBin}`).toBe(true);
    ca = makeTestCa();
    owner = await newUser("certs");
    await apiOk("POST", "/apps", owner.apiKey, { name: app }); // apps:create is heroku-cli's case
    await ok(["domains:add", domain, "-a", app], { apiKey: owner.apiKey });
  });

  afterAll(async () => {
    if (owner) await api("DELETE", `/apps/${app}`, bearer(owner.apiKey));
    if (ca) fs.rmSync(ca.dir, { recursive: true, force: true });
    removeHomes();
  });

  it("certs:add checks and uploads, the router serves it by SNI, certs and certs:info show it, certs:update replaces it and certs:remove takes it away", async () => {
    expect((await ok(["certs", "-a", app], { apiKey: owner.apiKey })).stdout).toContain(`${app} has no SSL certificates.`);

    // Refusals say why.
    const cert = issueCert(ca, [domain]);
    const wrongKey = await heroku(["certs:add", cert.cert, issueCert(ca, [domain]).key, "-a", app], { apiKey: owner.apiKey });
    expect(wrongKey.code).not.toBe(0);
    expect(said(wrongKey)).toContain(`The private key does not belong to the certificate for ${domain}`);
    const other = issueCert(ca, ["shop.example.org"]);
    const uncovered = await heroku(["certs:add", other.cert, other.key, "-a", app], { apiKey: owner.apiKey });
    expect(said(uncovered)).toContain("which covers none of this app's domains");

    // certs:add asks which of the app's domains the certificate is for (typed ahead: space, enter).
    const added = await ok(["certs:add", cert.cert, cert.key, "-a", app], { apiKey: owner.apiKey, stdin: " \n" });
    expect(added.stderr).toContain(`Adding SSL certificate to ${app}... done`);
    expect(added.stdout).toMatch(new RegExp(`Common Name\\(s\\): +${domain.replace(/\./g, "\\.")}`));
    expect(added.stdout).toContain("Issuer:         /CN=Slipway Test CA");
    expect(added.stdout).toContain(`Domain(s):      ${domain}`);
    expect(added.stdout).toContain("SSL certificate is not trusted."); // the test CA is no public root
    expect(added.stdout).toContain(`Select domains ${domain}`);

    const listed = await ok(["certs", "-a", app], { apiKey: owner.apiKey });
    const name = /^\s*(\w+-\d{5})\s/m.exec(listed.stdout)?.[1];
    expect(name, listed.stdout).toBeTruthy();
    expect(listed.stdout).toMatch(new RegExp(`${name}\\s+${domain.replace(/\./g, "\\.")}\\s+.+\\s+False\\s+SNI\\s+1`));
    const info = await ok(["certs:info", "-a", app], { apiKey: owner.apiKey });
    expect(info.stderr).toContain(`Fetching SSL certificate ${name} info for ${app}... done`);
    expect(info.stdout).toContain(`Subject:        /CN=${domain}`);

    // The platform's router serves it over TLS for the domain (H14 behind it: no dynos).
    expect(httpsPort, "SLIPWAY_TEST_ROUTER_HTTPS_PORT").toBeGreaterThan(0);
    const served = await waitFor("the certificate served by SNI", async () => (await getTls(httpsPort, domain, "/", ca.certPem).catch(() => null)) ?? null);
    expect(served.peer.subjectaltname).toBe(`DNS:${domain}`);

    const wildcard = issueCert(ca, [`*.${app}.example.com`]);
    const updated = await ok(["certs:update", wildcard.cert, wildcard.key, "-a", app, "--confirm", app], { apiKey: owner.apiKey });
    expect(updated.stdout).toContain(`Common Name(s): *.${app}.example.com`);
    await waitFor("the replacement served", async () => ((await getTls(httpsPort, domain, "/", ca.certPem).catch(() => null))?.peer.subjectaltname === `DNS:*.${app}.example.com` ? true : null));

    const removed = await ok(["certs:remove", "-a", app, "--confirm", app], { apiKey: owner.apiKey });
    expect(removed.stderr).toContain(`Removing SSL certificate ${name} from ${app}... done`);
    expect((await ok(["certs", "-a", app], { apiKey: owner.apiKey })).stdout).toContain(`${app} has no SSL certificates.`);
  });

  it("certs:auto:enable turns ACM on and certs:auto shows each custom domain's state; certs:auto:disable turns it off", async () => {
    const enabled = await ok(["certs:auto:enable", "-a", app], { apiKey: owner.apiKey });
    expect(enabled.stderr).toContain(`Enabling Automatic Certificate Management... starting.`);
    const auto = await ok(["certs:auto", "-a", app], { apiKey: owner.apiKey });
    expect(auto.stdout).toContain(`Automatic Certificate Management is enabled on ${app}`);
    // No ACME server is reachable from the test platform: the domain waits (pending) or failed with a reason.
    expect(auto.stdout).toMatch(new RegExp(`${domain.replace(/\./g, "\\.")}\\s+(Pending|Failed)`));
    const disabled = await ok(["certs:auto:disable", "-a", app, "--confirm", app], { apiKey: owner.apiKey });
    expect(disabled.stderr).toContain("Disabling Automatic Certificate Management... done");
    expect((await ok(["certs:auto", "-a", app], { apiKey: owner.apiKey })).stdout).toContain(`Automatic Certificate Management is disabled on ${app}`);
  });
});
