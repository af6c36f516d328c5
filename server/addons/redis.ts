import "server-only";
// The Redis provider: Debian's redis-server in a container per add-on (images/addon-redis),
// data as an append-only file on the volume. The password is in the config written to the
// volume before the first start (never a moment without it); rotation uses CONFIG SET and
// CONFIG REWRITE, which keeps it in that config.
import { randomSecret } from "@/server/addons/credentials";
import type { Readable, Writable } from "node:stream";
import { connectNetwork, containerStatus, disconnectNetwork, ensureRunning, execIn, execOk, removeAddonResources, type AddonContainerSpec } from "@/server/addons/engine";
import type { AddonPlan, AddonProvider, AddonStats, AddonTarget, Credentials } from "@/server/addons/types";
import { env } from "@/server/env";
import { AppError } from "@/server/errors";

export const REDIS_PORT = 6379;
const CMD = "slipway-addon";

// maxmemory is the data set's limit; the container gets room for Redis itself on top.
const PLANS: AddonPlan[] = [
  { name: "mini", memoryMb: 64, dataMemoryMb: 25, connections: 20, storageMb: null },
  { name: "premium-0", memoryMb: 128, dataMemoryMb: 50, connections: 40, storageMb: null },
  { name: "premium-1", memoryMb: 256, dataMemoryMb: 100, connections: 80, storageMb: null },
];

// What images/addon-redis/slipway-addon writes on first start, plus the password: with this
// file present it starts redis-server from it.
function seedConfig(password: string) {
  if (!/^[0-9a-f]{16,}$/.test(password)) throw new Error("Redis passwords are hex (randomSecret)");
  return ["bind * -::*", "protected-mode no", "port 6379", "dir /var/lib/redis", "appendonly yes", "appendfsync everysec", "save 3600 1 300 100 60 10000", `requirepass "${password}"`, ""].join("\n");
}

function spec(plan: AddonPlan, credentials?: Credentials): AddonContainerSpec {
  return {
    service: "slipway-redis",
    label: "Redis",
    image: env().SLIPWAY_ADDON_REDIS_IMAGE,
    dataPath: "/var/lib/redis",
    readyCmd: [CMD, "ready"],
    env: { SLIPWAY_MAXMEMORY: `${plan.dataMemoryMb}mb`, SLIPWAY_MAXCLIENTS: String(plan.connections), SLIPWAY_MAXMEMORY_POLICY: "noeviction" },
    ...(credentials?.password ? { seedFiles: { "redis.conf": seedConfig(credentials.password) } } : {}),
  };
}

async function setup(target: AddonTarget, next: Credentials, previous?: Credentials) {
  await execOk(target, "Setting the password", {
    cmd: [CMD, "setup"],
    env: { SLIPWAY_PASSWORD: next.password!, ...(previous?.password ? { SLIPWAY_PREVIOUS_PASSWORD: previous.password } : {}) },
    timeoutMs: 30_000,
  });
  await execOk(target, "Connecting with the new password", { cmd: [CMD, "check"], env: { SLIPWAY_PASSWORD: next.password! }, timeoutMs: 30_000 });
}

// A restore loads the RDB file into a second, socket-only redis-server inside the same
// container, then MIGRATEs every key into the live server (REPLACE, keeping TTLs) after a
// FLUSHALL. Redis 7 with AOF on ignores a dump.rdb at start, and DEBUG RELOAD is disabled,
// so this is how a snapshot gets in without a restart. The password comes in the exec's
// environment, never in its arguments. Keys containing newlines are not supported.
const RESTORE_SCRIPT = `set -euo pipefail
d=$(mktemp -d); trap 'redis-cli -s "$d/s" shutdown nosave >/dev/null 2>&1 || true; rm -rf "$d"' EXIT
cat >"$d/dump.rdb"
head -c 5 "$d/dump.rdb" | grep -q REDIS || { echo "slipway-addon: not an RDB file" >&2; exit 3; }
redis-server --port 0 --unixsocket "$d/s" --dir "$d" --dbfilename dump.rdb --appendonly no --save '' --daemonize yes --logfile "$d/log"
for i in $(seq 100); do [ "$(redis-cli -s "$d/s" ping 2>/dev/null)" = PONG ] && break; sleep 0.1; done
[ "$(redis-cli -s "$d/s" ping 2>/dev/null)" = PONG ] || { tail -5 "$d/log" >&2; exit 4; }
REDISCLI_AUTH="$SLIPWAY_PASSWORD" redis-cli --no-auth-warning flushall >/dev/null
redis-cli -s "$d/s" --scan | while IFS= read -r k; do
  r=$(redis-cli -s "$d/s" migrate 127.0.0.1 6379 "" 0 10000 replace auth "$SLIPWAY_PASSWORD" keys "$k")
  [ "$r" = OK ] || { echo "slipway-addon: migrating a key failed: $r" >&2; exit 5; }
done`;

