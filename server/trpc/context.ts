import "server-only";
import { identify, type Identity } from "@/server/auth/identity";

export type Context = { identity: Identity | null };

export async function createContext(opts: { headers: Headers }): Promise<Context> {
  return { identity: await identify(opts.headers) };
}
