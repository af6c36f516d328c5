import "server-only";
// The build queue: at most one build per app at a time (later pushes wait their turn,
// like Heroku's), and at most SLIPWAY_BUILD_CONCURRENCY builds on the machine.
export type BuildJob = { buildId: string; appId: string };

export class BuildQueue<J extends BuildJob = BuildJob> {
  private waiting: J[] = [];
  private busyApps = new Set<string>();
  private running = 0;

  constructor(
    private readonly concurrency: number,
    private readonly run: (job: J) => Promise<void>,
  ) {}

  /** Queues a job; returns how many builds are ahead of it (0 = starts now). */
  push(job: J): number {
    this.waiting.push(job);
    const ahead = this.waiting.length - 1 + (this.busyApps.has(job.appId) || this.running >= this.concurrency ? 1 : 0);
    this.pump();
    return this.waiting.includes(job) ? Math.max(1, ahead) : 0;
  }

  get size() {
    return { running: this.running, waiting: this.waiting.length };
  }

  private pump() {
    for (let i = 0; i < this.waiting.length && this.running < this.concurrency; ) {
      const job = this.waiting[i];
      if (this.busyApps.has(job.appId)) {
        i++;
        continue;
      }
      this.waiting.splice(i, 1);
      this.busyApps.add(job.appId);
      this.running++;
      void this.run(job)
        .catch((err) => console.error("slipway: build", job.buildId, "crashed", err))
        .finally(() => {
          this.busyApps.delete(job.appId);
          this.running--;
          this.pump();
        });
    }
  }
}
