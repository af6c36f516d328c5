import { cn } from "@/components/ui/cn";
import { CopyButton } from "@/components/ui/copy-button";

/** One line of something to copy: a command, a URL, a token. */
export function CodeLine({ value, label, prompt = false, className }: { value: string; label: string; prompt?: boolean; className?: string }) {
  return (
    <div className={cn("flex items-center gap-2 rounded-md border border-border bg-surface-muted py-1.5 pr-1.5 pl-3", className)}>
      <code className="min-w-0 flex-1 overflow-x-auto font-mono text-[13px] whitespace-nowrap text-fg">
        {prompt && (
          <span className="text-muted select-none" aria-hidden="true">
            ${" "}
          </span>
        )}
        {value}
      </code>
      <CopyButton value={value} label={label} showText={false} variant="ghost" />
    </div>
  );
}
