import type { TeamRole } from "@/server/auth/permissions";

export const ROLE_OPTIONS: { value: TeamRole; label: string; help: string }[] = [
  { value: "admin", label: "Admin", help: "Everything, including members, roles and deleting the team" },
  { value: "member", label: "Member", help: "Creates apps; gets the team's default permissions on its apps" },
  { value: "viewer", label: "Viewer", help: "Sees the team's apps, logs and metrics; changes nothing" },
];

export const ADMIN_ONLY = "Only team admins can change this.";
