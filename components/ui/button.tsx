import type { ComponentProps } from "react";
import { cn } from "@/components/ui/cn";
import { Spinner } from "@/components/ui/spinner";
import { SubmitButton } from "@/components/ui/submit-button";

export type ButtonVariant = "primary" | "secondary" | "ghost" | "danger" | "danger-outline";
export type ButtonSize = "sm" | "md";

const VARIANTS: Record<ButtonVariant, string> = {
  primary: "bg-primary text-primary-fg hover:bg-primary-hover shadow-sm",
  secondary: "border border-border-strong bg-surface text-fg hover:bg-surface-muted shadow-sm",
  ghost: "text-fg hover:bg-surface-muted",
  danger: "bg-danger-solid text-white hover:bg-danger-solid-hover shadow-sm",
  "danger-outline": "border border-danger/50 bg-surface text-danger hover:bg-danger-soft",
};

const SIZES: Record<ButtonSize, string> = {
  sm: "h-8 px-2.5 text-sm gap-1.5",
  md: "h-9 px-3.5 text-sm gap-2",
};

/** Classes for anything that should look like a button (e.g. a Link). */
export function buttonClasses({ variant = "primary", size = "md", className }: { variant?: ButtonVariant; size?: ButtonSize; className?: string } = {}) {
  return cn(
    "inline-flex shrink-0 items-center justify-center rounded-md font-medium whitespace-nowrap transition-colors",
    "focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-ring",
    "disabled:cursor-not-allowed disabled:opacity-55",
    VARIANTS[variant],
    SIZES[size],
    className,
  );
}

type ButtonProps = ComponentProps<"button"> & {
  variant?: ButtonVariant;
  size?: ButtonSize;
  /** Shows a spinner and disables the button while a mutation runs. */
  isPending?: boolean;
};

export function Button({ variant, size, isPending = false, className, disabled, children, type = "button", ...props }: ButtonProps) {
  // A submit button waits for hydration (see SubmitButton); the others render as they are, so
  // this module stays usable from server components (buttonClasses).
  const Element = type === "submit" ? SubmitButton : "button";
  return (
    <Element
      type={type}
      className={buttonClasses({ variant, size, className })}
      disabled={disabled || isPending}
      aria-busy={isPending || undefined}
      {...props}
    >
      {isPending && <Spinner />}
      {children}
    </Element>
  );
}
