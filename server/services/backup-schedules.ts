import "server-only";
// Scheduled PostgreSQL backups (`heroku pg:backups:schedule --at '02:00 Europe/Paris'`):
// one daily backup per add-on at an hour of a time zone, taken by the control plane
// whether or not anyone is looking. The next run is stored: a control plane that was down
// at that hour takes the backup when it comes back, then goes on from the next day.
// Retention keeps the newest scheduled backups (manual ones are never pruned).
import { db } from "@/server/db";
import { AppError } from "@/server/errors";
import { captureBackup, pruneScheduledBackups } from "@/server/services/addon-backups";

/** How many scheduled backups are kept (Heroku keeps 7 daily backups on its smaller plans). */
export const DEFAULT_RETAIN = 7;

export function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock hour and date of `at` in `tz`. */
function wallClock(at: Date, tz: string) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", { timeZone: tz, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  ) as Record<string, string>;
  return { y: Number(parts.year), m: Number(parts.month), d: Number(parts.day), h: Number(parts.hour), min: Number(parts.minute) };
}

/**
 * The first moment strictly after `after` whose wall clock in `tz` is `hour`:00. Found by
 * walking whole hours in UTC, which handles DST jumps: a skipped hour (spring forward)
 * runs at the next hour that exists that day.
 */
export function nextRunAfter(after: Date, hour: number, tz: string): Date {
  const start = new Date(Math.floor(after.getTime() / 3_600_000) * 3_600_000 + 3_600_000);
  for (let i = 0; i < 24 * 3; i++) {
    const t = new Date(start.getTime() + i * 3_600_000);
    const w = wallClock(t, tz);
    // Zones off by half an hour (Asia/Kolkata): the hour starts at minute 30 of a UTC hour.
    const at = new Date(t.getTime() - w.min * 60_000);
    if (at.getTime() <= after.getTime()) continue;
    if (w.h === hour) return at;
    // The hour was skipped (spring forward): the first hour after the jump.
    if (w.h > hour && wallClock(new Date(at.getTime() - 3_600_000), tz).h < hour) return at;
  }
  throw new Error(`No ${hour}:00 in ${tz} within three days`);
}

export function scheduleShape(s: { id: string; name: string; hour: number; timeZone: string; retain: number; nextRunAt: Date; createdAt: Date }) {
  return { uuid: s.id, name: s.name, hour: s.hour, days: ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"], timezone: s.timeZone, retain_weeks: null, retain_months: null, retain: s.retain, next_run_at: s.nextRunAt.toISOString(), created_at: s.createdAt.toISOString() };
}

/** Sets (or replaces) the add-on's daily schedule. */
export async function setBackupSchedule(input: { addonId: string; name: string; hour: number; timeZone: string; retain?: number; now?: Date }) {
  if (!Number.isInteger(input.hour) || input.hour < 0 || input.hour > 23) throw new AppError("UNPROCESSABLE", "The hour must be between 00 and 23.");
  if (!validTimeZone(input.timeZone)) throw new AppError("UNPROCESSABLE", `Unknown time zone ${input.timeZone}: use an IANA name such as Europe/Paris, or UTC.`);
  const retain = input.retain ?? DEFAULT_RETAIN;
  const nextRunAt = nextRunAfter(input.now ?? new Date(), input.hour, input.timeZone);
  const data = { name: input.name, hour: input.hour, timeZone: input.timeZone, retain, nextRunAt };
  return db.addonBackupSchedule.upsert({ where: { addonId: input.addonId }, create: { addonId: input.addonId, ...data }, update: data });
}

export function listBackupSchedules(addonId: string) {
  return db.addonBackupSchedule.findMany({ where: { addonId } });
}

export async function removeBackupSchedule(input: { addonId: string; id: string }) {
  const { count } = await db.addonBackupSchedule.deleteMany({ where: { addonId: input.addonId, id: input.id } });
  if (!count) throw new AppError("NOT_FOUND", "Couldn't find that schedule.", { resource: "schedule" });
}

/**
 * Takes every backup that is due, moves its schedule to the next day first (a crash mid-way
 * never runs one twice in a loop), then applies retention once the backup is done.
 * Returns the add-ons it started a backup for.
 */
export async function runDueSchedules(now = new Date()) {
  const due = await db.addonBackupSchedule.findMany({ where: { nextRunAt: { lte: now } }, include: { addon: { select: { name: true, state: true } } } });
  const started: string[] = [];
  for (const s of due) {
    const nextRunAt = nextRunAfter(now, s.hour, s.timeZone);
    // Claimed by moving nextRunAt: a second control plane (or a second tick) skips it.
    const { count } = await db.addonBackupSchedule.updateMany({ where: { id: s.id, nextRunAt: s.nextRunAt }, data: { nextRunAt } });
    if (!count) continue;
    if (s.addon.state !== "available") {
      console.error(`slipway: scheduled backup of ${s.addon.name} skipped: it is ${s.addon.state}`);
      continue;
    }
    try {
      const { done } = await captureBackup({ addonId: s.addonId, scheduled: true });
      started.push(s.addonId);
      void done.then(() => pruneScheduledBackups({ addonId: s.addonId, retain: s.retain })).catch((err) => console.error(`slipway: pruning backups of ${s.addon.name} failed`, err));
    } catch (err) {
      console.error(`slipway: scheduled backup of ${s.addon.name} failed to start`, err);
    }
  }
  return started;
}

let timer: NodeJS.Timeout | null = null;

/** Checks once at boot (catching up on a run missed while down), then every minute. */
export function startBackupScheduler(intervalMs = 60_000) {
  if (timer) return;
  const tick = () => void runDueSchedules().catch((err) => console.error("slipway: backup scheduler failed", err));
  tick();
  timer = setInterval(tick, intervalMs);
  timer.unref();
}
