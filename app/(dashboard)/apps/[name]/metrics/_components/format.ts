import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/trpc/root";

export type Metrics = inferRouterOutputs<AppRouter>["metrics"]["get"];
export type MetricRange = Metrics["range"];
export type Marker = Metrics["markers"][number];

export const RANGES: readonly { value: MetricRange; label: string; long: string }[] = [
  { value: "1h", label: "1h", long: "the last hour" },
  { value: "6h", label: "6h", long: "the last 6 hours" },
  { value: "24h", label: "24h", long: "the last 24 hours" },
  { value: "7d", label: "7d", long: "the last 7 days" },
];

const MINUTE = 60_000;
const TICK_STEP: Record<MetricRange, number> = { "1h": 10 * MINUTE, "6h": 60 * MINUTE, "24h": 4 * 60 * MINUTE, "7d": 24 * 60 * MINUTE };

/**
 * Evenly spaced ticks on round local times (every 10 min, hour, 4 hours or midnight),
 * none so close to either end that its label would run into the axis corner.
 */
export function timeTicks(from: number, to: number, range: MetricRange): number[] {
  const step = TICK_STEP[range];
  const margin = step / 3;
  const offset = new Date(from).getTimezoneOffset() * MINUTE;
  const ticks: number[] = [];
  for (let t = Math.ceil((from + margin - offset) / step) * step + offset; t <= to - margin; t += step) ticks.push(t);
  return ticks;
}

const clock = new Intl.DateTimeFormat("en", { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
const weekday = new Intl.DateTimeFormat("en", { weekday: "short" });
const dayOfMonth = new Intl.DateTimeFormat("en", { day: "numeric" });
const full = new Intl.DateTimeFormat("en", { weekday: "short", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });

export const formatTick = (range: MetricRange) => (t: number) => (range === "7d" ? `${weekday.format(t)} ${dayOfMonth.format(t)}` : clock.format(t));
export const formatTime = (t: number) => full.format(t);
export const formatClock = (t: number) => clock.format(t);

export function formatMb(mb: number): string {
  return mb >= 1024 ? `${(mb / 1024).toFixed(mb >= 10240 ? 0 : 1)} GB` : `${mb >= 100 ? Math.round(mb) : mb.toFixed(1).replace(/\.0$/, "")} MB`;
}

export function formatCores(cores: number): string {
  return String(Number(cores.toFixed(cores >= 10 ? 0 : cores >= 1 ? 1 : 2)));
}

const NICE = [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10];

/** A round axis maximum at or above `value` (553 → 600, 1.08 → 1.2), so ticks land on round numbers. */
export function niceCeil(value: number): number {
  if (!(value > 0)) return 1;
  const scale = 10 ** Math.floor(Math.log10(value));
  return NICE.find((n) => n * scale >= value - 1e-9)! * scale;
}

export function formatMs(ms: number): string {
  return ms >= 1000 ? `${Number((ms / 1000).toFixed(ms >= 10_000 ? 0 : 1))} s` : `${Math.round(ms)} ms`;
}

export function formatRate(perMinute: number): string {
  return perMinute >= 100 ? perMinute.toFixed(0) : perMinute >= 10 ? perMinute.toFixed(1).replace(/\.0$/, "") : perMinute.toFixed(2).replace(/\.?0+$/, "");
}

/** The newest non-null value of a series. */
export function latest(values: readonly (number | null)[]): number | null {
  for (let i = values.length - 1; i >= 0; i--) if (values[i] !== null && values[i] !== undefined) return values[i]!;
  return null;
}

export const hasValues = (values: readonly (number | null)[]) => values.some((v) => v !== null && v !== 0);

// Here rather than in chart-kit so that what draws no chart (the events card, the loading
// placeholders) does not pull Recharts into the page's first load.
export const CHART_HEIGHT = 200;

export const MARKER_STYLE: Record<Marker["kind"], { color: string; name: string }> = {
  deploy: { color: "var(--primary)", name: "Deploy" },
  restart: { color: "var(--chart-amber)", name: "Restart" },
  crash: { color: "var(--danger)", name: "Crash" },
};
