// Quotas at the shared services: each attack asks for more than its owner's (or the
// installation's) share through the same call every door makes, and must be refused with
// QUOTA_EXCEEDED (422 quota_exceeded) naming the limit and the use, changing nothing.
import { Readable } from "node:stream";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { encryptJson } from "@/server/crypto";
import { db } from "@/server/db";
import { reloadEnv } from "@/server/env";
import { AppError, ERROR_TABLE } from "@/server/errors";
import { captureBackup } from "@/server/services/addon-backups";
import { createAddon } from "@/server/services/addons";
import { createApp } from "@/server/services/apps";
import { createBuild } from "@/server/services/builds";
import { runCommand, updateFormation } from "@/server/services/formation";
import { quotasForApp } from "@/server/services/quotas";
import { setStandbyPool } from "@/server/services/standby";
import { createTeam } from "@/server/services/teams";
import { createUser } from "@/server/services/users";

const unique = () => Math.random().toString(36).slice(2, 8);
const SETTINGS = {
  SLIPWAY_QUOTA_DYNO_MEMORY_MB: "2048",
  SLIPWAY_QUOTA_TOTAL_DYNO_MEMORY_MB: "4096",
  SLIPWAY_QUOTA_DYNOS_PER_PROCESS_TYPE: "3",
  SLIPWAY_QUOTA_ONE_OFF_DYNOS: "2",
  SLIPWAY_QUOTA_ADDONS: "2",
  SLIPWAY_QUOTA_BACKUPS_PER_ADDON: "2",
  SLIPWAY_QUOTA_QUEUED_BUILDS_PER_APP: "2",
  SLIPWAY_QUOTA_QUEUED_BUILDS: "3",
};

beforeEach(async () => {
  Object.assign(process.env, SETTINGS);
  reloadEnv();
  // The installation-wide sum covers every app in this test database: start each test empty.
  await db.formation.deleteMany({});
  await db.dyno.deleteMany({});
});
afterAll(() => {
  for (const k of Object.keys(SETTINGS)) delete process.env[k];
  reloadEnv();
});

async function refusal(p: Promise<unknown>): Promise<string> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(AppError);
  expect((err as AppError).code).toBe("QUOTA_EXCEEDED");
  return (err as AppError).message;
}

async function appWithWeb(opts: { teamName?: string; userId?: string; web?: number; size?: string } = {}) {
  const userId = opts.userId ?? (await createUser({ email: `q-${unique()}@example.com`, password: "password1" })).id;
  const app = await createApp({ userId, name: `q-${unique()}`, teamName: opts.teamName });
  await db.formation.create({ data: { appId: app.id, type: "web", quantity: opts.web ?? 1, size: opts.size ?? "standard-1x" } });
  await db.formation.create({ data: { appId: app.id, type: "worker", quantity: 0, size: "standard-1x" } });
  return { userId, app };
}

const scaleOf = async (appId: string) =>
  (await db.formation.findMany({ where: { appId }, orderBy: { type: "asc" }, select: { type: true, quantity: true, size: true } })).map((f) => `${f.type}=${f.quantity}:${f.size}`);

