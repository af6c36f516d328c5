import "server-only";
// Heroku's data API (`api.data.heroku.com`) as the official CLI's pg:* and redis:* commands
// call it (HEROKU-CLI-CALLS.md §8-9). The CLI sends these to the host named by
// HEROKU_DATA_HOST, on the port and scheme of HEROKU_HOST and with the same key, so
// HEROKU_DATA_HOST=localhost makes them land here, beside the Platform API. Every route
// loads its add-on or app through the permission table (findAddonForUser / appRoute).
import { z } from "zod";
import crypto from "node:crypto";
import { execIn } from "@/server/addons/engine";
import { openDownload } from "@/server/addons/download-sessions";
import { openRedisSession } from "@/server/addons/redis-sessions";
import { db } from "@/server/db";
import { publicUrl } from "@/server/env";
import { AppError } from "@/server/errors";
import { appRoute, userRoute, type Ctx, type Method } from "@/server/platform-api/router";
import type { Operation } from "@/server/services/access";
import { captureBackup, listBackups, openBackup, restoreBackup } from "@/server/services/addon-backups";
import { credentialsOf, targetOf } from "@/server/services/addon-records";
import { findAddonForUser } from "@/server/services/addons";
import { listBackupSchedules, removeBackupSchedule, scheduleShape, setBackupSchedule } from "@/server/services/backup-schedules";

type Found = Awaited<ReturnType<typeof findAddonForUser>>;
type Addon = Found["addon"];

/** A route naming an add-on (id or name): loaded through an app the caller may act on with `operation`. */
type DataHandler<B> = (ctx: Ctx<B> & Found) => Promise<{ status?: number; body: unknown }>;

function dataAddonRoute<S extends z.ZodType = z.ZodUnknown>(method: Method, pattern: string, operation: Operation, def: { body?: S; handler: DataHandler<z.infer<S>> } | DataHandler<unknown>) {
  const { body, handler } = typeof def === "function" ? { body: undefined, handler: def as DataHandler<z.infer<S>> } : def;
  return userRoute(method, pattern, {
    body,
    handler: async (ctx) => handler({ ...(ctx as Ctx<z.infer<S>>), ...(await findAddonForUser({ userId: ctx.userId, addon: ctx.params.addon!, operation })) }),
  });
}

function ofService(addon: Addon, service: "slipway-postgresql" | "slipway-redis") {
  if (addon.service !== service) throw new AppError("NOT_FOUND", `${addon.name} is not a ${service === "slipway-redis" ? "Redis" : "PostgreSQL"} add-on.`, { resource: "add_on" });
  if (addon.state !== "available") throw new AppError("NOT_FOUND", `${addon.name} is not yet provisioned.`, { resource: "add_on" });
  return addon;
}

