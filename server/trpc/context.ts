import "server-only";
import { clientIp } from "@/server/audit/origin";
import { identify, type Identity } from "@/server/auth/identity";

export type Context = { identity: Identity | null; ip?: string | null };

export async function createContext(opts: { headers: Headers }): Promise<Context> {
  return { identity: await identify(opts.headers), ip: clientIp(opts.headers) };
}
