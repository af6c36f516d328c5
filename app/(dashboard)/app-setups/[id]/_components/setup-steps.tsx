"use client";

import { cn } from "@/components/ui/cn";
import { AlertIcon, CheckIcon } from "@/components/ui/icons";
import { Spinner } from "@/components/ui/spinner";
import { SETUP_STEP_LABELS, type SetupStep } from "@/server/services/app-setups/steps";

const STATUS_WORDS: Record<SetupStep["status"], string> = {
  pending: "waiting",
  running: "running",
  succeeded: "done",
  failed: "failed",
  skipped: "skipped",
};

function seconds(step: SetupStep): string | null {
  if (!step.startedAt || !step.finishedAt) return null;
  const s = (Date.parse(step.finishedAt) - Date.parse(step.startedAt)) / 1000;
  return s < 0.1 ? null : `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
}

/** The setup's steps in order, each with its state and what it did (names, never values). */
export function SetupSteps({ steps }: { steps: SetupStep[] }) {
  return (
    <ol className="divide-y divide-border" aria-label="Setup steps">
      {steps.map((step) => (
        <li key={step.key} className="flex items-start gap-3 py-2.5" data-step={step.key} data-status={step.status}>
          <span className="mt-0.5 flex size-5 shrink-0 items-center justify-center" aria-hidden="true">
            {step.status === "running" ? (
              <Spinner className="size-4 text-warning" />
            ) : step.status === "succeeded" ? (
              <CheckIcon className="size-4 text-success" />
            ) : step.status === "failed" ? (
              <AlertIcon className="size-4 text-danger" />
            ) : (
              <span className={cn("size-2.5 rounded-full border-2", step.status === "skipped" ? "border-border" : "border-border-strong")} />
            )}
          </span>
          <div className="min-w-0 flex-1">
            <div className="flex flex-wrap items-baseline justify-between gap-x-3">
              <span className={cn("text-sm font-medium", step.status === "skipped" || step.status === "pending" ? "text-muted" : "text-fg")}>
                {SETUP_STEP_LABELS[step.key]}
                <span className="sr-only">: {STATUS_WORDS[step.status]}</span>
              </span>
              {seconds(step) && <span className="text-xs text-muted tabular-nums">{seconds(step)}</span>}
            </div>
            {step.detail && <p className={cn("text-sm break-words", step.status === "failed" ? "text-danger" : "text-muted")}>{step.detail}</p>}
          </div>
        </li>
      ))}
    </ol>
  );
}
