// Dyno sizes: Heroku's names, each a real memory / CPU / pids limit on the container.
// CPU is capped to the host's cores at container creation (the Engine refuses more).
export type DynoSize = {
  name: string;
  memoryMb: number;
  cpus: number;
  pids: number;
  /** The most dynos of this size one process type may run. */
  maxQuantity: number;
};

export const DYNO_SIZES: readonly DynoSize[] = [
  { name: "eco", memoryMb: 512, cpus: 0.25, pids: 256, maxQuantity: 1 },
  { name: "basic", memoryMb: 512, cpus: 0.5, pids: 256, maxQuantity: 1 },
  { name: "standard-1x", memoryMb: 512, cpus: 1, pids: 256, maxQuantity: 100 },
  { name: "standard-2x", memoryMb: 1024, cpus: 2, pids: 512, maxQuantity: 100 },
  { name: "performance-m", memoryMb: 2560, cpus: 2, pids: 16384, maxQuantity: 100 },
  { name: "performance-l", memoryMb: 14336, cpus: 8, pids: 32768, maxQuantity: 100 },
];

// Self-hosted: no billing tiers to push people up, so the default scales past one dyno.
export const DEFAULT_DYNO_SIZE = "standard-1x";

export function dynoSize(name: string): DynoSize | undefined {
  const lower = name.toLowerCase();
  // Heroku accepts "standard-1X" and the old aliases "1X"/"2X".
  const alias = lower === "1x" ? "standard-1x" : lower === "2x" ? "standard-2x" : lower;
  return DYNO_SIZES.find((s) => s.name === alias);
}
