// The one place process.env is read and validated. Imported by the server, by
// prisma.config.ts and by scripts/, so it stays free of `server-only` and of secrets'
// values beyond passing them on.
import os from "node:os";
import path from "node:path";
import net from "node:net";
import { z } from "zod";

function isCidr(text: string): boolean {
  const [address = "", prefix] = text.split("/");
  const version = net.isIP(address);
  return version !== 0 && (prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128)));
}

/** Prisma's schema needs *some* postgres URL even when the embedded database is used. */
export const PGLITE_PLACEHOLDER_URL = "postgresql://embedded@localhost/slipway";

const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: z.string().optional(),
  SLIPWAY_DATA_DIR: z.string().optional(),
  SLIPWAY_SECRET_KEY: z.string().optional(),
  SLIPWAY_PORT: z.coerce.number().int().positive().default(3000),
  SLIPWAY_PUBLIC_URL: z.string().url().optional(),
  SLIPWAY_BASE_DOMAIN: z.string().default("localhost"),
  SLIPWAY_ROUTER_PORT: z.coerce.number().int().positive().default(8080),
  /** The router's HTTPS listener (TLS terminated by HAProxy); 0 turns it off. */
  SLIPWAY_ROUTER_HTTPS_PORT: z.coerce.number().int().min(0).default(8443),
  /** The ACME directory automatic certificates (certs:auto) come from. */
  SLIPWAY_ACME_DIRECTORY_URL: z.string().url().default("https://acme-v02.api.letsencrypt.org/directory"),
  SLIPWAY_ACME_EMAIL: z.string().email().optional(),
  /** The dashboard's own name at the router's HTTPS listener (README: Production). */
  SLIPWAY_DASHBOARD_HOST: z.string().regex(/^[a-zA-Z0-9.-]+$/, "a hostname, such as slipway.example.com").optional(),
  /** An ACME certificate for SLIPWAY_DASHBOARD_HOST (when no SLIPWAY_DASHBOARD_TLS_CERT is given). */
  SLIPWAY_DASHBOARD_ACME: z
    .enum(["", "0", "1", "true", "false"])
    .default("")
    .transform((v) => v === "1" || v === "true"),
  // `heroku run`'s rendezvous (server/rendezvous/): a TLS port the CLI connects to for an
  // attached one-off, and the host name in the attach_url (default: SLIPWAY_PUBLIC_URL's).
  SLIPWAY_RENDEZVOUS_PORT: z.coerce.number().int().positive().default(5443),
  SLIPWAY_RENDEZVOUS_HOST: z.string().optional(),
  // One-off dynos: killed after this long without input or output (Heroku: 1 h); at most
  // this many at once per app (the owner's SLIPWAY_QUOTA_ONE_OFF_DYNOS applies as well).
  SLIPWAY_ONE_OFF_IDLE_TIMEOUT_MS: z.coerce.number().int().positive().default(60 * 60_000),
  SLIPWAY_ONE_OFF_DYNOS_PER_APP: z.coerce.number().int().min(0).default(3),
  // bcrypt's cost for new password hashes (each step doubles the work; 12 takes ~0.4 s of a
  // core here, bcryptjs being plain JavaScript). Hashes keep the cost they were made with.
  // Lower it only where that time buys nothing: npm test runs with 4.
  SLIPWAY_PASSWORD_COST: z.coerce.number().int().min(4).max(16).default(12),
  SLIPWAY_ADMIN_EMAIL: z.string().email().optional(),
  SLIPWAY_ADMIN_PASSWORD: z.string().min(8).optional(),
  // open: anyone who reaches the dashboard can create an account; invite-only: accounts are
  // created only through a team invitation (and the admin above).
  SLIPWAY_SIGNUP: z.enum(["open", "invite-only"]).default("open"),
  // Reverse proxies in front of the dashboard (addresses or CIDR ranges, comma separated)
  // whose X-Forwarded-For is believed; empty = the TCP peer is the client.
  SLIPWAY_TRUSTED_PROXIES: z
    .string()
    .default("")
    .transform((s) => s.split(",").map((p) => p.trim()).filter(Boolean)),
  SLIPWAY_STACK_IMAGE: z.string().default("slipway/stack:bookworm"),
  SLIPWAY_INSTALLATION_ID: z.string().regex(/^[a-z0-9-]{4,40}$/).optional(),
  // Where dynos run (server/runtime/driver.ts): `engine` = containers on one Docker Engine;
  // `swarm` = Docker Swarm services across the swarm's nodes.
  SLIPWAY_RUNTIME: z.enum(["engine", "swarm"]).default("engine"),
  // Swarm driver (server/runtime/drivers/swarm.ts). The manager's Engine (unix:///… or
  // tcp://host:port); empty = the local Engine (DOCKER_HOST), which must be a swarm manager.
  SLIPWAY_SWARM_MANAGER: z.string().optional(),
  // The platform's registry (scripts/swarm.sh start_platform_registry prints these) as nodes
  // name it in image references (HOST:PORT); empty = no push (a single-node swarm runs the
  // images its own Engine has). Its user and password go with pushes and with service
  // creation (nodes pull with them).
  SLIPWAY_REGISTRY: z.string().optional(),
  // The same registry as the build Engine pushes to it, when it names it otherwise.
  SLIPWAY_REGISTRY_PUSH: z.string().optional(),
  SLIPWAY_REGISTRY_USER: z.string().optional(),
  SLIPWAY_REGISTRY_PASSWORD: z.string().optional(),
  // Node Engines the control plane can reach, for stats and SIGKILL ("HOSTNAME=unix:///…" or
  // "HOSTNAME=IP=tcp://…", space or comma separated; scripts/swarm.sh's SLIPWAY_SWARM_NODES
  // fits). Nodes not listed: no stats, and a kill is a stop with the dyno's grace period.
  // Add-ons go on listed nodes only (their own Engine runs them); none listed = the local Engine.
  SLIPWAY_SWARM_NODE_ENGINES: z.string().default(""),
  // How often dyno tasks are polled for start/die (Swarm has no task events).
  SLIPWAY_SWARM_POLL_MS: z.coerce.number().int().positive().default(1_000),
  // Dyno manager (Heroku's numbers by default).
  SLIPWAY_BOOT_TIMEOUT_MS: z.coerce.number().int().positive().default(60_000),
  SLIPWAY_STOP_TIMEOUT_SECONDS: z.coerce.number().int().min(0).default(30),
  SLIPWAY_CRASH_BACKOFF_BASE_MS: z.coerce.number().int().positive().default(20_000),
  SLIPWAY_CRASH_BACKOFF_MAX_MS: z.coerce.number().int().positive().default(20 * 60_000),
  SLIPWAY_RECONCILE_INTERVAL_MS: z.coerce.number().int().positive().default(5_000),
  // Router: a web dyno leaving gets SIGTERM once the router confirms it is out of the
  // routing table, or after this long when the router does not answer.
  SLIPWAY_ROUTER_DRAIN_MS: z.coerce.number().int().min(0).default(5_000),
  // Builds: run in containers from the builder image, with these limits.
  SLIPWAY_BUILDER_IMAGE: z.string().default("slipway/builder:bookworm"),
  // Given to build containers so package managers trust the host's TLS (an intercepting
  // proxy's CA included); empty = none.
  SLIPWAY_BUILD_CA_BUNDLE: z.string().default("/etc/ssl/certs/ca-certificates.crt"),
  // The Python package index pip installs from in builds (a PyPI mirror or proxy the build
  // network reaches; credentials may be in the URL and are never shown); unset = pip's
  // default, pypi.org.
  SLIPWAY_PIP_INDEX_URL: z.string().url().optional(),
  SLIPWAY_BUILD_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(2),
  SLIPWAY_BUILD_TIMEOUT_SECONDS: z.coerce.number().int().positive().default(15 * 60),
  SLIPWAY_BUILD_MEMORY_MB: z.coerce.number().int().min(256).default(2048),
  SLIPWAY_BUILD_CPUS: z.coerce.number().positive().default(2),
  SLIPWAY_BUILD_PIDS: z.coerce.number().int().min(32).default(4096),
  // Node.js builds: where the platform reads Node.js, npm, yarn and pnpm releases
  // (engines.node, packageManager, …), and where it keeps the ones it downloaded, shared by
  // every app of the installation and mounted read-only into builds. Default: <data dir>/toolchains.
  SLIPWAY_NPM_REGISTRY: z.string().url().default("https://registry.npmjs.org"),
  SLIPWAY_TOOLCHAIN_DIR: z.string().optional(),
  // Images a Dockerfile may start FROM (and `releases.deployImage` may run) besides the
  // stack image: comma- or space-separated references; `repo` alone allows every tag of
  // it, `*` matches any characters (`mycorp/*`). Apps' own images are never shared.
  SLIPWAY_BUILD_ALLOWED_IMAGES: z
    .string()
    .default("")
    .transform((s) => s.split(/[\s,]+/).filter(Boolean)),
  // Metrics: dyno stats samples, router counter reads, rollup + retention runs.
  SLIPWAY_METRICS_INTERVAL_MS: z.coerce.number().int().min(500).default(10_000),
  SLIPWAY_METRICS_ROUTER_INTERVAL_MS: z.coerce.number().int().min(500).default(60_000),
  SLIPWAY_METRICS_ROLLUP_INTERVAL_MS: z.coerce.number().int().min(500).default(5 * 60_000),
  // Largest source accepted (tarball upload or git push body), in MiB.
  SLIPWAY_MAX_SOURCE_MB: z.coerce.number().int().positive().default(300),
  // Most files, directories and links an unpacked source may hold.
  SLIPWAY_MAX_SOURCE_FILES: z.coerce.number().int().positive().default(50_000),
  // Add-ons: images built by scripts/lib.sh ensure_addon_images; a container that does not
  // answer with its credentials within the timeout fails provisioning.
  SLIPWAY_ADDON_POSTGRES_IMAGE: z.string().default("slipway/addon-postgres:bookworm"),
  SLIPWAY_ADDON_REDIS_IMAGE: z.string().default("slipway/addon-redis:bookworm"),
  SLIPWAY_ADDON_PROVISION_TIMEOUT_SECONDS: z.coerce.number().int().positive().default(120),
  // The PostgreSQL gateway `heroku pg:psql` reaches add-ons through (server/addons/pg-gateway.ts):
  // loopback only unless an admin binds it elsewhere; port 0 turns it off.
  SLIPWAY_PG_GATEWAY_HOST: z.string().default("127.0.0.1"),
  SLIPWAY_PG_GATEWAY_PORT: z.coerce.number().int().min(0).max(65535).default(5432),
  // Where one-shot data sessions bind: `redis:cli` and `pg:backups:download` (server/addons/*-sessions.ts).
  SLIPWAY_DATA_SESSION_HOST: z.string().default("127.0.0.1"),
  // Log drains never connect to loopback, private, link-local or Docker addresses, nor to
  // this host's own, unless the range is listed here (comma-separated CIDRs, e.g. a log
  // server on the LAN: 10.20.0.0/16). Checked at start so a typo fails loudly.
  SLIPWAY_DRAIN_ALLOWED_CIDRS: z
    .string()
    .default("")
    .refine((v) => v.split(/[\s,]+/).filter(Boolean).every(isCidr), "a comma-separated list of CIDR ranges, such as 10.20.0.0/16"),
  // Dynos and builds reach the outside world, never private ranges beyond this host (a LAN,
  // a VPC: 10/8, 172.16/12, 192.168/16, 100.64/10) unless the range is listed here
  // (comma-separated CIDRs, e.g. a database on the LAN: 10.20.0.0/16). DNS to this host's
  // resolvers always passes. Applied by the installation's firewall (runtime/firewall.ts).
  SLIPWAY_DYNO_ALLOWED_CIDRS: z
    .string()
    .default("")
    .refine((v) => v.split(/[\s,]+/).filter(Boolean).every(isCidr), "a comma-separated list of CIDR ranges, such as 10.20.0.0/16"),
  // Where the installation's bridge networks (one per app, per add-on, per build) take their
  // /24 subnets (runtime/drivers/subnets.ts): Docker's default pools hold only about 31 networks.
  SLIPWAY_BRIDGE_SUBNETS: z
    .string()
    .default("10.200.0.0/14")
    .refine((v) => isCidr(v) && net.isIPv4(v.split("/")[0]!) && Number(v.split("/")[1]) <= 24, "an IPv4 CIDR range of /24 or larger, such as 10.200.0.0/14"),
  // Quotas (server/services/quotas.ts). Memory is what dynos may reserve (quantity × size),
  // installation-wide (all formation and one-offs) and per owner (a team, or a user's
  // personal apps); the defaults are sized to this machine.
  SLIPWAY_QUOTA_TOTAL_DYNO_MEMORY_MB: z.coerce.number().int().positive().default(Math.floor((os.totalmem() / 2 ** 20) * 0.8)),
  SLIPWAY_QUOTA_DYNO_MEMORY_MB: z.coerce.number().int().positive().default(Math.max(1024, Math.floor((os.totalmem() / 2 ** 20) * 0.25))),
  SLIPWAY_QUOTA_DYNOS_PER_PROCESS_TYPE: z.coerce.number().int().positive().default(10),
  SLIPWAY_QUOTA_ONE_OFF_DYNOS: z.coerce.number().int().min(0).default(5),
  SLIPWAY_QUOTA_ADDONS: z.coerce.number().int().min(0).default(10),
  SLIPWAY_QUOTA_BACKUPS_PER_ADDON: z.coerce.number().int().min(0).default(20),
  SLIPWAY_QUOTA_QUEUED_BUILDS_PER_APP: z.coerce.number().int().positive().default(3),
  SLIPWAY_QUOTA_QUEUED_BUILDS: z.coerce.number().int().positive().default(10),
  // A dyno's writable layer, where the Engine's storage driver can cap it (see quotas-disk.ts).
  SLIPWAY_QUOTA_DYNO_DISK_MB: z.coerce.number().int().min(64).default(4096),
});

