// Which lines of a replayed request ring are new (the whole stream, for real, is in
// request-id.test.ts; these are the orders a replay can come in).
import { describe, expect, it } from "vitest";
import { RingCursor } from "@/server/router/ring";

const taken = (c: RingCursor, seqs: number[]) => seqs.filter((s) => c.take(s));

describe("RingCursor", () => {
  it("takes the first stream's history whole, and from a replay only what follows the last line taken", () => {
    const c = new RingCursor();
    expect(c.reopened()).toBe(false);
    expect(taken(c, [1, 2, 3])).toEqual([1, 2, 3]);
    expect(c.reopened()).toBe(true);
    expect(taken(c, [1, 2, 3, 4, 5])).toEqual([4, 5]);
    expect(c.reopened()).toBe(true);
    expect(taken(c, [1, 2, 3, 4, 5, 6])).toEqual([6]);
  });

  it("keeps a long request that ended after later short ones (ring order is end order)", () => {
    const c = new RingCursor();
    // Request 2 (a slow one) ended after 3 and 4; 5 ended while no stream was open.
    expect(taken(c, [1, 3, 4, 2])).toEqual([1, 3, 4, 2]);
    c.reopened();
    expect(taken(c, [1, 3, 4, 2, 5])).toEqual([5]);
    // A slow request with a low counter that ends after the replay is new too.
    expect(taken(c, [0])).toEqual([0]);
  });

  it("when the last line taken has left the ring, takes the lines above every counter taken", () => {
    const c = new RingCursor();
    expect(taken(c, [1, 2, 3])).toEqual([1, 2, 3]);
    c.reopened();
    // The ring wrapped: 1-3 are gone, 4 onwards were logged since.
    expect(taken(c, [4, 5, 6])).toEqual([4, 5, 6]);
    expect(taken(c, [7])).toEqual([7]);
  });

  it("takes everything after a reopening when nothing was taken before", () => {
    const c = new RingCursor();
    expect(c.reopened()).toBe(false);
    expect(taken(c, [1, 2])).toEqual([1, 2]);
  });
});
