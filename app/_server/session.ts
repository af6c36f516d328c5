import "server-only";
import { TRPCError } from "@trpc/server";
import { headers } from "next/headers";
import { notFound } from "next/navigation";
import { cache } from "react";
import { identify } from "@/server/auth/identity";
import { createCaller } from "@/server/trpc/root";

// Glue for server components: who is signed in, and a tRPC caller acting as them, so pages
// go through the same procedures (and access checks) as the browser does.

/** The signed-in user, or null. Also null when the session outlived its user. */
export const getIdentity = cache(async () => identify(await headers()));

export const getServerCaller = cache(async () => createCaller({ identity: await getIdentity() }));

/** Runs a read; NOT_FOUND becomes the not-found page. */
export async function orNotFound<T>(read: Promise<T>): Promise<T> {
  try {
    return await read;
  } catch (err) {
    if (err instanceof TRPCError && err.code === "NOT_FOUND") notFound();
    throw err;
  }
}