async function live(addon: Addon) {
  const row = await db.addon.findUniqueOrThrow({ where: { id: addon.id }, select: { id: true, name: true, service: true, plan: true, node: true, configEnc: true } });
  const { provider, target } = await targetOf(row);
  return { provider, target, credentials: credentialsOf(row) };
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

async function tableCount(addon: Addon, database: string) {
  const { target } = await live(addon);
  // The superuser over the container's Unix socket (no network login exists for it).
  const r = await execIn(target, { cmd: ["psql", "-X", "-tA", "-U", "postgres", "-d", database, "-c", "SELECT count(*) FROM pg_stat_user_tables"], timeoutMs: 15_000 });
  return r.exitCode === 0 ? Number(r.stdout.trim()) : null;
}

async function pgInfo(addon: Addon) {
  const { provider, target, credentials } = await live(addon);
  const stats = await provider.stats(target, credentials);
  const tables = await tableCount(addon, credentials.database!);
  const mb = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MB`;
  const info = [
    { name: "Plan", values: [addon.plan] },
    { name: "Status", values: [stats.readOnly ? "Read-only (over the storage limit)" : "Available"] },
    { name: "Connections", values: [`${stats.connections}/${stats.connectionLimit}`] },
    { name: "PG Version", values: [stats.version ?? "unknown"] },
    { name: "Created", values: [addon.createdAt.toISOString().replace("T", " ").slice(0, 16)] },
    { name: "Data Size", values: [`${mb(stats.storageBytes ?? 0)} / ${mb(stats.storageLimitBytes ?? 0)}`] },
    ...(tables === null ? [] : [{ name: "Tables", values: [String(tables)] }]),
    { name: "Fork/Follow", values: ["Unsupported"] },
    { name: "Rollback", values: ["Unsupported"] },
    { name: "Continuous Protection", values: ["Off"] },
  ];
  // The URL without its password: pg:info needs only `view`, credentials need more.
  return { addon_id: addon.id, name: addon.name, plan: addon.plan, available: true, resource_url: `postgres://${target.name}:5432/${credentials.database}`, info };
}

type Backup = Awaited<ReturnType<typeof listBackups>>[number];

function transferShape(addon: Pick<Addon, "id" | "name" | "app">, b: Backup) {
  const done = b.status !== "running";
  return {
    uuid: b.id,
    num: b.number,
    name: b.name,
    from_name: addon.name,
    from_type: "pg_dump",
    to_name: "BACKUP",
    to_type: "gof3r",
    to_url: `${publicUrl()}/api/apps/${addon.app.name}/addons/${addon.name}/backups/${b.name}`,
    options: {},
    schedule: null,
    created_at: iso(b.createdAt),
    started_at: iso(b.createdAt),
    updated_at: iso(b.finishedAt ?? b.createdAt),
    finished_at: iso(b.finishedAt),
    succeeded: b.status === "completed",
    canceled_at: null,
    processed_bytes: b.sizeBytes ?? 0,
    source_bytes: b.sizeBytes ?? 0,
    warnings: 0,
    logs: done && b.error ? [{ created_at: iso(b.finishedAt), message: b.error }] : [],
  };
}

/** Restores in flight or done since this process started (a restore is minutes at most). */
const restores = new Map<string, { appId: string; shape: Record<string, unknown> }>();

async function appPostgresAddons(appId: string) {
  return db.addon.findMany({ where: { appId, service: "slipway-postgresql" }, select: { id: true, name: true, app: { select: { id: true, name: true } } }, orderBy: { createdAt: "asc" } });
}

async function appTransfers(appId: string) {
  const out: ReturnType<typeof transferShape>[] = [];
  for (const addon of await appPostgresAddons(appId)) for (const b of await listBackups(addon.id)) out.push(transferShape(addon, b));
  return out;
}

const BACKUP_URL = /\/api\/apps\/[^/]+\/addons\/([^/]+)\/backups\/(b\d+)$/;

const restoreBody = z.object({ backup_url: z.string().min(1).max(2000), extensions: z.unknown().optional() }).passthrough();
const scheduleBody = z.object({ hour: z.union([z.string(), z.number()]), timezone: z.string().max(100).optional(), schedule_name: z.string().max(100).optional() }).passthrough();

export const dataRoutes = [
  dataAddonRoute("GET", "/client/v11/databases/:addon", "addons:list", async ({ addon }) => ({ body: await pgInfo(ofService(addon, "slipway-postgresql")) })),

  dataAddonRoute("POST", "/client/v11/databases/:addon/backups", "backups:capture", async ({ addon }) => {
    ofService(addon, "slipway-postgresql");
    const { backup } = await captureBackup({ addonId: addon.id });
    return { status: 201, body: transferShape(addon, backup) };
  }),

  dataAddonRoute("POST", "/client/v11/databases/:addon/restores", "backups:restore", {
    body: restoreBody,
    handler: async ({ addon, body, userId }) => {
      ofService(addon, "slipway-postgresql");
      const m = BACKUP_URL.exec(body.backup_url.split("?")[0]!);
      if (!m) throw new AppError("UNPROCESSABLE", "Only backups taken here can be restored: give a backup name (b001) or its URL from pg:backups:url.");
      // The source add-on must be one the caller may download backups of.
      const source = (await findAddonForUser({ userId, addon: decodeURIComponent(m[1]!), operation: "backups:download" })).addon;
      const uuid = crypto.randomUUID();
      const started = new Date();
      const shape: Record<string, any> = { uuid, num: Number(m[2]!.slice(1)), from_name: m[2], from_type: "gof3r", to_name: addon.name, to_type: "pg_restore", created_at: started.toISOString(), started_at: started.toISOString(), finished_at: null, succeeded: false, processed_bytes: 0, logs: [], warnings: 0 };
      restores.set(uuid, { appId: addon.app.id, shape });
      void restoreBackup({ addonId: addon.id, backup: m[2]!, fromAddonId: source.id })
        .then(() => Object.assign(shape, { finished_at: new Date().toISOString(), succeeded: true }))
        .catch((err: unknown) => {
          const message = err instanceof AppError ? err.message : "The restore failed on our side.";
          if (!(err instanceof AppError)) console.error(`slipway: restore into ${addon.name} failed`, err);
          Object.assign(shape, { finished_at: new Date().toISOString(), succeeded: false, logs: [{ created_at: new Date().toISOString(), message }] });
        });
      return { status: 201, body: shape };
    },
  }),

  appRoute("GET", "/client/v11/apps/:app/transfers", "backups:list", { handler: async ({ app }) => ({ body: await appTransfers(app.id) }) }),

  appRoute("GET", "/client/v11/apps/:app/transfers/:transfer", "backups:list", {
    handler: async ({ app, params }) => {
      const restore = restores.get(params.transfer!);
      if (restore && restore.appId === app.id) return { body: restore.shape };
      const key = params.transfer!;
      const transfers = await appTransfers(app.id);
      const t = /^\d+$/.test(key) ? transfers.find((x) => x.num === Number(key)) : transfers.find((x) => x.uuid === key || x.name === key);
      if (!t) throw new AppError("NOT_FOUND", "Couldn't find that transfer.", { resource: "transfer" });
      return { body: t };
    },
  }),

  // A one-shot HTTPS URL (server/addons/download-sessions.ts), as Heroku's signed URLs.
  appRoute("POST", "/client/v11/apps/:app/transfers/:transfer/actions/public-url", "backups:download", {
    handler: async ({ app, params }) => {
      const key = params.transfer!;
      for (const addon of await appPostgresAddons(app.id)) {
        const t = (await listBackups(addon.id)).find((b) => b.id === key || String(b.number) === key.replace(/^b0*/i, ""));
        if (!t || t.status !== "completed") continue;
        const { backup, file } = await openBackup({ addonId: addon.id, backup: t.name });
        const { url, expiresAt } = await openDownload({ file, filename: `${addon.name}-${backup.name}.dump` });
        return { status: 201, body: { url, expires_at: expiresAt.toISOString() } };
      }
      throw new AppError("NOT_FOUND", "Couldn't find that completed backup.", { resource: "transfer" });
    },
  }),

  dataAddonRoute("GET", "/client/v11/databases/:addon/transfer-schedules", "backups:list", async ({ addon }) => ({
    body: (await listBackupSchedules(ofService(addon, "slipway-postgresql").id)).map(scheduleShape),
  })),

  dataAddonRoute("POST", "/client/v11/databases/:addon/transfer-schedules", "backups:capture", {
    body: scheduleBody,
    handler: async ({ addon, body }) => {
      ofService(addon, "slipway-postgresql");
      const s = await setBackupSchedule({ addonId: addon.id, name: body.schedule_name ?? "DATABASE_URL", hour: Number(body.hour), timeZone: body.timezone || "UTC" });
      return { status: 201, body: scheduleShape(s) };
    },
  }),

  dataAddonRoute("DELETE", "/client/v11/databases/:addon/transfer-schedules/:schedule", "backups:capture", async ({ addon, params }) => {
    await removeBackupSchedule({ addonId: addon.id, id: params.schedule! });
    return { body: {} };
  }),

  // redis:info and redis:cli. The answer carries a password in resource_url, and opens a
  // one-connection session for redis:cli, so it needs the credentials permission.
  dataAddonRoute("GET", "/redis/v0/databases/:addon", "addons:credentials", async ({ addon }) => {
    ofService(addon, "slipway-redis");
    const { provider, target, credentials } = await live(addon);
    const stats = await provider.stats(target, credentials);
    const session = await openRedisSession(addon);
    const mb = (b: number) => `${(b / 1024 / 1024).toFixed(2)} MB`;
    return {
      body: {
        name: addon.name,
        plan: addon.plan,
        prefer_native_tls: true,
        resource_url: `redis://:${credentials.password}@${session.host}:${session.port}`,
        created_at: addon.createdAt.toISOString(),
        info: [
          { name: "Plan", values: [addon.plan] },
          { name: "Status", values: ["available"] },
          { name: "Created", values: [addon.createdAt.toISOString()] },
          { name: "Version", values: [stats.version ?? "unknown"] },
          { name: "Timeout", values: ["300"] },
          { name: "Maxmemory", values: ["noeviction"] },
          { name: "Maxmemory Size", values: [mb(stats.memoryLimitBytes ?? 0)] },
          { name: "Memory Used", values: [mb(stats.memoryBytes ?? 0)] },
          { name: "Keys", values: [String(stats.keys ?? 0)] },
          { name: "Clients", values: [`${stats.connections}/${stats.connectionLimit}`] },
        ],
      },
    };
  }),
];

