import { cn } from "@/components/ui/cn";
import { AlertIcon } from "@/components/ui/icons";

/** The message shown under (or next to) whatever failed. Renders nothing without a message. */
export function FieldError({ id, message, className }: { id?: string; message?: string | null; className?: string }) {
  if (!message) return null;
  return (
    <p id={id} role="alert" className={cn("flex items-start gap-1.5 text-sm text-danger", className)}>
      <AlertIcon className="mt-0.5 size-3.5 shrink-0" />
      <span>{message}</span>
    </p>
  );
}
