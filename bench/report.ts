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

/** An idle window of `seconds`: RSS (by `rss`) sampled every second; its start, its highest, and how long it lasted. */
export async function idleWindow(seconds: number, rss: () => number) {
  const rssStart = rss();
  const t0 = performance.now();
  let rssMax = rssStart;
  while (performance.now() - t0 < seconds * 1000) {
    await new Promise((r) => setTimeout(r, 1_000));
    rssMax = Math.max(rssMax, rss());
  }
  return { rssStart, rssMax, seconds: (performance.now() - t0) / 1000 };
}
