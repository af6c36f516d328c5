import { Badge, type BadgeTone } from "@/components/ui/badge";
import { cn } from "@/components/ui/cn";

export type BuildStatus = "queued" | "building" | "succeeded" | "failed";

const STATUS: Record<BuildStatus, { label: string; tone: BadgeTone }> = {
  queued: { label: "Queued", tone: "neutral" },
  building: { label: "Building", tone: "warning" },
  succeeded: { label: "Succeeded", tone: "success" },
  failed: { label: "Failed", tone: "danger" },
};

export function isBuildActive(status: string): boolean {
  return status === "queued" || status === "building";
}

/** A build's state; the dot pulses while it is still queued or building. */
export function BuildStatusBadge({ status, className }: { status: BuildStatus; className?: string }) {
  const { label, tone } = STATUS[status] ?? { label: status, tone: "neutral" };
  return (
    <Badge tone={tone} className={className}>
      <span
        aria-hidden="true"
        className={cn("size-1.5 rounded-full bg-current", isBuildActive(status) && "animate-pulse motion-reduce:animate-none")}
      />
      {label}
    </Badge>
  );
}
