"use client";

import { Bar, ComposedChart, Line, ResponsiveContainer } from "recharts";
import { CHART_HEIGHT, ChartCard, Summary, grid, loneDot, markerLines, timeAxis, tooltip, valueAxis } from "./chart-kit";
import { formatMs, formatRate, hasValues, latest, type Metrics } from "./format";

const PERCENTILES = [
  { key: "p50", name: "p50", color: "var(--chart-teal)" },
  { key: "p95", name: "p95", color: "var(--chart-blue)" },
  { key: "p99", name: "p99", color: "var(--primary)" },
] as const;

const STATUS_COLORS: Record<string, string> = {
  "1xx": "var(--muted)",
  "2xx": "var(--success)",
  "3xx": "var(--chart-blue)",
  "4xx": "var(--chart-amber)",
  "5xx": "var(--danger)",
};
const ERROR_COLORS = ["var(--danger)", "var(--chart-amber)", "var(--chart-pink)", "var(--chart-blue)", "var(--chart-teal)", "var(--primary)"];

// Bars thin out with more points; a minimal gap keeps 1008 of them legible.
const barGap = (m: Metrics) => (m.times.length > 200 ? 0 : "15%");

export function ResponseTimeChart({ metrics, noTraffic }: { metrics: Metrics; noTraffic?: string }) {
  const data = metrics.times.map((at, i) => ({ at, p50: metrics.router.p50[i], p95: metrics.router.p95[i], p99: metrics.router.p99[i] }));
  const now = latest(metrics.router.p95);
  return (
    <ChartCard
      id="response-time"
      title="Response time"
      description="Time to the response's first byte at the router"
      summary={now !== null ? <Summary value={formatMs(now)} caption="p95, latest" /> : undefined}
      legend={PERCENTILES.map((p) => ({ label: p.name, color: p.color }))}
      empty={noTraffic}
    >
      <ResponsiveContainer width="100%" height={CHART_HEIGHT}>
        <ComposedChart data={data} syncId="metrics" syncMethod="value" margin={{ top: 12, right: 12, bottom: 0, left: 0 }}>
          {grid()}
          {timeAxis(metrics)}
          {valueAxis(formatMs)}
          {tooltip(metrics, formatMs)}
          {PERCENTILES.map((p) => (
            <Line
              key={p.key}
              type="monotone"
              dataKey={p.key}
              name={p.name}
              stroke={p.color}
              strokeWidth={p.key === "p50" ? 2 : 1.5}
              dot={loneDot(metrics.router[p.key], p.color)}
              activeDot={{ r: 3 }}
              isAnimationActive={false}
            />
          ))}
          {markerLines(metrics.markers)}
        </ComposedChart>
      </ResponsiveContainer>
    </ChartCard>
  );
}

export function ThroughputChart({ metrics, noTraffic }: { metrics: Metrics; noTraffic?: string }) {
  const { throughput } = metrics.router;
  const data = metrics.times.map((at, i) => ({ at, ...Object.fromEntries(throughput.map((s) => [s.status, s.perMinute[i]])) }));
  // The newest point is still filling up: the one before it is the last whole one.
  const lastWhole = metrics.times.length - 2;
  const total = throughput.reduce((sum, s) => sum + (s.perMinute[lastWhole] ?? 0), 0);
  const format = (v: number) => `${formatRate(v)}/min`;
  return (
    <ChartCard
      id="throughput"
      title="Throughput"
      description="Requests per minute by status class"
      summary={<Summary value={format(total)} caption={metrics.stepMinutes === 1 ? "last full minute" : `last full ${metrics.stepMinutes} minutes`} />}
      legend={throughput.map((s) => ({ label: s.status, color: STATUS_COLORS[s.status] ?? "var(--muted)" }))}
      empty={noTraffic}
    >
      <ResponsiveContainer width="100%" height={CHART_HEIGHT}>
        <ComposedChart data={data} syncId="metrics" syncMethod="value" barCategoryGap={barGap(metrics)} margin={{ top: 12, right: 12, bottom: 0, left: 0 }}>
          {grid()}
          {timeAxis(metrics)}
          {valueAxis(formatRate)}
          {tooltip(metrics, format, { noneText: "No requests" })}
          {throughput.map((s) => (
            <Bar key={s.status} dataKey={s.status} name={s.status} stackId="status" fill={STATUS_COLORS[s.status] ?? "var(--muted)"} isAnimationActive={false} />
          ))}
          {markerLines(metrics.markers)}
        </ComposedChart>
      </ResponsiveContainer>
    </ChartCard>
  );
}

export function RouterErrorsChart({ metrics, noTraffic, rangeText }: { metrics: Metrics; noTraffic?: string; rangeText: string }) {
  const { errors, totalErrors } = metrics.router;
  const data = metrics.times.map((at, i) => ({ at, ...Object.fromEntries(errors.map((e) => [e.code, e.counts[i]])) }));
  const perBucket = metrics.stepMinutes === 1 ? "per minute" : `per ${metrics.stepMinutes} minutes`;
  const format = (v: number) => `${v} error${v === 1 ? "" : "s"}`;
  const isClean = !errors.some((e) => hasValues(e.counts));
  return (
    <ChartCard
      id="router-errors"
      title="Router errors"
      description={`By H-code, ${perBucket}`}
      summary={<Summary value={String(totalErrors)} caption={`in ${rangeText.replace(/^the /, "")}`} />}
      legend={errors.map((e, i) => ({ label: e.code, color: ERROR_COLORS[i % ERROR_COLORS.length]! }))}
      empty={noTraffic ?? (isClean ? `No router errors in ${rangeText}: every request got an answer from a dyno.` : undefined)}
    >
      <ResponsiveContainer width="100%" height={CHART_HEIGHT}>
        <ComposedChart data={data} syncId="metrics" syncMethod="value" barCategoryGap={barGap(metrics)} margin={{ top: 12, right: 12, bottom: 0, left: 0 }}>
          {grid()}
          {timeAxis(metrics)}
          {valueAxis((v) => String(v), [0, "auto"], true)}
          {tooltip(metrics, format, { noneText: "No errors" })}
          {errors.map((e, i) => (
            <Bar key={e.code} dataKey={e.code} name={e.code} stackId="errors" fill={ERROR_COLORS[i % ERROR_COLORS.length]} isAnimationActive={false} />
          ))}
          {markerLines(metrics.markers)}
        </ComposedChart>
      </ResponsiveContainer>
    </ChartCard>
  );
}
