import "server-only";
// The PostgreSQL provider: Debian's postgresql-15 in a container per add-on
// (images/addon-postgres). One database and one unprivileged role per add-on; the
// superuser is reachable only through exec on the Unix socket.
import type { Readable, Writable } from "node:stream";
import { randomIdentifier, randomSecret, scramVerifier } from "@/server/addons/credentials";
import { connectNetwork, containerStatus, disconnectNetwork, ensureRunning, execIn, execOk, removeAddonResources, type AddonContainerSpec } from "@/server/addons/engine";
import type { AddonPlan, AddonProvider, AddonStats, AddonTarget, Credentials } from "@/server/addons/types";
import { env } from "@/server/env";
import { AppError } from "@/server/errors";

export const POSTGRES_PORT = 5432;
const CMD = "slipway-addon";

// Heroku's Essential / Standard names; the limits are this machine's, enforced for real.
const PLANS: AddonPlan[] = [
  { name: "essential-0", memoryMb: 256, connections: 20, storageMb: 1024 },
  { name: "essential-1", memoryMb: 512, connections: 40, storageMb: 10 * 1024 },
  { name: "standard-0", memoryMb: 1024, connections: 120, storageMb: 64 * 1024 },
];

function spec(plan: AddonPlan): AddonContainerSpec {
  const mb = plan.memoryMb;
  return {
    service: "slipway-postgresql",
    label: "PostgreSQL",
    image: env().SLIPWAY_ADDON_POSTGRES_IMAGE,
    dataPath: "/var/lib/postgresql/data",
    readyCmd: [CMD, "ready"],
    // A quarter of memory for shared buffers, as PostgreSQL's docs advise; room for the
    // superuser's reserved slots on top of the app role's limit.
    env: {
      SLIPWAY_MAX_CONNECTIONS: String(plan.connections + 5),
      SLIPWAY_SHARED_BUFFERS: `${Math.floor(mb / 4)}MB`,
      SLIPWAY_EFFECTIVE_CACHE_SIZE: `${Math.floor((mb * 3) / 4)}MB`,
      SLIPWAY_WORK_MEM: `${Math.max(1, Math.floor(mb / 4 / plan.connections))}MB`,
    },
  };
}

const who = (c: Credentials) => ({ SLIPWAY_DB_USER: c.user!, SLIPWAY_DB_NAME: c.database! });

async function setup(target: AddonTarget, c: Credentials) {
  await execOk(target, "Setting up the database and role", {
    cmd: [CMD, "setup"],
    env: { ...who(c), SLIPWAY_DB_VERIFIER: scramVerifier(c.password!), SLIPWAY_CONNECTION_LIMIT: String(target.plan.connections) },
    timeoutMs: 30_000,
  });
}

async function check(target: AddonTarget, c: Credentials) {
  await execOk(target, "Connecting with the new credentials", { cmd: [CMD, "check"], env: { ...who(c), PGPASSWORD: c.password! }, timeoutMs: 30_000 });
}

export const postgresProvider: AddonProvider = {
  info: {
    name: "slipway-postgresql",
    aliases: ["heroku-postgresql", "postgresql", "postgres"],
    label: "PostgreSQL",
    namePrefix: "postgresql",
    defaultAttachment: "DATABASE",
    plans: PLANS,
    defaultPlan: "essential-0",
    supportsBackups: true,
  },

  newCredentials: () => ({ user: randomIdentifier("u"), database: randomIdentifier("d"), password: randomSecret() }),
  rotatedCredentials: (current) => ({ ...current, password: randomSecret() }),

  async provision(target, credentials, progress) {
    await ensureRunning(target, spec(target.plan), progress, env().SLIPWAY_ADDON_PROVISION_TIMEOUT_SECONDS * 1000);
    await progress("Creating the database and its credentials");
    await setup(target, credentials);
    await progress("Checking the credentials over the network");
    await check(target, credentials);
  },

  deprovision: (target) => removeAddonResources(target),
  attach: (target, network) => connectNetwork(target, network),
  detach: (target, network) => disconnectNetwork(target, network),

  // ALTER ROLE … PASSWORD through the superuser: the previous password is not needed.
  async rotateCredentials(target, next) {
    await setup(target, next);
    await check(target, next);
  },

  status: (target) => containerStatus(target),

  url(target, c) {
    return `postgres://${c.user}:${c.password}@${target.name}:${POSTGRES_PORT}/${c.database}`;
  },

  async stats(target, c): Promise<AddonStats> {
    const out = await execOk(target, "Reading database statistics", { cmd: [CMD, "stats"], env: who(c), timeoutMs: 15_000 });
    const s = JSON.parse(out.trim().split("\n").pop()!) as { connections: number; sizeBytes: number; maxConnections: number; readOnly: boolean; version: string };
    return {
      connections: s.connections,
      connectionLimit: s.maxConnections,
      storageBytes: s.sizeBytes,
      storageLimitBytes: (target.plan.storageMb ?? 0) * 1024 * 1024,
      memoryLimitBytes: target.plan.memoryMb * 1024 * 1024,
      version: s.version,
      readOnly: s.readOnly,
    };
  },

  async setReadOnly(target, c, on) {
    await execOk(target, on ? "Making the database read-only" : "Making the database writable again", {
      cmd: [CMD, "read-only", on ? "on" : "off"],
      env: who(c),
      timeoutMs: 15_000,
    });
  },

  async backup(target, c, out: Writable) {
    const result = await execIn(target, { cmd: [CMD, "backup"], env: who(c), stdout: out, timeoutMs: 60 * 60_000 });
    if (result.exitCode !== 0) throw new AppError("UNAVAILABLE", `pg_dump failed on ${target.name}.`, { cause: new Error(result.stderr.slice(-2_000)) });
  },

  async restore(target, c, input: Readable) {
    const result = await execIn(target, { cmd: [CMD, "restore"], env: who(c), stdin: input, timeoutMs: 60 * 60_000 });
    if (result.exitCode !== 0) {
      // pg_restore's own words help here ("input file does not appear to be a valid archive").
      const reason = result.stderr.split("\n").find((l) => l.startsWith("pg_restore: error:"))?.replace("pg_restore: error: ", "");
      throw new AppError("UNPROCESSABLE", `The restore failed${reason ? `: ${reason}` : ""}; the database was left as it was.`, { cause: new Error(result.stderr.slice(-2_000)) });
    }
  },
};
