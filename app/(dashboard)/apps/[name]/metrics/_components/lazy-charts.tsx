"use client";

// The charts load after the page: Recharts is ~120 KB gzip, half the Metrics tab's first
// load. Until it arrives each chart holds its place with a skeleton of the same height.
import dynamic from "next/dynamic";
import { Card } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { CHART_HEIGHT } from "./format";

function ChartPlaceholder() {
  return (
    <Card role="status" aria-label="Loading chart" className="p-5">
      <Skeleton className="mb-4 h-5 w-32" />
      <div style={{ height: CHART_HEIGHT }}>
        <Skeleton className="size-full" />
      </div>
    </Card>
  );
}

const loading = () => <ChartPlaceholder />;

export const MemoryChart = dynamic(() => import("./dyno-charts").then((m) => m.MemoryChart), { ssr: false, loading });
export const CpuChart = dynamic(() => import("./dyno-charts").then((m) => m.CpuChart), { ssr: false, loading });
export const ResponseTimeChart = dynamic(() => import("./router-charts").then((m) => m.ResponseTimeChart), { ssr: false, loading });
export const ThroughputChart = dynamic(() => import("./router-charts").then((m) => m.ThroughputChart), { ssr: false, loading });
export const RouterErrorsChart = dynamic(() => import("./router-charts").then((m) => m.RouterErrorsChart), { ssr: false, loading });
