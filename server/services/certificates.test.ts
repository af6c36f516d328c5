// Uploaded certificates, checked before they are kept: chain order, the key, validity and
// that they cover a domain of the app; the key kept encrypted. Certificates from a test CA
// made with openssl (server/testing/tls.ts); serving them is server/router/tls.test.ts.
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/server/db";
import { createApp } from "@/server/services/apps";
import { addSniEndpoint, listSniEndpoints } from "@/server/services/certificates";
import { addDomain } from "@/server/services/domains";
import { callerFor, errorOf, newUser, unique } from "@/server/testing/callers";
import { issueCert, makeTestCa, type TestCa } from "@/server/testing/tls";

let ca: TestCa;
let other: TestCa;
beforeAll(() => {
  ca = makeTestCa();
  other = makeTestCa("Another Test CA");
});
afterAll(() => {
  for (const c of [ca, other]) fs.rmSync(c.dir, { recursive: true, force: true });
});

describe("uploaded certificates", () => {
  it("refuse what cannot serve the app, each with a reason, and keep the key encrypted", async () => {
    const user = await newUser("certs");
    const app = await createApp({ userId: user.id, name: `certs-${unique()}` });
    const domain = `www.${app.name}.example.com`;
    await addDomain({ appId: app.id, hostname: domain });
    const good = issueCert(ca, [domain]);
    const api = callerFor(user.id);
    const add = (certificateChain: string, privateKey: string) => errorOf(api.certs.add({ app: app.name, certificateChain, privateKey }));

    expect((await add("hello", good.keyPem)).message).toMatch(/^No certificate found/);
    expect((await add(good.certPem, "not a key")).message).toMatch(/^No private key found/);
    expect((await add(good.certPem, issueCert(ca, [domain]).keyPem)).message).toMatch(/^The private key does not belong to the certificate for www\./);
    const expired = issueCert(ca, [domain], { days: -2 });
    expect((await add(expired.certPem, expired.keyPem)).message).toMatch(/^The certificate expired on \d{4}-\d\d-\d\d/);
    const elsewhere = issueCert(ca, ["shop.example.org"]);
    expect((await add(elsewhere.certPem, elsewhere.keyPem)).message).toBe(
      `The certificate is for shop.example.org, which covers none of this app's domains (${app.name}.localhost, ${domain}). Add the domain to the app first (heroku domains:add), or upload a certificate for one of them.`,
    );
    // A chain whose second certificate did not issue the first.
    expect((await add(good.certPem + other.certPem, good.keyPem)).message).toMatch(/^The chain is out of order or incomplete: certificate 2 \(\/CN=Another Test CA\) did not issue certificate 1/);
    expect(await db.sniEndpoint.count({ where: { appId: app.id } })).toBe(0);

    // Leaf + its CA is a proper chain; a wildcard covers one label.
    const wild = issueCert(ca, [`*.${app.name}.example.com`]);
    const added = await addSniEndpoint({ appId: app.id, userId: user.id, certificateChain: wild.certPem + ca.certPem, privateKey: wild.keyPem });
    expect(added).toMatchObject({ names: [`*.${app.name}.example.com`], domains: [domain], selfSigned: false, caSigned: false, issuer: "/CN=Slipway Test CA" });
    expect(added).not.toHaveProperty("privateKeyEnc");
    const row = await db.sniEndpoint.findUniqueOrThrow({ where: { id: added.id } });
    expect(row.privateKeyEnc).toMatch(/^v1:/);
    expect(row.privateKeyEnc).not.toContain("PRIVATE KEY");
    expect((await listSniEndpoints(app.id)).map((e) => e.name)).toEqual([added.name]);

    // The dashboard's door lists without the key and removes.
    expect((await api.certs.list({ app: app.name }))[0]).not.toHaveProperty("privateKeyEnc");
    await api.certs.remove({ app: app.name, name: added.name });
    expect(await api.certs.list({ app: app.name })).toEqual([]);
  });
});
