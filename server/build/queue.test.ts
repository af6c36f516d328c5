import { describe, expect, it } from "vitest";
import { BuildQueue, type BuildJob } from "@/server/build/queue";

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe("BuildQueue", () => {
  it("runs one build per app and at most `concurrency` overall, in arrival order", async () => {
    const started: string[] = [];
    const gates = new Map<string, ReturnType<typeof deferred>>();
    const q = new BuildQueue(2, (job: BuildJob) => {
      started.push(job.buildId);
      const g = deferred();
      gates.set(job.buildId, g);
      return g.promise;
    });
    expect(q.push({ buildId: "a1", appId: "a" })).toBe(0);
    expect(q.push({ buildId: "a2", appId: "a" })).toBeGreaterThan(0); // same app: waits
    expect(q.push({ buildId: "b1", appId: "b" })).toBe(0);
    expect(q.push({ buildId: "c1", appId: "c" })).toBeGreaterThan(0); // machine full
    expect(started).toEqual(["a1", "b1"]);
    expect(q.size).toEqual({ running: 2, waiting: 2 });

    gates.get("b1")!.resolve();
    await new Promise((r) => setTimeout(r, 0));
    expect(started).toEqual(["a1", "b1", "c1"]); // a2 still waits for a1

    gates.get("a1")!.resolve();
    await new Promise((r) => setTimeout(r, 0));
    expect(started).toEqual(["a1", "b1", "c1", "a2"]);
  });
});
