// Driver adapters for both databases. Shared by the server, prisma.config.ts (migrate)
// and the test helpers, so it must not import `server-only`.
import fs from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import type { DbTarget } from "@/server/env";

// Postgres `name` (19) and `char` (18) columns show up in the catalog queries that
// `prisma migrate` runs; adapter-pg cannot deserialize them (Prisma issue 27403).
// Reporting them as `text` (25) is exact: both arrive as strings on the text protocol.
const TEXT_OID = 25;
const TEXTLIKE_OIDS = new Set([18, 19]);

type FieldList = { dataTypeID: number }[];

function fixFields<T>(result: T): T {
  const results = Array.isArray(result) ? result : [result];
  for (const r of results as { fields?: FieldList }[]) {
    for (const f of r?.fields ?? []) if (TEXTLIKE_OIDS.has(f.dataTypeID)) f.dataTypeID = TEXT_OID;
  }
  return result;
}

function patchClient(client: pg.PoolClient) {
  const original = client.query.bind(client) as (...a: unknown[]) => unknown;
  (client as { query: unknown }).query = (...args: unknown[]) => {
    const last = args[args.length - 1];
    if (typeof last === "function") {
      args[args.length - 1] = (err: unknown, res: unknown) => last(err, err ? res : fixFields(res));
      return original(...args);
    }
    const out = original(...args) as Promise<unknown> | undefined;
    return out && typeof out.then === "function" ? out.then(fixFields) : out;
  };
}

export function postgresAdapter(url: string, opts: { forMigrations?: boolean } = {}) {
  const pool = new pg.Pool({ connectionString: url, max: opts.forMigrations ? 2 : 10 });
  if (opts.forMigrations) pool.on("connect", patchClient);
  // An idle connection dropped by the server (restart, admin kill) must not crash the
  // process; the pool opens a new one on next use.
  pool.on("error", (err) => console.error("slipway: idle database connection failed:", err.message));
  return new PrismaPg(pool, { disposeExternalPool: true });
}

/**
 * Postgres's buffer pool inside the embedded database's WebAssembly memory. PGlite's
 * default (128 MB, Postgres's own) was a third of the control plane's resident memory once
 * warm; the platform's working set is a few MB, and a page not in the pool is one read of
 * the file (the OS caches it). SLIPWAY_PGLITE_SHARED_BUFFERS (e.g. 64MB) sets it.
 */
export const PGLITE_SHARED_BUFFERS_DEFAULT = "32MB";

export function openPglite(dir: string | undefined): PGlite {
  // PGlite cannot create nested data folders itself.
  if (dir) fs.mkdirSync(dir, { recursive: true });
  const buffers = process.env.SLIPWAY_PGLITE_SHARED_BUFFERS || PGLITE_SHARED_BUFFERS_DEFAULT;
  if (!/^\d+(kB|MB|GB)$/.test(buffers)) throw new Error(`SLIPWAY_PGLITE_SHARED_BUFFERS must be a size such as 32MB, not ${buffers}`);
  return new PGlite(dir, { startParams: [...PGlite.defaultStartParams, "-c", `shared_buffers=${buffers}`] });
}

export function adapterFor(target: DbTarget, opts: { forMigrations?: boolean } = {}) {
  if (target.kind === "postgres") return { adapter: postgresAdapter(target.url, opts), close: async () => {} };
  const pglite = openPglite(target.dir);
  return { adapter: new PrismaPGlite(pglite), close: () => pglite.close() };
}
