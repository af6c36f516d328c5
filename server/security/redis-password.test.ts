// The Redis add-on never answers without its password: not even between the container's
// start and the platform's setup (it used to start open and get `requirepass` by exec).
// Real Engine, real image: while provisioning, a client without a password keeps trying.
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addonResourceName } from "@/server/addons/engine";
import { redisProvider } from "@/server/addons/redis";
import { resolvePlan } from "@/server/addons/registry";
import type { AddonTarget } from "@/server/addons/types";
import { docker } from "@/server/runtime/docker";
import { ensureAddonImages } from "@/server/testing/addon-images";
import { redisCommands, type RespReply } from "@/server/testing/resp";

const target: AddonTarget = {
  installation: `test-${crypto.randomBytes(5).toString("hex")}`,
  id: crypto.randomUUID(),
  name: `redis-sec-${crypto.randomBytes(3).toString("hex")}`,
  plan: resolvePlan("slipway-redis").plan,
};

beforeAll(() => ensureAddonImages(), 600_000);
afterAll(() => redisProvider.deprovision(target).catch(() => undefined));

async function ip(): Promise<string | null> {
  const info = await docker().getContainer(addonResourceName(target)).inspect().catch(() => null);
  return info?.State.Running ? (info.NetworkSettings.Networks[addonResourceName(target)]?.IPAddress ?? null) : null;
}

/** PING without a password: the reply, or null when nothing listens yet. */
async function anonymousPing(): Promise<RespReply | null> {
  const host = await ip();
  if (!host) return null;
  return (await redisCommands("redis://x:6379", [["PING"]], host).catch(() => [null]))[0] ?? null;
}

describe("Redis add-on password", () => {
  it("refuses clients without the password from its first moment, through setup", async () => {
    const credentials = redisProvider.newCredentials();
    const seen: RespReply[] = [];
    const atSetup: RespReply[] = [];
    let provisioning = true;
    const poller = (async () => {
      while (provisioning) {
        const reply = await anonymousPing();
        if (reply !== null) seen.push(reply);
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    await redisProvider.provision(target, credentials, async (step) => {
      // Redis answers by now, and the platform has not set anything by exec yet.
      if (/^Setting the password/.test(step)) atSetup.push(await anonymousPing());
    });
    provisioning = false;
    await poller;

    expect(atSetup).toHaveLength(1);
    expect(String(atSetup[0])).toMatch(/^Error: NOAUTH/);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.filter((r) => !String(r).match(/^Error: NOAUTH/))).toEqual([]);
    // With the password it works, and the config on the volume keeps it across a restart.
    const url = redisProvider.url({ ...target, name: "x" }, credentials);
    expect(await redisCommands(url, [["SET", "k", "v"], ["GET", "k"]], (await ip())!)).toEqual(["OK", "v"]);
    await docker().getContainer(addonResourceName(target)).restart({ t: 1 });
    for (let i = 0; i < 200 && (await anonymousPing()) === null; i++) await new Promise((r) => setTimeout(r, 50));
    expect(String(await anonymousPing())).toMatch(/^Error: NOAUTH/);
  });
});