/** `INFO` text → field map. */
function parseInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf(":");
    if (i > 0 && !line.startsWith("#")) out[line.slice(0, i)] = line.slice(i + 1).trim();
  }
  return out;
}

export const redisProvider: AddonProvider = {
  info: {
    name: "slipway-redis",
    aliases: ["heroku-redis", "redis"],
    label: "Redis",
    namePrefix: "redis",
    defaultAttachment: "REDIS",
    plans: PLANS,
    defaultPlan: "mini",
    supportsBackups: true,
  },

  newCredentials: () => ({ password: randomSecret() }),
  rotatedCredentials: (current) => ({ ...current, password: randomSecret() }),

  async provision(target, credentials, progress) {
    await ensureRunning(target, spec(target.plan, credentials), progress, env().SLIPWAY_ADDON_PROVISION_TIMEOUT_SECONDS * 1000);
    await progress("Setting the password and checking it over the network");
    await setup(target, credentials);
  },

  deprovision: (target) => removeAddonResources(target),
  attach: (target, network) => connectNetwork(target, network),
  detach: (target, network) => disconnectNetwork(target, network),
  rotateCredentials: (target, next, previous) => setup(target, next, previous),
  status: (target) => containerStatus(target),

  url(target, c) {
    return `redis://:${c.password}@${target.name}:${REDIS_PORT}`;
  },

  // An RDB snapshot, streamed by redis-cli as a replica would receive it.
  async backup(target, c, out: Writable) {
    const result = await execIn(target, { cmd: ["redis-cli", "--no-auth-warning", "--rdb", "-"], env: { REDISCLI_AUTH: c.password! }, stdout: out, timeoutMs: 60 * 60_000 });
    if (result.exitCode !== 0) throw new AppError("UNAVAILABLE", `The RDB snapshot of ${target.name} failed.`, { cause: new Error(result.stderr.slice(-2_000)) });
  },

  async restore(target, c, input: Readable) {
    const result = await execIn(target, { cmd: ["bash", "-c", RESTORE_SCRIPT], env: { SLIPWAY_PASSWORD: c.password! }, stdin: input, timeoutMs: 60 * 60_000 });
    if (result.exitCode === 3) throw new AppError("UNPROCESSABLE", "That file is not a Redis RDB snapshot; the data was left as it was.");
    if (result.exitCode !== 0) throw new AppError("UNAVAILABLE", `The restore into ${target.name} failed.`, { cause: new Error(result.stderr.slice(-2_000)) });
  },

  async stats(target, c): Promise<AddonStats> {
    const info = parseInfo(await execOk(target, "Reading Redis statistics", { cmd: [CMD, "stats"], env: { SLIPWAY_PASSWORD: c.password! }, timeoutMs: 15_000 }));
    const keys = Object.entries(info)
      .filter(([k]) => /^db\d+$/.test(k))
      .reduce((sum, [, v]) => sum + Number(/keys=(\d+)/.exec(v)?.[1] ?? 0), 0);
    return {
      // The exec's own redis-cli is one of the connected clients.
      connections: Math.max(0, Number(info.connected_clients ?? 0) - 1),
      connectionLimit: target.plan.connections,
      memoryBytes: Number(info.used_memory ?? 0),
      memoryLimitBytes: Number(info.maxmemory ?? 0) || (target.plan.dataMemoryMb ?? 0) * 1024 * 1024,
      keys,
      version: info.redis_version,
    };
  },
};