export type Env = z.infer<typeof envSchema>;

let cached: Env | undefined;

export function env(): Env {
  if (!cached) {
    const parsed = envSchema.safeParse(process.env);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
      throw new Error(`Invalid Slipway settings: ${issues}`);
    }
    cached = parsed.data;
  }
  return cached;
}

/** Reads process.env again: for tests and benches that change a setting for a while. */
export function reloadEnv(): Env {
  cached = undefined;
  return env();
}

export function dataDir(): string {
  return path.resolve(env().SLIPWAY_DATA_DIR ?? path.join(process.cwd(), ".slipway"));
}

/** Node.js (and npm, yarn, pnpm) releases downloaded for builds, one folder per version. */
export function toolchainDir(): string {
  return path.resolve(env().SLIPWAY_TOOLCHAIN_DIR ?? path.join(dataDir(), "toolchains"));
}

export type DbTarget = { kind: "pglite"; dir: string } | { kind: "postgres"; url: string };

export function dbTarget(): DbTarget {
  const url = env().DATABASE_URL;
  if (url && url !== PGLITE_PLACEHOLDER_URL) return { kind: "postgres", url };
  return { kind: "pglite", dir: path.join(dataDir(), "db") };
}

/** The URL users open the dashboard at; also what git remotes and the CLI are told. */
export function publicUrl(): string {
  const e = env();
  return (e.SLIPWAY_PUBLIC_URL ?? `http://localhost:${e.SLIPWAY_PORT}`).replace(/\/$/, "");
}

/**
 * Where the caller reached the control plane: `https://<Host>` when the request came over
 * HTTPS through a proxy (the router's SLIPWAY_DASHBOARD_HOST listener sets
 * X-Forwarded-Proto), else publicUrl(). For links handed back to that same caller (a log
 * session's URL), so a client that came by the HTTPS name is sent back to it.
 */
export function requestOrigin(headers: Headers): string {
  const proto = headers.get("x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase();
  const host = headers.get("host")?.trim().toLowerCase();
  if (proto === "https" && host && /^[a-z0-9.-]+(:\d{1,5})?$/.test(host)) return `https://${host.replace(/:443$/, "")}`;
  return publicUrl();
}
