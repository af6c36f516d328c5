// The one machine-readable line each bench ends with: `BENCH {json}` on stdout, read by
// bench/all.ts (`npm run bench`) to print one table without scraping the prose above it.
export type BenchResult = {
  bench: string;
  /** Headline figures, already formatted with their units ("6.2 s", "0.84×"). */
  figures: Record<string, string>;
  goal: string;
  /** null: the bench ran but its goal cannot be judged from this run. */
  met: boolean | null;
  /** Why the bench did not run (or ran only in part) here. */
  note?: string;
};

export const BENCH_PREFIX = "BENCH ";

export function reportBench(result: BenchResult) {
  console.log(`${BENCH_PREFIX}${JSON.stringify(result)}`);
}
