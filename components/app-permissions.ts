import { allows, OPERATIONS, type Operation, type Permission } from "@/server/auth/permissions";

// The dashboard's side of the one permission table: a control a user may not use is
// disabled (or hidden) with this reason on hover; the server refuses it anyway.

/** Why `held` does not allow `operation`, or null when it does. */
export function deniedReason(held: readonly Permission[] | undefined, operation: Operation): string | null {
  if (!held || allows(held, operation)) return null;
  return `You need the ${OPERATIONS[operation]} permission on this app to do this.`;
}

export function can(held: readonly Permission[] | undefined, operation: Operation): boolean {
  return !!held && allows(held, operation);
}
