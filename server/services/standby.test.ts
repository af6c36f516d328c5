// The standby pool setting (no Engine here: the unit tier has none, so no runtime reads the
// pool; what the Engine does with it is server/runtime/standby-pool.test.ts).
import { describe, expect, it } from "vitest";
import { db } from "@/server/db";
import { handlePlatformRequest } from "@/server/platform-api/handle";
import { createApiKey } from "@/server/services/api-keys";
import { createApp } from "@/server/services/apps";
import { getStandbyPool, MAX_STANDBY_DYNOS } from "@/server/services/standby";
import { callerFor, errorOf, newUser } from "@/server/testing/callers";

describe("standby pool setting", () => {
  it("defaults to 0, is set within 0…max through tRPC with one audit event, and refuses the rest", async () => {
    const user = await newUser("standby-setting");
    const app = await createApp({ userId: user.id });
    const caller = callerFor(user.id);
    expect(await caller.formation.standby({ app: app.name })).toMatchObject({ size: 0, max: MAX_STANDBY_DYNOS, ready: 0 });

    expect(await caller.formation.setStandby({ app: app.name, size: 3 })).toMatchObject({ size: 3 });
    await caller.formation.setStandby({ app: app.name, size: 3 }); // unchanged: no second event
    expect((await getStandbyPool(app.id)).size).toBe(3);
    const events = await db.activityEvent.findMany({ where: { appId: app.id, kind: "formation.standby" } });
    expect(events.map((e) => e.message)).toEqual(["Set the standby pool from 0 to 3 web dynos"]);

    expect((await errorOf(caller.formation.setStandby({ app: app.name, size: MAX_STANDBY_DYNOS + 1 }))).code).toBe("BAD_REQUEST");
    expect((await errorOf(caller.formation.setStandby({ app: app.name, size: -1 }))).code).toBe("BAD_REQUEST");
    expect((await getStandbyPool(app.id)).size).toBe(3);
  });

  it("the Platform API door reads and sets it by the same rule", async () => {
    const user = await newUser("standby-api");
    const app = await createApp({ userId: user.id });
    const key = (await createApiKey({ userId: user.id, description: "standby test" })).token;
    const api = async (method: string, body?: unknown) => {
      const res = await handlePlatformRequest(
        new Request(`http://localhost/api/v3/apps/${app.name}/standby-pool`, {
          method,
          headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json", Accept: "application/vnd.heroku+json; version=3" },
          body: body === undefined ? undefined : JSON.stringify(body),
        }),
      );
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    expect(await api("GET")).toMatchObject({ status: 200, body: { size: 0, max: MAX_STANDBY_DYNOS, ready: 0 } });
    expect(await api("PATCH", { size: 2 })).toMatchObject({ status: 200, body: { size: 2 } });
    expect((await api("PATCH", { size: MAX_STANDBY_DYNOS + 1 })).status).toBe(400);
    expect((await getStandbyPool(app.id)).size).toBe(2);
  });
});
