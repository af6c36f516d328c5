import { Badge } from "@/components/ui/badge";
import { Spinner } from "@/components/ui/spinner";

const LABELS: Record<string, { label: string; tone: "success" | "warning" | "danger" | "neutral" }> = {
  provisioning: { label: "provisioning", tone: "warning" },
  available: { label: "available", tone: "success" },
  failed: { label: "failed", tone: "danger" },
  deprovisioning: { label: "destroying", tone: "neutral" },
};

export function AddonStateBadge({ state }: { state: string }) {
  const { label, tone } = LABELS[state] ?? { label: state, tone: "neutral" as const };
  const isBusy = state === "provisioning" || state === "deprovisioning";
  return (
    <Badge tone={tone}>
      {isBusy && <Spinner className="size-3" />}
      {label}
    </Badge>
  );
}
