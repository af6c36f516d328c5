// Custom domains an app must not claim: the dashboard's host (the router would serve the
// app where users sign in), IP literals, the base domain and other apps' names under it,
// and a domain another app already has.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/server/db";
import { reloadEnv } from "@/server/env";
import { AppError } from "@/server/errors";
import { createApp } from "@/server/services/apps";
import { addDomain } from "@/server/services/domains";
import { createUser } from "@/server/services/users";

const unique = () => Math.random().toString(36).slice(2, 8);
const saved = { url: process.env.SLIPWAY_PUBLIC_URL, base: process.env.SLIPWAY_BASE_DOMAIN };

beforeAll(() => {
  process.env.SLIPWAY_PUBLIC_URL = "https://Dash.Example.com:8443/";
  process.env.SLIPWAY_BASE_DOMAIN = "apps.example.com";
  reloadEnv();
});
afterAll(() => {
  for (const [k, v] of [["SLIPWAY_PUBLIC_URL", saved.url], ["SLIPWAY_BASE_DOMAIN", saved.base]] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  reloadEnv();
});

async function refused(p: Promise<unknown>) {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

describe("custom domains", () => {
  it("refuses the dashboard's host, IP literals and names under the base domain, adding nothing", async () => {
    const userId = (await createUser({ email: `d-${unique()}@example.com`, password: "password1" })).id;
    const app = await createApp({ userId, name: `d-${unique()}` });
    const victim = await createApp({ userId, name: `v-${unique()}` });
    const attempts: Array<[string, RegExp]> = [
      ["dash.example.com", /dashboard/],
      ["DASH.EXAMPLE.COM", /dashboard/],
      ["10.0.0.1", /IP address/],
      ["169.254.169.254", /IP address/],
      ["127.1", /IP address/],
      ["0x7f.0.0.1", /IP address/],
      ["example.0x7f000001", /IP address/],
      ["::1", /./],
      ["[::1]", /./],
      ["apps.example.com", /under apps\.example\.com/],
      [`${victim.name}.apps.example.com`, /under apps\.example\.com/],
    ];
    for (const [hostname, message] of attempts) {
      const err = await refused(addDomain({ appId: app.id, hostname }));
      expect(err.code, hostname).toBe("UNPROCESSABLE");
      expect(err.message, hostname).toMatch(message);
    }
    expect(await db.domain.count({ where: { appId: app.id } })).toBe(0);
  });

  it("refuses another app's domain, whatever its case", async () => {
    const userId = (await createUser({ email: `d-${unique()}@example.com`, password: "password1" })).id;
    const [mine, theirs] = [await createApp({ userId, name: `d-${unique()}` }), await createApp({ userId, name: `d-${unique()}` })];
    const host = `www-${unique()}.example.org`;
    await addDomain({ appId: theirs.id, hostname: host });
    expect((await refused(addDomain({ appId: mine.id, hostname: host.toUpperCase() }))).code).toBe("CONFLICT");
    expect(await db.domain.findMany({ where: { hostname: host }, select: { appId: true } })).toEqual([{ appId: theirs.id }]);
    // An ordinary hostname (digits inside labels included) is fine.
    await addDomain({ appId: mine.id, hostname: `shop-${unique()}.example2.org` });
  });
});
