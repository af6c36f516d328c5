"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "@/components/trpc-provider";
import { messageOf } from "@/components/trpc-errors";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { Card, CardContent, CardHeader } from "@/components/ui/card";
import { FieldError } from "@/components/ui/field-error";
import { RelativeTime } from "@/components/ui/relative-time";
import { LoadingRows } from "@/components/ui/skeleton";

const STATUS: Record<string, { label: string; tone: BadgeTone }> = {
  succeeded: { label: "Succeeded", tone: "success" },
  pending: { label: "Pending", tone: "warning" },
  failed: { label: "Failed", tone: "danger" },
};

/**
 * Releases newest first. The full list (Activity tab) or the latest few (Overview).
 * While a release is pending it polls, so the status flips on screen when it settles.
 */
export function ReleaseList({ appName, limit = 50, isCompact = false }: { appName: string; limit?: number; isCompact?: boolean }) {
  const trpc = useTRPC();
  const releases = useQuery({
    ...trpc.releases.list.queryOptions({ app: appName, limit }),
    refetchInterval: (query) => (query.state.data?.some((r) => r.status === "pending") ? 3000 : false),
  });

  return (
    <Card aria-labelledby="releases-title">
      <CardHeader
        titleId="releases-title"
        title={isCompact ? "Latest activity" : "Activity"}
        description={isCompact ? undefined : "Every release of this app, newest first. The current release is the newest that succeeded."}
        actions={
          isCompact ? (
            <Link href={`/apps/${appName}/activity`} className="text-sm font-medium text-link hover:underline">
              All activity →
            </Link>
          ) : undefined
        }
      />
      {releases.isPending ? (
        <LoadingRows label="Loading releases" rows={isCompact ? 2 : 4} />
      ) : releases.isError ? (
        <CardContent>
          <FieldError message={`Couldn't load releases: ${messageOf(releases.error)}`} />
        </CardContent>
      ) : (
        <ol aria-label="Releases" className="divide-y divide-border">
          {releases.data.map((release) => {
            const status = STATUS[release.status] ?? { label: release.status, tone: "neutral" as const };
            const badges = (
              <>
                {release.current && <Badge tone="accent">Current</Badge>}
                <Badge tone={status.tone}>{status.label}</Badge>
              </>
            );
            return (
              <li key={release.id} className="flex gap-3 px-4 py-3.5 sm:px-5">
                <span className="mt-0.5 w-10 shrink-0 font-mono text-sm font-semibold text-muted">v{release.version}</span>
                <div className="min-w-0 flex-1">
                  <p className="text-sm font-medium break-words text-fg">{release.description}</p>
                  <p className="mt-0.5 text-sm text-muted">
                    <span className="break-words">{release.user?.email ?? "Slipway"}</span>
                    <span aria-hidden="true"> · </span>
                    <RelativeTime date={release.createdAt} />
                  </p>
                  <div className="mt-2 flex gap-1.5 sm:hidden">{badges}</div>
                </div>
                <div className="hidden shrink-0 items-start gap-1.5 sm:flex">{badges}</div>
              </li>
            );
          })}
        </ol>
      )}
    </Card>
  );
}
