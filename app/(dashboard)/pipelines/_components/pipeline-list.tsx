"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "@/components/trpc-provider";
import { messageOf } from "@/components/trpc-errors";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { FieldError } from "@/components/ui/field-error";
import { LayersIcon, UserIcon, UsersIcon } from "@/components/ui/icons";
import { RelativeTime } from "@/components/ui/relative-time";
import { LoadingRows } from "@/components/ui/skeleton";
import { NewPipelineDialog } from "./new-pipeline-dialog";

/** Every pipeline the user can see: their own and their teams'. */
export function PipelineList() {
  const trpc = useTRPC();
  const pipelines = useQuery(trpc.pipelines.list.queryOptions());
  if (pipelines.isPending) {
    return (
      <Card>
        <LoadingRows label="Loading pipelines" rows={3} />
      </Card>
    );
  }
  if (pipelines.isError) {
    return (
      <Card className="p-5">
        <FieldError message={`Couldn't load pipelines: ${messageOf(pipelines.error)}`} />
      </Card>
    );
  }
  if (pipelines.data.length === 0) {
    return (
      <Card>
        <EmptyState icon={<LayersIcon />} title="No pipelines yet" actions={<NewPipelineDialog />}>
          A pipeline puts your apps in stages — development, staging, production — so the build you tested in staging is the one
          production runs. Create one from an app, or with <code className="font-mono text-fg">heroku pipelines:create -a APP</code>.
        </EmptyState>
      </Card>
    );
  }
  return (
    <Card>
      <ul aria-label="Pipelines" className="divide-y divide-border">
        {pipelines.data.map((p) => (
          <li key={p.id}>
            <Link
              href={`/pipelines/${encodeURIComponent(p.name)}`}
              className="group grid grid-cols-1 gap-1 px-4 py-3.5 hover:bg-surface-muted focus-visible:-outline-offset-2 sm:px-5 md:grid-cols-[minmax(0,2fr)_minmax(0,1.4fr)_7rem_9rem] md:items-center md:gap-4"
            >
              <span className="flex min-w-0 items-center gap-2.5">
                <span className="flex size-8 shrink-0 items-center justify-center rounded-md bg-accent-soft text-link" aria-hidden="true">
                  <LayersIcon />
                </span>
                <span className="truncate font-medium text-link group-hover:underline">{p.name}</span>
              </span>
              <span className="flex min-w-0 items-center gap-1.5 pl-10.5 text-sm text-muted md:pl-0">
                {p.team ? <UsersIcon className="shrink-0" /> : <UserIcon className="shrink-0" />}
                <span className="truncate">{p.team?.name ?? p.owner?.email ?? "—"}</span>
              </span>
              <span className="pl-10.5 text-sm text-muted md:pl-0">
                {p._count.couplings} app{p._count.couplings === 1 ? "" : "s"}
              </span>
              <span className="pl-10.5 text-sm text-muted md:pl-0 md:text-right">
                <span className="md:sr-only">Created </span>
                <RelativeTime date={p.createdAt} />
              </span>
            </Link>
          </li>
        ))}
      </ul>
    </Card>
  );
}
