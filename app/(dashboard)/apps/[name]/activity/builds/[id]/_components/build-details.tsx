"use client";

import { useQuery } from "@tanstack/react-query";
import { TRPCClientError } from "@trpc/client";
import Link from "next/link";
import { BuildOutput } from "@/components/build-output";
import { useTRPC } from "@/components/trpc-provider";
import { messageOf } from "@/components/trpc-errors";
import { buttonClasses } from "@/components/ui/button";
import { Card, CardContent, CardHeader } from "@/components/ui/card";
import { HammerIcon } from "@/components/ui/icons";
import { EmptyState } from "@/components/ui/empty-state";
import { FieldError } from "@/components/ui/field-error";
import { RelativeTime } from "@/components/ui/relative-time";
import { LoadingRows } from "@/components/ui/skeleton";

// The builder's buildpack ids, named as the build output names them (several, in order, joined by commas).
const BUILDPACKS: Record<string, string> = { dockerfile: "Dockerfile", nodejs: "Node.js", python: "Python", static: "Static site" };

function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** One build: who started it, from what, how long it took, and its whole output (live while it runs). */
export function BuildDetails({ appName, buildId }: { appName: string; buildId: string }) {
  const trpc = useTRPC();
  // The same query BuildOutput polls while the build is queued; this one only reads it.
  const build = useQuery(trpc.builds.get.queryOptions({ app: appName, id: buildId }));
  const back = (
    <Link href={`/apps/${appName}/activity`} className="text-sm font-medium text-link hover:underline">
      ← Activity
    </Link>
  );

  if (build.isPending) {
    return (
      <Card>
        <LoadingRows label="Loading build" rows={6} />
      </Card>
    );
  }
  if (build.isError) {
    // A malformed id in the URL is refused as bad input; to a reader it is just as missing.
    const code = build.error instanceof TRPCClientError ? build.error.data?.code : undefined;
    const isMissing = code === "NOT_FOUND" || code === "BAD_REQUEST";
    return isMissing ? (
      <Card>
        <EmptyState
          icon={<HammerIcon />}
          title="No such build"
          actions={
            <Link href={`/apps/${appName}/activity`} className={buttonClasses({ variant: "secondary" })}>
              Back to activity
            </Link>
          }
        >
          This build doesn&apos;t exist in {appName}, or it was deleted with its app.
        </EmptyState>
      </Card>
    ) : (
      <div className="space-y-3">
        {back}
        <FieldError message={`Couldn't load this build: ${messageOf(build.error)}`} />
      </div>
    );
  }

  const b = build.data;
  const source = b.sourceKind === "tarball" ? "Uploaded archive" : "Git push";
  const version = b.sourceVersion ? (b.sourceKind === "tarball" ? `sha256 ${b.sourceVersion.slice(0, 12)}` : b.sourceVersion.slice(0, 7)) : null;
  return (
    <div className="space-y-4">
      {back}
      <Card aria-labelledby="build-title">
        <CardHeader titleId="build-title" title={b.description} description={`Build ${b.id.slice(0, 8)}`} />
        <CardContent className="space-y-5">
          <dl className="grid grid-cols-[auto_minmax(0,1fr)] gap-x-4 gap-y-1.5 text-sm sm:grid-cols-[auto_minmax(0,1fr)_auto_minmax(0,1fr)]">
            <dt className="text-muted">Started by</dt>
            <dd className="break-words text-fg">{b.user?.email ?? "Slipway"}</dd>
            <dt className="text-muted">Source</dt>
            <dd className="text-fg">
              {source}
              {version && (
                <span className="font-mono text-muted" title={b.sourceVersion ?? undefined}>
                  {" "}
                  {version}
                </span>
              )}
            </dd>
            <dt className="text-muted">Buildpack</dt>
            <dd className="text-fg">{b.buildpack ? b.buildpack.split(",").map((id) => BUILDPACKS[id] ?? id).join(" + ") : "—"}</dd>
            <dt className="text-muted">Release</dt>
            <dd className="text-fg">
              {b.release ? (
                <Link href={`/apps/${appName}/activity`} className="font-medium text-link hover:underline">
                  v{b.release.version}
                </Link>
              ) : (
                "—"
              )}
            </dd>
            <dt className="text-muted">Created</dt>
            <dd className="text-fg">
              <RelativeTime date={b.createdAt} />
            </dd>
            <dt className="text-muted">Duration</dt>
            <dd className="text-fg tabular-nums">
              {b.startedAt && b.finishedAt ? formatDuration(new Date(b.finishedAt).getTime() - new Date(b.startedAt).getTime()) : "—"}
            </dd>
          </dl>
          <BuildOutput appName={appName} buildId={buildId} size="lg" />
        </CardContent>
      </Card>
    </div>
  );
}
