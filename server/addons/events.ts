import "server-only";
// Add-on changes (state, provisioning step, attachments, backups) for the dashboard's live
// views: the tRPC subscription yields them and clients refetch.
import { EventEmitter } from "node:events";

/** `appIds`: every app the add-on is attached to (or billed to) when it changed. */
export type AddonChange = { addonId: string; appIds: string[] };

const holder = globalThis as unknown as { slipwayAddonBus?: EventEmitter<{ change: [AddonChange] }> };
export const addonBus = (holder.slipwayAddonBus ??= new EventEmitter<{ change: [AddonChange] }>().setMaxListeners(0));

export function addonChanged(change: AddonChange) {
  addonBus.emit("change", change);
}
