"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { pipelineAllows } from "@/server/auth/permissions";
import { useTRPC } from "@/components/trpc-provider";
import { messageOf } from "@/components/trpc-errors";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { FieldError } from "@/components/ui/field-error";
import { LoadingRows } from "@/components/ui/skeleton";
import { PipelineSettings } from "./pipeline-settings";
import { PromotionsCard } from "./promotions-card";
import { ReviewAppsColumn } from "./review-apps-column";
import { StageColumn } from "./stage-column";
import type { Overview } from "./types";

/** Something is under way: promotions pending or review apps being made or removed. */
function isBusy(data: Overview | undefined) {
  return !!data && (data.promotions.some((p) => p.status === "pending") || data.reviewApps.some((r) => r.status === "creating" || r.status === "deleting"));
}

export function PipelineView({ name }: { name: string }) {
  const trpc = useTRPC();
  const overview = useQuery({
    ...trpc.pipelines.get.queryOptions({ pipeline: name }),
    // Live while something moves; a slower look otherwise (pushes and deploys happen elsewhere).
    refetchInterval: (q) => (isBusy(q.state.data) ? 1_500 : 10_000),
  });
  if (overview.isPending) {
    return (
      <Card>
        <LoadingRows label="Loading pipeline" rows={4} />
      </Card>
    );
  }
  if (overview.isError) return <FieldError message={`Couldn't load ${name}: ${messageOf(overview.error)}`} />;

  const { pipeline, stages } = overview.data;
  const canCouple = pipelineAllows(pipeline.role, "pipeline:couple");
  const ownerHref = pipeline.team ? `/teams/${encodeURIComponent(pipeline.team.name)}` : "/apps";
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div className="min-w-0 space-y-1">
          <nav aria-label="Breadcrumb" className="text-sm text-muted">
            <Link href={ownerHref} className="hover:text-fg hover:underline">
              {pipeline.team ? pipeline.team.name : "Personal"}
            </Link>
            <span aria-hidden="true"> / </span>
            <Link href="/pipelines" className="hover:text-fg hover:underline">
              Pipelines
            </Link>
            <span aria-hidden="true"> / </span>
          </nav>
          <h1 className="flex flex-wrap items-center gap-2 text-2xl font-semibold tracking-tight break-words text-fg">
            {pipeline.name}
            <Badge tone={pipeline.role === "admin" ? "accent" : "neutral"}>{pipeline.team ? pipeline.role : "owner"}</Badge>
          </h1>
        </div>
      </div>
      <div className="grid grid-cols-[minmax(0,1fr)] gap-4 md:grid-cols-2 xl:grid-cols-4">
        <ReviewAppsColumn overview={overview.data} />
        {(["development", "staging", "production"] as const).map((stage) => (
          <StageColumn key={stage} stage={stage} pipeline={pipeline.name} apps={stages[stage]} overview={overview.data} canCouple={canCouple} />
        ))}
      </div>
      <PromotionsCard promotions={overview.data.promotions} />
      <PipelineSettings pipeline={pipeline} />
    </div>
  );
}
