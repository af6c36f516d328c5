"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { useTRPC } from "@/components/trpc-provider";
import { messageOf } from "@/components/trpc-errors";
import { buttonClasses } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { EmptyState } from "@/components/ui/empty-state";
import { FieldError } from "@/components/ui/field-error";
import { ActivityIcon } from "@/components/ui/icons";
import { SegmentedControl } from "@/components/ui/segmented-control";
import { Skeleton } from "@/components/ui/skeleton";
import { EventsCard } from "./events-card";
import { RANGES, formatClock, type MetricRange } from "./format";
import { CpuChart, MemoryChart, ResponseTimeChart, RouterErrorsChart, ThroughputChart } from "./lazy-charts";

/** The sampler writes every 10 s and the router's counters arrive each minute: 15 s keeps the page current. */
const REFRESH_MS = 15_000;

export function AppMetrics({ appName }: { appName: string }) {
  const trpc = useTRPC();
  const [range, setRange] = useState<MetricRange>("1h");
  const [pickedType, setPickedType] = useState<string | null>(null);
  const metrics = useQuery({
    ...trpc.metrics.get.queryOptions({ app: appName, range }),
    refetchInterval: REFRESH_MS,
    placeholderData: keepPreviousData,
  });
  const rangeText = RANGES.find((r) => r.value === range)!.long;

  const header = (
    <div className="flex flex-wrap items-end justify-between gap-3">
      <div className="min-w-0 space-y-0.5">
        <h2 className="text-lg font-semibold text-fg">Metrics</h2>
        <p className="flex flex-wrap items-center gap-x-2 text-sm text-muted">
          <span>Dyno memory and CPU, and requests through the router, over {rangeText}.</span>
          {metrics.data && <Freshness updatedAt={metrics.dataUpdatedAt} isFailing={metrics.isError} />}
        </p>
      </div>
      <SegmentedControl label="Time range" options={RANGES} value={range} onChange={setRange} />
    </div>
  );

  if (metrics.isPending) {
    return (
      <div className="space-y-6">
        {header}
        <div role="status" aria-label="Loading metrics" className="grid gap-6 lg:grid-cols-2">
          {Array.from({ length: 4 }, (_, i) => (
            <Card key={i} className="p-5">
              <Skeleton className="mb-4 h-5 w-32" />
              <Skeleton className="h-48 w-full" />
            </Card>
          ))}
        </div>
      </div>
    );
  }
  if (metrics.isError && !metrics.data) {
    return (
      <div className="space-y-6">
        {header}
        <FieldError message={`Couldn't load the metrics of ${appName}: ${messageOf(metrics.error)}`} />
      </div>
    );
  }

  const m = metrics.data;
  const types = m.processTypes;
  const type = types.find((t) => t.type === pickedType) ?? types[0];
  const hasTraffic = m.router.totalRequests > 0;
  const noTraffic = hasTraffic ? undefined : `No requests reached ${appName} through the router in ${rangeText}.`;

  if (!type && !hasTraffic) {
    return (
      <div className="space-y-6">
        {header}
        <Card>
          <EmptyState
            icon={<ActivityIcon />}
            title={`No metrics in ${rangeText}`}
            actions={
              <>
                <Link href={`/apps/${appName}/resources`} className={buttonClasses()}>
                  Scale dynos
                </Link>
                <Link href={`/apps/${appName}/deploy`} className={buttonClasses({ variant: "secondary" })}>
                  Deploy code
                </Link>
              </>
            }
          >
            Memory and CPU are sampled every few seconds while dynos run; response times and throughput come from requests
            through the router. Deploy code and run at least one dyno, and the charts fill in within a minute
            {range === "1h" ? " — or pick a longer range to see earlier days" : ""}.
          </EmptyState>
        </Card>
        {m.markers.length > 0 && <EventsCard markers={m.markers} rangeText={rangeText} />}
      </div>
    );
  }

  return (
    <div className="space-y-6">
      {header}
      {metrics.isError && <FieldError message={`Couldn't refresh the metrics: ${messageOf(metrics.error)}. Showing the last ones loaded.`} />}
      <section aria-labelledby="dynos-title" className="space-y-3">
        <div className="flex flex-wrap items-center justify-between gap-3">
          <h3 id="dynos-title" className="text-base font-semibold text-fg">
            Dynos
          </h3>
          {types.length > 1 && type && (
            <SegmentedControl
              label="Process type"
              options={types.map((t) => ({ value: t.type, label: t.type }))}
              value={type.type}
              onChange={setPickedType}
            />
          )}
        </div>
        {type ? (
          <div className="grid gap-6 lg:grid-cols-2">
            <MemoryChart metrics={m} type={type} rangeText={rangeText} />
            <CpuChart metrics={m} type={type} rangeText={rangeText} />
          </div>
        ) : (
          <Card>
            <p className="px-4 py-6 text-center text-sm text-muted sm:px-5">
              No dynos ran in {rangeText}.{" "}
              <Link href={`/apps/${appName}/resources`} className="font-medium text-link hover:underline">
                Scale a process type up
              </Link>{" "}
              to see their memory and CPU.
            </p>
          </Card>
        )}
      </section>
      <section aria-labelledby="router-title" className="space-y-3">
        <h3 id="router-title" className="text-base font-semibold text-fg">
          Router
        </h3>
        <div className="grid items-start gap-6 lg:grid-cols-2">
          <ResponseTimeChart metrics={m} noTraffic={noTraffic} />
          <ThroughputChart metrics={m} noTraffic={noTraffic} />
          <RouterErrorsChart metrics={m} noTraffic={noTraffic} rangeText={rangeText} />
          <EventsCard markers={m.markers} rangeText={rangeText} />
        </div>
      </section>
    </div>
  );
}

function Freshness({ updatedAt, isFailing }: { updatedAt: number; isFailing: boolean }) {
  return (
    <span className="inline-flex items-center gap-1.5 text-xs" title={`Refreshes every ${REFRESH_MS / 1000} seconds`}>
      <span aria-hidden="true" className={cn("size-1.5 rounded-full", isFailing ? "animate-pulse bg-warning" : "bg-success")} />
      {isFailing ? "Reconnecting…" : `Live · updated ${formatClock(updatedAt)}`}
    </span>
  );
}
