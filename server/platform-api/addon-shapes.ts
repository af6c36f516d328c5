import "server-only";
// Heroku's add-on and attachment shapes. Self-hosted add-ons cost nothing: every price is
// 0 cents a month, which the CLI prints as "free".
import crypto from "node:crypto";
import { publicUrl } from "@/server/env";
import { configKey } from "@/server/services/addon-records";
import type { describeAddon, listAttachmentsForApps } from "@/server/services/addons";

type Addon = ReturnType<typeof describeAddon>;
type Attachment = Awaited<ReturnType<typeof listAttachmentsForApps>>[number];

const iso = (d: Date) => d.toISOString();
const FREE = { cents: 0, unit: "month", contract: false, metered: false };

/** Services and plans have no rows; the CLI still wants ids: stable ones from their names. */
function stableId(name: string) {
  const h = crypto.createHash("sha256").update(`slipway:${name}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Ours → Heroku's: available is provisioned; a failed add-on shows as deprovisioned ("errored"). */
function herokuState(state: string) {
  return ({ available: "provisioned", failed: "deprovisioned" } as Record<string, string>)[state] ?? state;
}

function dashboardUrl(addon: Addon) {
  return `${publicUrl()}/apps/${addon.app.name}/resources/addons/${addon.name}`;
}

export function addonShape(addon: Addon) {
  const plan = `${addon.service}:${addon.plan}`;
  return {
    id: addon.id,
    name: addon.name,
    app: { id: addon.app.id, name: addon.app.name },
    addon_service: { id: stableId(addon.service), name: addon.service, human_name: addon.serviceLabel },
    plan: { id: stableId(plan), name: plan, price: FREE },
    billed_price: { cents: 0, contract: false, unit: "month" },
    billing_entity: { id: addon.app.id, name: addon.app.name, type: "app" },
    config_vars: addon.attachments.filter((a) => a.app.id === addon.app.id).map((a) => configKey(a.name)),
    state: herokuState(addon.state),
    provision_message: addon.state === "failed" ? addon.error : null,
    provider_id: addon.id,
    actions: [],
    created_at: iso(addon.createdAt),
    updated_at: iso(addon.updatedAt),
    web_url: dashboardUrl(addon),
  };
}

export function attachmentShape(a: Attachment) {
  return {
    id: a.id,
    name: a.name,
    app: { id: a.app.id, name: a.app.name },
    // With its plan, as Heroku's `Accept-Inclusion: addon:plan` gives it: the CLI's pg:* commands pick databases by it.
    addon: { id: a.addon.id, name: a.addon.name, app: { id: a.addon.app.id, name: a.addon.app.name }, plan: { id: stableId(`${a.addon.service}:${a.addon.plan}`), name: `${a.addon.service}:${a.addon.plan}` } },
    addon_service: { id: stableId(a.addon.service), name: a.addon.service },
    plan: { id: stableId(`${a.addon.service}:${a.addon.plan}`), name: `${a.addon.service}:${a.addon.plan}` },
    config_vars: [configKey(a.name)],
    namespace: null,
    created_at: iso(a.createdAt),
    updated_at: iso(a.createdAt),
    web_url: `${publicUrl()}/apps/${a.addon.app.name}/resources/addons/${a.addon.name}`,
    log_input_url: null,
  };
}
