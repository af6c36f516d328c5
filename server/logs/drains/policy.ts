import "server-only";
// The installation's drain address policy: private ranges, the host's addresses and every
// runtime network's subnet are refused, except the ranges an admin allows in
// SLIPWAY_DRAIN_ALLOWED_CIDRS. Docker's subnets are read from the Engine and kept for a
// while (a check must not wait on the Engine); Docker's default pools are inside RFC 1918
// anyway, so the list matters for daemons configured with other pools.
import { env } from "@/server/env";
import { runtimeDriver } from "@/server/runtime/driver";
import { AddressPolicy, parseCidrList } from "./address-policy";

const REFRESH_MS = 30_000;
let subnets: string[] = [];
let readAt = 0;
let reading: Promise<void> | null = null;

/** Reads the Docker networks' subnets again (awaited at start; later refreshes run behind checks). */
export function refreshDockerSubnets(): Promise<void> {
  reading ??= (async () => {
    try {
      subnets = await runtimeDriver().networkSubnets();
      readAt = Date.now();
    } catch (err) {
      console.error("slipway: could not read the Docker networks for the drain address policy", (err as Error).message);
    } finally {
      reading = null;
    }
  })();
  return reading;
}

function dockerSubnets(): readonly string[] {
  if (Date.now() - readAt > REFRESH_MS) void refreshDockerSubnets();
  return subnets;
}

/** A policy from the current settings (SLIPWAY_DRAIN_ALLOWED_CIDRS is read each time). */
export function drainAddressPolicy(): AddressPolicy {
  return new AddressPolicy({ allowed: parseCidrList(env().SLIPWAY_DRAIN_ALLOWED_CIDRS), extraDenied: dockerSubnets });
}
