"use client";

import { Area, ComposedChart, Line, ReferenceLine, ResponsiveContainer } from "recharts";
import { CHART_HEIGHT, ChartCard, Summary, grid, loneDot, markerLines, timeAxis, tooltip, valueAxis } from "./chart-kit";
import { formatCores, formatMb, latest, niceCeil, type Metrics } from "./format";

type ProcessType = Metrics["processTypes"][number];

const AVG = "var(--primary)";
const MAX = "var(--chart-blue)";
const QUOTA = "var(--danger)";

const isMeasured = (values: (number | null)[]) => values.some((v) => v !== null);

function rows(m: Metrics, avg: (number | null)[], max: (number | null)[]) {
  return m.times.map((at, i) => ({ at, avg: avg[i], max: max[i] }));
}

/** Average and largest dyno of one process type, against the size's limit as a dashed line. */
function DynoChart({
  metrics,
  avg,
  max,
  limit,
  limitLabel,
  format,
  tickFormat,
}: {
  metrics: Metrics;
  avg: (number | null)[];
  max: (number | null)[];
  limit: number | null;
  limitLabel: string;
  format: (v: number) => string;
  tickFormat: (v: number) => string;
}) {
  return (
    <ResponsiveContainer width="100%" height={CHART_HEIGHT}>
      <ComposedChart data={rows(metrics, avg, max)} syncId="metrics" syncMethod="value" margin={{ top: 12, right: 12, bottom: 0, left: 0 }}>
        {grid()}
        {timeAxis(metrics)}
        {valueAxis(tickFormat, [0, (dataMax: number) => niceCeil(Math.max(dataMax, limit ?? 0) * 1.08)])}
        {tooltip(metrics, format)}
        <Area
          type="monotone"
          dataKey="avg"
          name="Average"
          stroke={AVG}
          fill={AVG}
          fillOpacity={0.14}
          strokeWidth={2}
          dot={loneDot(avg, AVG)}
          activeDot={{ r: 3 }}
          isAnimationActive={false}
        />
        <Line type="monotone" dataKey="max" name="Max" stroke={MAX} strokeWidth={1.5} dot={loneDot(max, MAX)} activeDot={{ r: 3 }} isAnimationActive={false} />
        {limit !== null && (
          <ReferenceLine
            y={limit}
            stroke={QUOTA}
            strokeDasharray="6 4"
            ifOverflow="extendDomain"
            label={{ value: `${limitLabel} ${format(limit)}`, position: "insideTopLeft", fill: QUOTA, fontSize: 11 }}
          />
        )}
        {markerLines(metrics.markers)}
      </ComposedChart>
    </ResponsiveContainer>
  );
}

export function MemoryChart({ metrics, type, rangeText }: { metrics: Metrics; type: ProcessType; rangeText: string }) {
  const now = latest(type.memoryAvgMb);
  return (
    <ChartCard
      id="memory"
      title="Memory"
      description={`Per ${type.type} dyno${type.size ? ` · ${type.size}` : ""}, page cache left out`}
      summary={now !== null ? <Summary value={formatMb(now)} caption="average, latest" /> : undefined}
      legend={[
        { label: "Average", color: AVG },
        { label: "Max", color: MAX },
        ...(type.memoryQuotaMb !== null ? [{ label: `Quota (${formatMb(type.memoryQuotaMb)})`, color: QUOTA, isDashed: true }] : []),
      ]}
      empty={isMeasured(type.memoryAvgMb) ? undefined : `No ${type.type} dyno ran in ${rangeText}.`}
    >
      <DynoChart metrics={metrics} avg={type.memoryAvgMb} max={type.memoryMaxMb} limit={type.memoryQuotaMb} limitLabel="Quota" format={formatMb} tickFormat={formatMb} />
    </ChartCard>
  );
}

export function CpuChart({ metrics, type, rangeText }: { metrics: Metrics; type: ProcessType; rangeText: string }) {
  const now = latest(type.cpuAvg);
  const format = (v: number) => `${formatCores(v)} CPU`;
  return (
    <ChartCard
      id="cpu"
      title="CPU"
      description={`Cores used per ${type.type} dyno`}
      summary={now !== null ? <Summary value={format(now)} caption="average, latest" /> : undefined}
      legend={[
        { label: "Average", color: AVG },
        { label: "Max", color: MAX },
        ...(type.cpuQuota !== null ? [{ label: `Limit (${format(type.cpuQuota)})`, color: QUOTA, isDashed: true }] : []),
      ]}
      empty={
        isMeasured(type.cpuAvg)
          ? undefined
          : isMeasured(type.memoryAvgMb)
            ? "CPU use is measured between two samples; the first one comes in a few seconds."
            : `No ${type.type} dyno ran in ${rangeText}.`
      }
    >
      <DynoChart metrics={metrics} avg={type.cpuAvg} max={type.cpuMax} limit={type.cpuQuota} limitLabel="Limit" format={format} tickFormat={formatCores} />
    </ChartCard>
  );
}
