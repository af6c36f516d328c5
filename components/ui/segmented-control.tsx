"use client";

import { cn } from "@/components/ui/cn";

/**
 * A row of mutually exclusive options (a time range, a process type). Each option is a
 * toggle button with aria-pressed, so it works with Tab and Enter/Space like any button.
 */
export function SegmentedControl<T extends string>({
  label,
  options,
  value,
  onChange,
  className,
}: {
  label: string;
  options: readonly { value: T; label: string }[];
  value: T;
  onChange: (value: T) => void;
  className?: string;
}) {
  return (
    <div role="group" aria-label={label} className={cn("inline-flex rounded-md border border-border-strong bg-surface p-0.5 shadow-xs", className)}>
      {options.map((o) => {
        const isSelected = o.value === value;
        return (
          <button
            key={o.value}
            type="button"
            aria-pressed={isSelected}
            onClick={() => onChange(o.value)}
            className={cn(
              "h-7 min-w-10 rounded px-2.5 text-sm font-medium whitespace-nowrap transition-colors focus-visible:outline-offset-0",
              isSelected ? "bg-accent-soft text-link" : "text-muted hover:bg-surface-muted hover:text-fg",
            )}
          >
            {o.label}
          </button>
        );
      })}
    </div>
  );
}
