import { describe, expect, it } from "vitest";
import { LineQueue } from "./line-queue";
import type { DrainLine } from "./types";

const line = (n: number): DrainLine => ({ at: new Date(0), source: "app", dyno: "web.1", message: String(n) });
const messages = (lines: DrainLine[]) => lines.map((l) => Number(l.message));

describe("LineQueue", () => {
  it("keeps order across wrap-around and drops the oldest when full", () => {
    const q = new LineQueue(3);
    expect([1, 2, 3].map((n) => q.push(line(n)))).toEqual([0, 0, 0]);
    expect(messages(q.take(2))).toEqual([1, 2]);
    expect([4, 5, 6].map((n) => q.push(line(n)))).toEqual([0, 0, 1]);
    expect(q.size).toBe(3);
    expect(messages(q.take(10))).toEqual([4, 5, 6]);
    expect(q.takeLoss()).toMatchObject({ count: 1 });
    expect(q.takeLoss()).toBeNull();
  });

  it("puts taken lines back in front, dropping the oldest of them when they no longer fit", () => {
    const q = new LineQueue(4);
    [1, 2, 3].forEach((n) => q.push(line(n)));
    const taken = q.take(3);
    [4, 5].forEach((n) => q.push(line(n)));
    expect(q.requeue(taken)).toBe(1);
    expect(messages(q.take(10))).toEqual([2, 3, 4, 5]);
    expect(q.takeLoss()).toMatchObject({ count: 1 });
  });

  it("merges a loss handed back with one noted since, keeping the earlier time", () => {
    const q = new LineQueue(1);
    q.push(line(1));
    q.push(line(2));
    const first = q.takeLoss()!;
    q.push(line(3));
    q.restoreLoss(first);
    expect(q.takeLoss()).toEqual({ count: 2, since: first.since });
  });

  it("empties on clear and reports how much it held", () => {
    const q = new LineQueue(5);
    [1, 2].forEach((n) => q.push(line(n)));
    expect(q.clear()).toBe(2);
    expect(q.take(5)).toEqual([]);
  });
});
