import { Badge, type BadgeTone } from "@/components/ui/badge";
import { cn } from "@/components/ui/cn";

const TONES: Record<string, BadgeTone> = { starting: "warning", up: "success", crashed: "danger", down: "neutral", idle: "neutral" };

/** Heroku's dyno states, coloured: starting pulses amber, up is green, crashed red, down gray. */
export function DynoStateBadge({ state }: { state: string }) {
  const isStarting = state === "starting";
  return (
    <Badge tone={TONES[state] ?? "neutral"} className="min-w-[4.75rem] justify-center">
      <span
        aria-hidden="true"
        className={cn("size-1.5 rounded-full bg-current", isStarting && "animate-pulse motion-reduce:animate-none")}
      />
      {state}
    </Badge>
  );
}
