"use client";

import Link from "next/link";
import { BuildLog } from "@/components/build-log";
import { BuildStatusBadge, isBuildActive, type BuildStatus } from "@/components/build-status-badge";
import { messageOf } from "@/components/trpc-errors";
import { useBuildOutput, type BuildEnd } from "@/components/use-build-output";
import { cn } from "@/components/ui/cn";
import { AlertIcon, CheckIcon } from "@/components/ui/icons";
import { Spinner } from "@/components/ui/spinner";

const PLACEHOLDER: Record<BuildStatus, string> = {
  queued: "Waiting for a builder…",
  building: "Starting the build…",
  succeeded: "This build wrote no output.",
  failed: "This build wrote no output.",
};

/**
 * One build, live: its status, its output as it is written (terminal-style, following the
 * tail) and how it ended — "Released vN", or why it failed. Used on the Deploy tab right
 * after an upload and on the build's own page.
 */
export function BuildOutput({
  appName,
  buildId,
  size = "md",
  onEnd,
}: {
  appName: string;
  buildId: string;
  size?: "md" | "lg";
  onEnd?: (end: BuildEnd) => void;
}) {
  const out = useBuildOutput(appName, buildId, onEnd);
  const release = out.release;
  const isActive = isBuildActive(out.status);

  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <BuildStatusBadge status={out.status} />
        {isActive && <StreamIndicator isLive={out.isLive} />}
      </div>
      <BuildLog text={out.text} placeholder={PLACEHOLDER[out.status]} size={size} />
      <div role="status" className="min-h-5 text-sm">
        {out.status === "succeeded" ? (
          <p className="flex items-center gap-1.5 font-medium text-success">
            <CheckIcon className="size-4 shrink-0" />
            {release ? (
              <span>
                Released v{release.version}
                <span className="font-normal text-muted">
                  {" · "}
                  <Link href={`/apps/${appName}/activity`} className="text-link hover:underline">
                    View activity
                  </Link>
                </span>
              </span>
            ) : (
              <span>Build succeeded</span>
            )}
          </p>
        ) : out.status === "failed" ? (
          <p className="flex items-start gap-1.5 text-danger">
            <AlertIcon className="mt-0.5 size-4 shrink-0" />
            <span>
              <span className="font-medium">Build failed</span>
              {out.error ? `: ${out.error}` : "."}
            </span>
          </p>
        ) : out.streamError && !out.isLive ? (
          <p className="text-danger">Lost the build output ({messageOf(out.streamError)}). Reconnecting…</p>
        ) : (
          <p className="flex items-center gap-2 text-muted">
            <Spinner className="size-3.5" />
            {out.status === "queued" ? "Queued — the build starts when a builder is free." : "Building…"}
          </p>
        )}
      </div>
    </div>
  );
}

function StreamIndicator({ isLive }: { isLive: boolean }) {
  return (
    <span className="inline-flex items-center gap-1.5 text-xs text-muted" title={isLive ? "Output appears as it is written" : "Connecting to the build output"}>
      <span aria-hidden="true" className={cn("size-1.5 rounded-full", isLive ? "bg-success" : "animate-pulse bg-warning")} />
      {isLive ? "Live" : "Connecting…"}
    </span>
  );
}
