"use client";

import Link from "next/link";
import type { ReactNode } from "react";
import type { ActivityEntry } from "@/components/activity-entries";
import { BuildStatusBadge, isBuildActive } from "@/components/build-status-badge";
import type { BuildSummary, ReleaseSummary } from "@/components/build-types";
import { RollbackButton } from "@/components/rollback-button";
import { messageOf } from "@/components/trpc-errors";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { buttonClasses } from "@/components/ui/button";
import { Card, CardContent, CardHeader } from "@/components/ui/card";
import { ActivityIcon, HammerIcon } from "@/components/ui/icons";
import { EmptyState } from "@/components/ui/empty-state";
import { FieldError } from "@/components/ui/field-error";
import { RelativeTime } from "@/components/ui/relative-time";
import { LoadingRows } from "@/components/ui/skeleton";
import { useActivity } from "@/components/use-activity";

const STATUS: Record<string, { label: string; tone: BadgeTone }> = {
  succeeded: { label: "Succeeded", tone: "success" },
  pending: { label: "Pending", tone: "warning" },
  failed: { label: "Failed", tone: "danger" },
};

/**
 * The app's history, newest first: releases with the builds that made them, and builds
 * still running or failed — updating while a build runs. The whole list (Activity tab,
 * with rollbacks) or the latest few (Overview).
 */
export function ReleaseList({ appName, limit = 50, isCompact = false }: { appName: string; limit?: number; isCompact?: boolean }) {
  const { entries, currentVersion, hasBuilds, isLoading, error } = useActivity(appName, limit);

  return (
    <Card aria-labelledby="activity-title">
      <CardHeader
        titleId="activity-title"
        title={isCompact ? "Latest activity" : "Activity"}
        description={isCompact ? undefined : "Builds and releases of this app, newest first. The current release is the newest that succeeded."}
        actions={
          isCompact ? (
            <Link href={`/apps/${appName}/activity`} className="text-sm font-medium text-link hover:underline">
              All activity →
            </Link>
          ) : undefined
        }
      />
      {error ? (
        <CardContent>
          <FieldError message={`Couldn't load activity: ${messageOf(error)}`} />
        </CardContent>
      ) : isLoading ? (
        <LoadingRows label="Loading activity" rows={isCompact ? 2 : 4} />
      ) : entries.length === 0 ? (
        <EmptyState
          icon={<ActivityIcon />}
          title="No activity yet"
          actions={
            <Link href={`/apps/${appName}/deploy`} className={buttonClasses()}>
              Deploy your code
            </Link>
          }
        >
          Deploys, config changes and rollbacks show up here. Push with git or upload your source to make the first release.
        </EmptyState>
      ) : (
        <>
          <ol aria-label="Releases" className="divide-y divide-border">
            {entries.map((entry) => (
              <ActivityRow key={entry.key} appName={appName} entry={entry} currentVersion={currentVersion} canRollBack={!isCompact} />
            ))}
          </ol>
          {!isCompact && !hasBuilds && (
            <p className="border-t border-border px-4 py-3 text-sm text-muted sm:px-5">
              No builds yet.{" "}
              <Link href={`/apps/${appName}/deploy`} className="font-medium text-link hover:underline">
                Deploy your code
              </Link>{" "}
              with git or an archive; each build and its output appear here.
            </p>
          )}
        </>
      )}
    </Card>
  );
}

function ActivityRow({ appName, entry, currentVersion, canRollBack }: { appName: string; entry: ActivityEntry; currentVersion: number | null; canRollBack: boolean }) {
  return entry.kind === "release" ? (
    <ReleaseRow appName={appName} release={entry.release} build={entry.build} currentVersion={currentVersion} canRollBack={canRollBack} />
  ) : (
    <BuildRow appName={appName} build={entry.build} />
  );
}

function ReleaseRow({
  appName,
  release,
  build,
  currentVersion,
  canRollBack,
}: {
  appName: string;
  release: ReleaseSummary;
  build: BuildSummary | null;
  currentVersion: number | null;
  canRollBack: boolean;
}) {
  const status = STATUS[release.status] ?? { label: release.status, tone: "neutral" as const };
  const isRollbackTarget =
    canRollBack && release.status === "succeeded" && !!release.imageTag && !release.current && currentVersion !== null && release.version < currentVersion;
  const side = (
    <>
      {isRollbackTarget && <RollbackButton appName={appName} version={release.version} currentVersion={currentVersion} />}
      <div className="flex gap-1.5">
        {release.current && <Badge tone="accent">Current</Badge>}
        <Badge tone={status.tone}>{status.label}</Badge>
      </div>
    </>
  );
  return (
    <li aria-label={`v${release.version}: ${release.description}`} className="flex gap-3 px-4 py-3.5 sm:px-5">
      <span className="mt-0.5 w-10 shrink-0 font-mono text-sm font-semibold text-muted">v{release.version}</span>
      <div className="min-w-0 flex-1">
        <p className="text-sm font-medium break-words text-fg">{release.description}</p>
        <Meta email={release.user?.email} date={release.createdAt}>
          {build && <BuildLink appName={appName} build={build} />}
        </Meta>
        <div className="mt-2 flex flex-row-reverse flex-wrap items-center justify-end gap-2 sm:hidden">{side}</div>
      </div>
      <div className="hidden shrink-0 items-center gap-3 self-center sm:flex">{side}</div>
    </li>
  );
}

function BuildRow({ appName, build }: { appName: string; build: BuildSummary }) {
  const title = build.status === "failed" ? "Build failed" : build.status === "succeeded" ? "Build succeeded" : build.status === "building" ? "Building" : "Build queued";
  return (
    <li aria-label={`${title}: ${build.description}`} className="flex gap-3 px-4 py-3.5 sm:px-5">
      <span className="mt-0.5 flex w-10 shrink-0 text-muted">
        <HammerIcon />
        <span className="sr-only">Build</span>
      </span>
      <div className="min-w-0 flex-1">
        <p className="text-sm font-medium break-words text-fg">
          {title} <span className="font-normal text-muted">· {build.description}</span>
        </p>
        {build.status === "failed" && build.error && <p className="mt-0.5 line-clamp-2 text-sm break-words text-danger">{build.error}</p>}
        <Meta email={build.user?.email} date={build.createdAt}>
          <BuildLink appName={appName} build={build} />
        </Meta>
        <div className="mt-2 sm:hidden">
          <BuildStatusBadge status={build.status} />
        </div>
      </div>
      <div className="hidden shrink-0 self-center sm:block">
        <BuildStatusBadge status={build.status} />
      </div>
    </li>
  );
}

function Meta({ email, date, children }: { email: string | undefined; date: Date; children?: ReactNode }) {
  return (
    <p className="mt-0.5 text-sm text-muted">
      <span className="break-words">{email ?? "Slipway"}</span>
      <span aria-hidden="true"> · </span>
      <RelativeTime date={date} />
      {children && (
        <>
          <span aria-hidden="true"> · </span>
          {children}
        </>
      )}
    </p>
  );
}

function BuildLink({ appName, build }: { appName: string; build: BuildSummary }) {
  return (
    <Link href={`/apps/${appName}/activity/builds/${build.id}`} className="font-medium text-link hover:underline">
      {isBuildActive(build.status) ? "Watch build output" : "View build output"}
    </Link>
  );
}
