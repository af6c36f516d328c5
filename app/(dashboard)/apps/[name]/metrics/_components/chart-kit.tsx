"use client";

// The parts every metrics chart shares: time axis, value axis, grid, tooltip, the deploy /
// restart / crash markers, the card around a chart and its legend. Axis parts are plain
// functions returning Recharts elements, so each chart lists them as its direct children.
import type { ReactNode } from "react";
import { CartesianGrid, ReferenceLine, Tooltip, XAxis, YAxis, type TooltipContentProps } from "recharts";
import { Card, CardHeader } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { CHART_HEIGHT, MARKER_STYLE, formatClock, formatTick, formatTime, timeTicks, type Marker, type Metrics } from "./format";

export { CHART_HEIGHT, MARKER_STYLE };

const AXIS_TICK = { fill: "var(--muted)", fontSize: 12 };

export function timeAxis(m: Metrics) {
  const step = m.stepMinutes * 60_000;
  return (
    <XAxis
      key="time"
      dataKey="at"
      type="number"
      scale="time"
      domain={[m.from - step / 2, m.to - step / 2]}
      ticks={timeTicks(m.from, m.to - step, m.range)}
      tickFormatter={formatTick(m.range)}
      tick={AXIS_TICK}
      tickLine={false}
      minTickGap={14}
      stroke="var(--border-strong)"
      allowDataOverflow
    />
  );
}

export function valueAxis(format: (v: number) => string, domain?: [number, number | "auto" | ((max: number) => number)], isWholeNumbers = false) {
  return (
    <YAxis
      key="value"
      width={64}
      tickFormatter={format}
      tick={AXIS_TICK}
      tickLine={false}
      axisLine={false}
      domain={domain ?? [0, "auto"]}
      allowDecimals={!isWholeNumbers}
    />
  );
}

export function grid() {
  return <CartesianGrid key="grid" vertical={false} stroke="var(--border)" strokeDasharray="3 3" />;
}

/** Dashed vertical lines at each deploy, restart and crash; deploys carry their version. */
export function markerLines(markers: Marker[]) {
  return markers.map((m, i) => (
    <ReferenceLine
      key={`marker-${i}`}
      x={m.at}
      stroke={MARKER_STYLE[m.kind].color}
      strokeDasharray="4 3"
      strokeWidth={1.5}
      ifOverflow="discard"
      label={m.kind === "deploy" ? { value: m.label.split(" · ")[0], position: "insideTopRight", fill: MARKER_STYLE.deploy.color, fontSize: 11 } : undefined}
    />
  ));
}

export type SeriesFormat = (value: number) => string;

/** `counts`: a bar chart of counts, where zeros are left out of the tooltip and none at all is `noneText`. */
export function tooltip(m: Metrics, format: SeriesFormat, counts?: { noneText: string }) {
  return (
    <Tooltip
      key="tooltip"
      isAnimationActive={false}
      cursor={{ stroke: "var(--border-strong)" }}
      content={(props: TooltipContentProps) => <ChartTooltip {...props} metrics={m} format={format} counts={counts} />}
    />
  );
}

function ChartTooltip({
  active,
  payload,
  label,
  metrics,
  format,
  counts,
}: TooltipContentProps & { metrics: Metrics; format: SeriesFormat; counts?: { noneText: string } }) {
  if (!active || !payload?.length || typeof label !== "number") return null;
  const step = metrics.stepMinutes * 60_000;
  const events = metrics.markers.filter((k) => k.at >= label && k.at < label + step);
  const rows = payload.filter((p) => typeof p.value === "number" && (!counts || p.value !== 0));
  return (
    <div className="min-w-40 rounded-md border border-border bg-surface px-3 py-2 text-xs shadow-md">
      <p className="mb-1 font-medium text-fg">
        {formatTime(label)}
        {metrics.stepMinutes > 1 && <span className="font-normal text-muted"> – {formatClock(label + step)}</span>}
      </p>
      {rows.length === 0 && <p className="text-muted">{counts?.noneText ?? "Nothing measured"}</p>}
      <ul className="space-y-0.5">
        {rows.map((p) => (
          <li key={String(p.dataKey)} className="flex items-center justify-between gap-4">
            <span className="flex items-center gap-1.5 text-muted">
              <span aria-hidden="true" className="size-2 rounded-full" style={{ background: p.color }} />
              {p.name}
            </span>
            <span className="font-medium text-fg tabular-nums">{format(p.value as number)}</span>
          </li>
        ))}
      </ul>
      {events.map((k, i) => (
        <p key={i} className="mt-1 border-t border-border pt-1" style={{ color: MARKER_STYLE[k.kind].color }}>
          {MARKER_STYLE[k.kind].name} {formatClock(k.at)}: <span className="text-fg">{k.label}</span>
        </p>
      ))}
    </div>
  );
}

/**
 * A dot only where a point has no neighbour: a lone sample between gaps draws no line, and
 * would otherwise not show at all.
 */
export function loneDot(values: readonly (number | null)[], color: string) {
  function LoneDot(props: { cx?: number; cy?: number; index?: number }) {
    const i = props.index ?? -1;
    const isLone = values[i] !== null && values[i] !== undefined && (values[i - 1] ?? null) === null && (values[i + 1] ?? null) === null;
    if (!isLone || props.cx === undefined || props.cy === undefined) return <g key={`dot-${i}`} />;
    return <circle key={`dot-${i}`} cx={props.cx} cy={props.cy} r={2.5} fill={color} />;
  }
  return LoneDot;
}

export type LegendItem = { label: string; color: string; isDashed?: boolean };

export function ChartCard({
  id,
  title,
  description,
  summary,
  legend,
  empty,
  children,
  className,
}: {
  id: string;
  title: string;
  description?: ReactNode;
  summary?: ReactNode;
  legend?: LegendItem[];
  /** Shown instead of the chart when there is nothing to draw: say why. */
  empty?: ReactNode;
  children: ReactNode;
  className?: string;
}) {
  return (
    <Card aria-labelledby={`${id}-title`} className={cn("min-w-0", className)}>
      <CardHeader titleId={`${id}-title`} title={title} description={description} actions={summary} />
      {empty ? (
        <div className="flex items-center justify-center px-6 text-center text-sm text-muted" style={{ height: CHART_HEIGHT + 40 }}>
          <p className="max-w-sm">{empty}</p>
        </div>
      ) : (
        <div className="px-2 pt-4 pb-3 sm:px-3">
          {children}
          {legend && (
            <ul aria-label={`${title} legend`} className="mt-2 flex flex-wrap gap-x-4 gap-y-1 px-2 text-xs text-muted">
              {legend.map((l) => (
                <li key={l.label} className="flex items-center gap-1.5">
                  <span
                    aria-hidden="true"
                    className="inline-block h-0 w-3.5 border-t-2"
                    style={{ borderColor: l.color, borderTopStyle: l.isDashed ? "dashed" : "solid" }}
                  />
                  {l.label}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </Card>
  );
}

/** A headline number for a card's corner, e.g. the newest average. */
export function Summary({ value, caption }: { value: string; caption: string }) {
  return (
    <p className="text-right leading-tight">
      <span className="block text-base font-semibold text-fg tabular-nums">{value}</span>
      <span className="text-xs text-muted">{caption}</span>
    </p>
  );
}
