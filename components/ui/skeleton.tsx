import { cn } from "@/components/ui/cn";

export function Skeleton({ className }: { className?: string }) {
  return <div aria-hidden="true" className={cn("animate-pulse rounded-md bg-surface-muted", className)} />;
}

/** A labelled loading placeholder for a list or card body. */
export function LoadingRows({ label, rows = 3 }: { label: string; rows?: number }) {
  return (
    <div role="status" aria-label={label} className="space-y-3 p-4 sm:p-5">
      {Array.from({ length: rows }, (_, i) => (
        <Skeleton key={i} className="h-5 w-full max-w-xl" />
      ))}
    </div>
  );
}
