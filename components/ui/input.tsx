import type { ComponentProps } from "react";
import { cn } from "@/components/ui/cn";

export const inputClasses = cn(
  "block h-9 w-full min-w-0 rounded-md border border-border-strong bg-surface px-3 text-sm text-fg shadow-xs",
  "placeholder:text-muted/70 focus-visible:border-ring focus-visible:outline-2 focus-visible:outline-offset-0 focus-visible:outline-ring/40",
  "disabled:cursor-not-allowed disabled:opacity-60 read-only:bg-surface-muted",
  "aria-invalid:border-danger aria-invalid:focus-visible:outline-danger/40",
);

export function Input({ className, ...props }: ComponentProps<"input">) {
  return <input className={cn(inputClasses, className)} {...props} />;
}

/** For keys, values and commands: monospace, no spellcheck, no autofill. */
export function CodeInput({ className, ...props }: ComponentProps<"input">) {
  return <input className={cn(inputClasses, "font-mono", className)} spellCheck={false} autoComplete="off" {...props} />;
}

export function Select({ className, ...props }: ComponentProps<"select">) {
  return <select className={cn(inputClasses, "pr-8", className)} {...props} />;
}
