"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { pipelineAllows } from "@/server/auth/permissions";
import { useTRPC } from "@/components/trpc-provider";
import { messageOf } from "@/components/trpc-errors";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { ConfirmByNameDialog } from "@/components/confirm-by-name-dialog";
import { Card } from "@/components/ui/card";
import { ExternalLinkIcon, GitIcon } from "@/components/ui/icons";
import { RelativeTime } from "@/components/ui/relative-time";
import { useToast } from "@/components/ui/toast";
import { ReviewAppsSettings } from "./review-apps-settings";
import type { Overview, ReviewApp } from "./types";

const TONE: Record<string, BadgeTone> = { creating: "accent", created: "success", errored: "danger", deleting: "warning" };

/** Review apps: off (with how to turn them on), or on with their parent and one card per branch. */
export function ReviewAppsColumn({ overview }: { overview: Overview }) {
  const { pipeline, reviewAppConfig: config, reviewApps } = overview;
  const canConfigure = pipelineAllows(pipeline.role, "pipeline:review-apps");
  const parents = [...overview.stages.development, ...overview.stages.staging, ...overview.stages.production];
  return (
    <Card aria-labelledby="stage-review" className="flex flex-col bg-surface-muted/40">
      <div className="flex items-center justify-between gap-2 border-b border-border px-4 py-3">
        <h2 id="stage-review" className="text-sm font-semibold tracking-wide text-fg uppercase">
          Review apps <span className="font-normal text-muted tabular-nums">{reviewApps.length}</span>
        </h2>
        {canConfigure && <ReviewAppsSettings pipeline={pipeline.name} config={config} parents={parents} />}
      </div>
      <div className="flex flex-1 flex-col gap-3 p-3">
        {config ? (
          <div className="rounded-md border border-dashed border-border px-3 py-3 text-sm text-muted">
            <p>
              Each branch pushed to <Link href={`/apps/${config.parentApp.name}`} className="font-medium text-link hover:underline">{config.parentApp.name}</Link> gets
              an app of its own{config.destroyStaleApps ? `, destroyed after ${config.staleDays} day${config.staleDays === 1 ? "" : "s"} without a push` : ""}.
            </p>
            <pre className="mt-2 rounded-md bg-surface-muted px-2.5 py-2 font-mono text-xs whitespace-pre-wrap text-fg" aria-label="Commands">
              {"git push slipway feature-x\ngit push slipway :feature-x"}
            </pre>
            <p className="mt-1 text-xs">Push a branch to create or update its app; delete the branch to destroy it.</p>
          </div>
        ) : (
          <p className="rounded-md border border-dashed border-border px-3 py-6 text-center text-sm text-muted">
            Review apps are off. {canConfigure ? "Turn them on to get an app for every branch pushed to a parent app." : "A member of the pipeline's team can turn them on."}
          </p>
        )}
        {reviewApps.length > 0 && (
          <ul aria-label="Review apps" className="flex flex-col gap-3">
            {reviewApps.map((r) => (
              <ReviewAppCard key={r.id} pipeline={pipeline.name} reviewApp={r} />
            ))}
          </ul>
        )}
      </div>
    </Card>
  );
}

function ReviewAppCard({ pipeline, reviewApp: r }: { pipeline: string; reviewApp: ReviewApp }) {
  const trpc = useTRPC();
  const toast = useToast();
  const queryClient = useQueryClient();
  const destroy = useMutation(
    trpc.pipelines.reviewApps.destroy.mutationOptions({
      onSuccess: () => toast.success(`Destroyed ${r.app.name}`),
      onError: (err) => toast.error(`Couldn't destroy ${r.app.name}`, messageOf(err)),
      onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.pipelines.get.queryKey({ pipeline }) }),
    }),
  );
  return (
    <li className="rounded-md border border-border bg-surface p-3 shadow-xs" aria-label={`Review app of ${r.branch}`}>
      <div className="flex items-start justify-between gap-2">
        <span className="flex min-w-0 items-center gap-1.5 font-medium text-fg">
          <GitIcon className="shrink-0 text-muted" />
          <span className="truncate">{r.branch}</span>
        </span>
        <Badge tone={TONE[r.status] ?? "neutral"}>{r.status}</Badge>
      </div>
      <Link href={`/apps/${r.app.name}`} className="mt-1 block truncate text-sm text-link hover:underline">
        {r.app.name}
      </Link>
      {r.error && <p className="mt-1 text-sm text-danger">{r.error}</p>}
      <p className="mt-1 text-sm text-muted">
        Created <RelativeTime date={r.createdAt} />
        {r.commit && (
          <>
            {" "}
            · <code className="font-mono text-xs">{r.commit.slice(0, 7)}</code>
          </>
        )}
        <br />
        Last push <RelativeTime date={r.lastPushAt} />
      </p>
      <div className="mt-2 flex items-center justify-between gap-2">
        <a href={r.webUrl} target="_blank" rel="noreferrer" className="inline-flex items-center gap-1 text-sm font-medium text-link hover:underline">
          <ExternalLinkIcon />
          Open
        </a>
        <ConfirmByNameDialog
          name={r.app.name}
          id={`destroy-${r.id}`}
          trigger="Destroy"
          title={`Destroy ${r.app.name}?`}
          description={`Like deleting the branch ${r.branch}: its pr-predestroy script runs, then the app and its add-ons are destroyed.`}
          action="Destroy review app"
          pendingAction="Destroying…"
          isPending={destroy.isPending}
          error={destroy.error}
          onConfirm={() => destroy.mutate({ pipeline, reviewApp: r.id })}
          onClose={() => destroy.reset()}
        />
      </div>
    </li>
  );
}
