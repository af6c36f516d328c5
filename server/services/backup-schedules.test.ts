import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { db } from "@/server/db";
import { backupName, pruneScheduledBackups } from "@/server/services/addon-backups";
import { addonDataDir } from "@/server/services/addon-provisioning";
import { listBackupSchedules, nextRunAfter, runDueSchedules, setBackupSchedule } from "@/server/services/backup-schedules";
import { callerFor, newUser, unique } from "@/server/testing/callers";

async function addonRow(state = "provisioning") {
  const owner = await newUser("sched");
  const app = await callerFor(owner.id).apps.create({ name: `sc-${unique()}` });
  return db.addon.create({ data: { name: `postgresql-${unique()}-${unique()}`, appId: app.id, service: "slipway-postgresql", plan: "essential-0", state } });
}

describe("next run of a daily schedule", () => {
  it("is today's hour when it is still ahead, else tomorrow's, in the schedule's time zone", () => {
    expect(nextRunAfter(new Date("2026-12-06T01:30:00Z"), 2, "UTC").toISOString()).toBe("2026-12-06T02:00:00.000Z");
    expect(nextRunAfter(new Date("2026-12-06T02:00:00Z"), 2, "UTC").toISOString()).toBe("2026-12-07T02:00:00.000Z");
    // Paris is UTC+1 in December: 02:00 there is 01:00 UTC.
    expect(nextRunAfter(new Date("2026-12-06T08:00:00Z"), 2, "Europe/Paris").toISOString()).toBe("2026-12-07T01:00:00.000Z");
    // Half-hour zones: 05:00 in Kolkata (UTC+5:30) is 23:30 UTC the day before.
    expect(nextRunAfter(new Date("2026-12-06T08:00:00Z"), 5, "Asia/Kolkata").toISOString()).toBe("2026-12-06T23:30:00.000Z");
  });

  it("runs at the first hour after a skipped one when clocks spring forward", () => {
    // 2027-03-28: Paris jumps from 02:00 to 03:00 (01:00 UTC).
    expect(nextRunAfter(new Date("2027-03-27T12:00:00Z"), 2, "Europe/Paris").toISOString()).toBe("2027-03-28T01:00:00.000Z");
  });
});

describe("scheduled backups", () => {
  it("stores the schedule with its next run, and refuses an unknown zone or hour", async () => {
    const addon = await addonRow();
    const s = await setBackupSchedule({ addonId: addon.id, name: "DATABASE_URL", hour: 3, timeZone: "UTC", now: new Date("2026-12-06T08:00:00Z") });
    expect(s.nextRunAt.toISOString()).toBe("2026-12-07T03:00:00.000Z");
    await expect(setBackupSchedule({ addonId: addon.id, name: "DATABASE_URL", hour: 3, timeZone: "Mars/Olympus" })).rejects.toThrow(/time zone/);
    await expect(setBackupSchedule({ addonId: addon.id, name: "DATABASE_URL", hour: 24, timeZone: "UTC" })).rejects.toThrow(/hour/);
    // Replaced, not doubled.
    await setBackupSchedule({ addonId: addon.id, name: "DATABASE_URL", hour: 5, timeZone: "UTC", now: new Date("2026-12-06T08:00:00Z") });
    expect((await listBackupSchedules(addon.id)).map((x) => x.hour)).toEqual([5]);
  });

  it("a due schedule (e.g. missed while the control plane was down) is claimed once and moved to its next run", async () => {
    const addon = await addonRow("provisioning");
    await setBackupSchedule({ addonId: addon.id, name: "DATABASE_URL", hour: 3, timeZone: "UTC", now: new Date("2026-12-01T08:00:00Z") });
    const now = new Date("2026-12-06T08:00:00Z");
    // Not available: skipped, but its next run still moves on (no tight loop of retries).
    await runDueSchedules(now);
    const [after] = await listBackupSchedules(addon.id);
    expect(after!.nextRunAt.toISOString()).toBe("2026-12-07T03:00:00.000Z");
    await runDueSchedules(now);
    expect((await listBackupSchedules(addon.id))[0]!.nextRunAt.toISOString()).toBe("2026-12-07T03:00:00.000Z");
  });

  it("retention removes the oldest scheduled backups and their files, never manual ones", async () => {
    const addon = await addonRow("available");
    const dir = path.join(addonDataDir(addon.id), "backups");
    fs.mkdirSync(dir, { recursive: true });
    for (let n = 1; n <= 5; n++) {
      await db.addonBackup.create({ data: { addonId: addon.id, number: n, status: "completed", scheduled: n !== 1 } });
      fs.writeFileSync(path.join(dir, `${backupName(n)}.dump`), "x");
    }
    expect(await pruneScheduledBackups({ addonId: addon.id, retain: 2 })).toEqual(["b003", "b002"]);
    const left = (await db.addonBackup.findMany({ where: { addonId: addon.id }, orderBy: { number: "asc" } })).map((b) => b.number);
    expect(left).toEqual([1, 4, 5]);
    expect(fs.readdirSync(dir).sort()).toEqual(["b001.dump", "b004.dump", "b005.dump"]);
    fs.rmSync(addonDataDir(addon.id), { recursive: true, force: true });
  });
});
