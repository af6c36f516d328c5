import type { Dyno, DynoSize } from "./types";

export function formatMemory(mb: number): string {
  if (mb < 1024) return `${mb} MB`;
  const gb = mb / 1024;
  return `${Number.isInteger(gb) ? gb : gb.toFixed(1)} GB`;
}

function formatCpus(cpus: number): string {
  return `${Number.isInteger(cpus) ? cpus : Number(cpus.toFixed(2))} CPU`;
}

/** "512 MB · 1 CPU · 256 processes": what one dyno of a size gets (all three are enforced limits). */
export function describeSize(size: DynoSize): string {
  return `${formatMemory(size.memoryMb)} · ${formatCpus(size.cpus)} · ${size.pids.toLocaleString("en-US")} processes`;
}

/** "3 × standard-1x · 1.5 GB RAM · 3 CPU": what a scale reserves on the host. */
export function describeReservation(quantity: number, size: DynoSize): string {
  if (quantity === 0) return `0 × ${size.name} · nothing running`;
  return `${quantity} × ${size.name} · ${formatMemory(size.memoryMb * quantity)} RAM · ${formatCpus(size.cpus * quantity)}`;
}

/** web.2 before web.10: by type, then by the dyno's number. */
export function compareDynos(a: Dyno, b: Dyno): number {
  if (a.type !== b.type) return a.type.localeCompare(b.type);
  const n = (d: Dyno) => Number(d.name.slice(d.name.lastIndexOf(".") + 1)) || 0;
  return n(a) - n(b);
}

/**
 * The quantities the slider stops at: every count up to 10, then coarser steps up to the
 * size's maximum (100 for standard dynos), so small formations don't sit in the first
 * pixels of the track. The current count is always a stop; − / + step by one.
 */
export function sliderStops(max: number, current: number): number[] {
  const stops = new Set<number>();
  const add = (from: number, to: number, step: number) => {
    for (let q = from; q <= Math.min(to, max); q += step) stops.add(q);
  };
  add(0, 10, 1);
  add(12, 20, 2);
  add(25, 50, 5);
  add(60, Math.max(100, max), 10);
  stops.add(max);
  stops.add(current);
  return [...stops].sort((a, b) => a - b);
}
