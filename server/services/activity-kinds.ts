// What the audit trail's filters offer: each category names the kind prefixes it covers
// (a kind is dotted, `config.set`, `member.removed`; a prefix matches the kind itself or
// anything under it). Pure data: the dashboard imports it for its filter select, as it
// does server/auth/permissions.ts.

export const VIAS = ["dashboard", "cli", "git", "api", "system"] as const;
export type ActivityVia = (typeof VIAS)[number];

export const VIA_LABELS: Record<ActivityVia, string> = {
  dashboard: "Dashboard",
  cli: "CLI",
  git: "git",
  api: "API key",
  system: "Slipway",
};

export const ACTIVITY_CATEGORIES = [
  { key: "app", label: "App", prefixes: ["app"] },
  { key: "config", label: "Config vars", prefixes: ["config"] },
  { key: "formation", label: "Scaling", prefixes: ["formation"] },
  { key: "dynos", label: "Dynos", prefixes: ["dynos"] },
  { key: "deploy", label: "Deploys and rollbacks", prefixes: ["deploy"] },
  { key: "domains", label: "Domains", prefixes: ["domains"] },
  { key: "drains", label: "Log drains", prefixes: ["drains"] },
  { key: "addons", label: "Add-ons", prefixes: ["addons"] },
  { key: "pipelines", label: "Pipelines and review apps", prefixes: ["pipeline", "review_app", "deploy.promoted"] },
  { key: "access", label: "Access and members", prefixes: ["access", "collaborator", "member", "invitation", "team", "app.transfer", "app.lock", "app.unlock"] },
  { key: "auth", label: "Sign-ins and API keys", prefixes: ["auth", "api_key"] },
] as const;

export type ActivityCategory = (typeof ACTIVITY_CATEGORIES)[number]["key"];

/** The kind prefixes a filter value stands for: a category's, or the value itself as one prefix. */
export function kindPrefixes(filter: string): readonly string[] {
  return ACTIVITY_CATEGORIES.find((c) => c.key === filter)?.prefixes ?? [filter];
}

