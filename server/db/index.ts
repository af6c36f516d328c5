import "server-only";
import { PrismaClient } from "@/server/db/generated/client";
import { adapterFor } from "@/server/db/adapter";
import { dbTarget } from "@/server/env";

export type Db = PrismaClient;
export * from "@/server/db/generated/client";

// One client per process. Tests put their own (fresh database) here before importing
// services; Next.js dev reloads reuse it instead of opening PGlite twice.
const holder = globalThis as unknown as { slipwayDb?: PrismaClient };

function createDb(): PrismaClient {
  return new PrismaClient({ adapter: adapterFor(dbTarget()).adapter });
}

export const db: PrismaClient = (holder.slipwayDb ??= createDb());
