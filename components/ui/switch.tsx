import type { ComponentProps } from "react";
import { cn } from "@/components/ui/cn";

type SwitchProps = Omit<ComponentProps<"button">, "role" | "onChange" | "onClick" | "type"> & {
  checked: boolean;
  onCheckedChange: (checked: boolean) => void;
  /** The change is being saved: the switch shows where it is going and ignores presses. */
  isPending?: boolean;
};

/**
 * An on/off switch: a real button with role="switch", so Space and Enter toggle it and
 * screen readers announce on/off. While pending it stays focusable (aria-disabled, not
 * disabled), so keyboard focus is not dropped in the middle of a change.
 */
export function Switch({ checked, onCheckedChange, isPending = false, disabled, className, ...props }: SwitchProps) {
  const isInert = isPending || disabled;
  return (
    <button
      type="button"
      role="switch"
      aria-checked={checked}
      aria-busy={isPending || undefined}
      aria-disabled={isInert || undefined}
      disabled={disabled}
      onClick={() => {
        if (!isInert) onCheckedChange(!checked);
      }}
      className={cn(
        "relative inline-flex h-6 w-11 shrink-0 cursor-pointer items-center rounded-full border-2 border-transparent transition-colors",
        "focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-ring",
        "aria-disabled:cursor-not-allowed disabled:opacity-55",
        isPending && "opacity-75",
        checked ? "bg-primary" : "bg-border-strong",
        className,
      )}
      {...props}
    >
      <span
        aria-hidden="true"
        className={cn(
          "pointer-events-none block size-5 rounded-full bg-white shadow-sm ring-0 transition-transform",
          checked ? "translate-x-5" : "translate-x-0",
        )}
      />
    </button>
  );
}
