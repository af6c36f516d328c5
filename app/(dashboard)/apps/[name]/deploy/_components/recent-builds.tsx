"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { BuildStatusBadge, isBuildActive } from "@/components/build-status-badge";
import { useTRPC } from "@/components/trpc-provider";
import { messageOf } from "@/components/trpc-errors";
import { Card, CardContent, CardHeader } from "@/components/ui/card";
import { HammerIcon } from "@/components/ui/icons";
import { EmptyState } from "@/components/ui/empty-state";
import { FieldError } from "@/components/ui/field-error";
import { RelativeTime } from "@/components/ui/relative-time";
import { LoadingRows } from "@/components/ui/skeleton";

const ACTIVE_POLL_MS = 3000;

/** The latest builds, each linking to its output; refreshes while one is still running. */
export function RecentBuilds({ appName }: { appName: string }) {
  const trpc = useTRPC();
  const builds = useQuery({
    ...trpc.builds.list.queryOptions({ app: appName, limit: 6 }),
    refetchInterval: (query) => (query.state.data?.some((b) => isBuildActive(b.status)) ? ACTIVE_POLL_MS : false),
  });

  return (
    <Card aria-labelledby="recent-builds-title">
      <CardHeader
        titleId="recent-builds-title"
        title="Recent builds"
        actions={
          <Link href={`/apps/${appName}/activity`} className="text-sm font-medium text-link hover:underline">
            All activity →
          </Link>
        }
      />
      {builds.isPending ? (
        <LoadingRows label="Loading builds" rows={3} />
      ) : builds.isError ? (
        <CardContent>
          <FieldError message={`Couldn't load builds: ${messageOf(builds.error)}`} />
        </CardContent>
      ) : builds.data.length === 0 ? (
        <EmptyState icon={<HammerIcon />} title="No builds yet" className="py-10">
          Push with git or upload an archive: each deploy is built here, and its output stays readable.
        </EmptyState>
      ) : (
        <ul aria-label="Recent builds" className="divide-y divide-border">
          {builds.data.map((build) => (
            <li key={build.id} className="px-4 py-3 sm:px-5">
              <div className="flex items-start justify-between gap-3">
                <Link
                  href={`/apps/${appName}/activity/builds/${build.id}`}
                  className="min-w-0 text-sm font-medium break-words text-fg hover:text-link hover:underline"
                >
                  {build.description}
                </Link>
                <BuildStatusBadge status={build.status} className="shrink-0" />
              </div>
              <p className="mt-0.5 text-sm text-muted">
                {build.release ? `v${build.release.version} · ` : ""}
                {build.sourceKind === "tarball" ? "Upload" : "Git push"}
                <span aria-hidden="true"> · </span>
                <RelativeTime date={build.createdAt} />
              </p>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
