import { cn } from "@/components/ui/cn";

/** The Slipway mark (a hull on its ramp) and name. */
export function Wordmark({ className }: { className?: string }) {
  return (
    <span className={cn("inline-flex items-center gap-2 font-semibold tracking-tight text-fg", className)}>
      <svg viewBox="0 0 32 32" className="size-7 shrink-0" aria-hidden="true">
        <rect width="32" height="32" rx="8" className="fill-primary" />
        <path d="M7 21.5 25 11" stroke="white" strokeOpacity="0.55" strokeWidth="2.2" strokeLinecap="round" />
        <path d="M9 17.5c2.5 1.6 6 1.4 9.5-.6L23 14.3c.3 2.6-1.2 5.1-4 6.7-3.6 2-7.6 1.6-10-1.2Z" fill="white" />
      </svg>
      <span className="text-[17px]">Slipway</span>
    </span>
  );
}
