// What router and service tests share: unique names, users, a tRPC caller per user (built
// without HTTP), the error a call was refused with, and the access-changed events seen.
import { TRPCError } from "@trpc/server";
import { expect } from "vitest";
import { bus, type AccessChange } from "@/server/runtime/events";
import { createUser } from "@/server/services/users";
import { createCaller } from "@/server/trpc/root";

export const unique = () => Math.random().toString(36).slice(2, 8);

export const callerFor = (userId: string) => createCaller({ identity: { userId, via: "session" } });

export const newUser = (tag: string) => createUser({ email: `${tag}-${unique()}@example.com`, password: "password1" });

/** The TRPCError a call was refused with (fails the test if it was not refused). */
export async function errorOf(p: Promise<unknown>) {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(TRPCError);
  return err as TRPCError;
}

/** Records accessChanged events until stop() is called. */
export function captureAccessChanges() {
  const seen: AccessChange[] = [];
  const listener = (c: AccessChange) => seen.push(c);
  bus.on("access", listener);
  return { seen, stop: () => bus.off("access", listener) };
}