describe("quotas", () => {
  it("maps to 422 with Heroku's id quota_exceeded", () => {
    expect(ERROR_TABLE.QUOTA_EXCEEDED).toMatchObject({ http: 422, herokuId: "quota_exceeded", trpc: "UNPROCESSABLE_CONTENT" });
  });

  it("refuses a scale past the owner's dyno memory, naming the limit and the use, and changes nothing", async () => {
    const { app } = await appWithWeb();
    await updateFormation({ appId: app.id, updates: [{ type: "web", quantity: 3 }, { type: "worker", quantity: 1 }] }); // 2 GB: at the limit
    const message = await refusal(updateFormation({ appId: app.id, updates: [{ type: "worker", quantity: 1, size: "standard-2x" }] }));
    expect(message).toBe("This would use 2.5 GB of dyno memory; your limit is 2 GB (2 GB in use).");
    expect(await refusal(updateFormation({ appId: app.id, updates: [{ type: "web", quantity: 1, size: "performance-l" }] }))).toMatch(/would use 14.5 GB .* your limit is 2 GB/);
    expect(await scaleOf(app.id)).toEqual(["web=3:standard-1x", "worker=1:standard-1x"]);
    // Going down is always allowed, even above a limit that was lowered meanwhile.
    process.env.SLIPWAY_QUOTA_DYNO_MEMORY_MB = "1024";
    reloadEnv();
    await updateFormation({ appId: app.id, updates: [{ type: "web", quantity: 2 }] });
    expect(await scaleOf(app.id)).toEqual(["web=2:standard-1x", "worker=1:standard-1x"]);
  });

  it("counts a standby pool's memory: a pool past the limit is refused, and a pool held counts against a scale", async () => {
    const { app } = await appWithWeb({ web: 2 }); // 1 GB
    // Paused standbys hold real memory: parking it outside the quota is the attack.
    expect(await refusal(setStandbyPool({ appId: app.id, size: 3 }))).toBe("This would use 2.5 GB of dyno memory; your limit is 2 GB (1 GB in use).");
    expect((await db.app.findUniqueOrThrow({ where: { id: app.id } })).standbyDynos).toBe(0);
    await setStandbyPool({ appId: app.id, size: 2 }); // 2 GB with the formation: at the limit
    expect(await refusal(updateFormation({ appId: app.id, updates: [{ type: "worker", quantity: 1 }] }))).toBe(
      "This would use 2.5 GB of dyno memory; your limit is 2 GB (2 GB in use).",
    );
    await setStandbyPool({ appId: app.id, size: 1 }); // shrinking is always allowed
    await updateFormation({ appId: app.id, updates: [{ type: "worker", quantity: 1 }] });
    expect(await scaleOf(app.id)).toEqual(["web=2:standard-1x", "worker=1:standard-1x"]);
  });

  it("refuses more dynos per process type than allowed", async () => {
    process.env.SLIPWAY_QUOTA_DYNO_MEMORY_MB = "8192";
    reloadEnv();
    const { app } = await appWithWeb();
    expect(await refusal(updateFormation({ appId: app.id, updates: [{ type: "worker", quantity: 4, size: "standard-1x" }] }))).toBe(
      "You can run at most 3 dynos per process type; worker would have 4 (0 running).",
    );
    expect(await scaleOf(app.id)).toEqual(["web=1:standard-1x", "worker=0:standard-1x"]);
  });

  it("counts every app of a team together, and not other owners' apps", async () => {
    const alice = (await createUser({ email: `q-${unique()}@example.com`, password: "password1" })).id;
    const team = await createTeam({ userId: alice, name: `qt-${unique()}` });
    const one = await appWithWeb({ userId: alice, teamName: team.name, web: 2, size: "standard-2x" }); // 2 GB
    const two = await appWithWeb({ userId: alice, teamName: team.name, web: 0 });
    const personal = await appWithWeb({ userId: alice, web: 0 }); // alice's own quota is separate
    expect(await refusal(updateFormation({ appId: two.app.id, updates: [{ type: "web", quantity: 1 }] }))).toBe(
      `This would use 2.5 GB of dyno memory; team ${team.name}'s limit is 2 GB (2 GB in use).`,
    );
    await updateFormation({ appId: personal.app.id, updates: [{ type: "web", quantity: 2 }] });
    expect(await scaleOf(one.app.id)).toEqual(["web=2:standard-2x", "worker=0:standard-1x"]);
  });

  it("refuses past the installation's total even within the owner's own limit", async () => {
    await appWithWeb({ web: 2, size: "standard-2x" });
    await appWithWeb({ web: 1, size: "standard-2x" }); // 3 GB in use by others
    const { app } = await appWithWeb({ web: 0 });
    await updateFormation({ appId: app.id, updates: [{ type: "web", quantity: 2 }] }); // 4 GB
    expect(await refusal(updateFormation({ appId: app.id, updates: [{ type: "web", quantity: 3 }] }))).toBe(
      "This would use 4.5 GB of dyno memory; this installation's limit is 4 GB (4 GB in use).",
    );
  });

  it("refuses one-off dynos past the count and the memory, before any container exists", async () => {
    const { app } = await appWithWeb({ web: 3 }); // 1.5 GB of 2 GB
    const run = (size?: string) => runCommand({ appId: app.id, command: "true", size, onOutput: () => {} });
    expect(await refusal(run("standard-2x"))).toBe("This would use 2.5 GB of dyno memory; your limit is 2 GB (1.5 GB in use).");
    for (const name of ["run.1", "run.2"]) await db.dyno.create({ data: { appId: app.id, name, type: "run", size: "eco", state: "up" } });
    expect(await refusal(run())).toBe("You can run at most 2 one-off dynos at once; 2 are running. Wait for one to finish or stop it.");
    // Under the limits the call goes on to the dyno manager (not running in this test).
    await db.dyno.deleteMany({ where: { appId: app.id } });
    await expect(run()).rejects.toMatchObject({ code: "UNAVAILABLE" });
  });

  it("refuses an add-on past the owner's count, with no row or container created", async () => {
    const { userId, app } = await appWithWeb();
    const other = await createApp({ userId, name: `q-${unique()}` });
    for (const a of [app, other]) await db.addon.create({ data: { name: `qa-${unique()}`, appId: a.id, service: "slipway-redis", plan: "mini", state: "failed" } });
    expect(await refusal(createAddon({ appId: app.id, userId, service: "heroku-redis" }))).toBe("You can have at most 2 add-ons; 2 exist. Destroy one to add another.");
    expect(await db.addon.count({ where: { app: { ownerId: userId } } })).toBe(2);
    expect((await quotasForApp(app.id)).addons).toEqual({ used: 2, limit: 2 });
  });

  it("refuses a backup past the add-on's count, and a second one while one runs", async () => {
    const { app } = await appWithWeb();
    const addon = await db.addon.create({ data: { name: `qa-${unique()}`, appId: app.id, service: "slipway-postgresql", plan: "essential-0", state: "available", configEnc: encryptJson({}) } });
    await db.addonBackup.create({ data: { addonId: addon.id, number: 1, status: "running" } });
    expect(await refusal(captureBackup({ addonId: addon.id }))).toBe("A backup of this add-on is already running; wait for it to finish.");
    await db.addonBackup.update({ where: { addonId_number: { addonId: addon.id, number: 1 } }, data: { status: "completed" } });
    await db.addonBackup.create({ data: { addonId: addon.id, number: 2, status: "failed" } });
    expect(await refusal(captureBackup({ addonId: addon.id }))).toBe("An add-on keeps at most 2 backups; this one has 2.");
    expect(await db.addonBackup.count({ where: { addonId: addon.id } })).toBe(2);
  });

  it("refuses queued builds past the app's and the owner's count, and drains the source", async () => {
    const { userId, app } = await appWithWeb();
    const queue = (appId: string, n: number) => db.build.createMany({ data: Array.from({ length: n }, () => ({ appId, status: "queued" })) });
    const build = (appId: string) => {
      const source = Readable.from([Buffer.alloc(64 * 1024)]);
      return { source, p: createBuild({ appId, userId, sourceKind: "tarball", sourceVersion: null, source }) };
    };
    await queue(app.id, 2);
    const first = build(app.id);
    expect(await refusal(first.p)).toBe("An app can have at most 2 builds queued or running; this one has 2. Wait for one to finish.");
    expect(first.source.readableFlowing).toBe(true); // a git push's archive is not left blocked
    const other = await createApp({ userId, name: `q-${unique()}` });
    await queue(other.id, 1);
    const third = await createApp({ userId, name: `q-${unique()}` });
    expect(await refusal(build(third.id).p)).toBe("You can have at most 3 builds queued or running; 3 are. Wait for one to finish.");
    expect(await db.build.count({ where: { app: { ownerId: userId } } })).toBe(3);
  });

  it("reports the headroom the dashboard shows", async () => {
    const { app } = await appWithWeb({ web: 2 });
    expect(await quotasForApp(app.id)).toMatchObject({
      owner: { kind: "user" },
      dynoMemory: { usedMb: 1024, limitMb: 2048 },
      installationMemory: { usedMb: 1024, limitMb: 4096 },
      dynosPerProcessType: 3,
      addons: { used: 0, limit: 2 },
    });
  });
});
