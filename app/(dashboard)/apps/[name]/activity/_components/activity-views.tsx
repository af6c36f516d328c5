import Link from "next/link";
import { cn } from "@/components/ui/cn";

export type ActivityView = "releases" | "audit";

const VIEWS: { value: ActivityView; label: string }[] = [
  { value: "releases", label: "Releases and builds" },
  { value: "audit", label: "Audit trail" },
];

/** The Activity tab's two views, as links (?view=audit), so each can be linked to and reloaded. */
export function ActivityViews({ appName, view }: { appName: string; view: ActivityView }) {
  return (
    <nav aria-label="Activity views" className="inline-flex rounded-md border border-border-strong bg-surface p-0.5 shadow-xs">
      {VIEWS.map((v) => {
        const isCurrent = v.value === view;
        return (
          <Link
            key={v.value}
            href={`/apps/${encodeURIComponent(appName)}/activity${v.value === "audit" ? "?view=audit" : ""}`}
            aria-current={isCurrent ? "page" : undefined}
            className={cn(
              "flex h-7 items-center rounded px-2.5 text-sm font-medium whitespace-nowrap transition-colors focus-visible:outline-offset-0",
              isCurrent ? "bg-accent-soft text-link" : "text-muted hover:bg-surface-muted hover:text-fg",
            )}
          >
            {v.label}
          </Link>
        );
      })}
    </nav>
  );
}
