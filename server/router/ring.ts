// Reading a HAProxy worker's request ring more than once without logging a request twice.
// `show events requests -w` first replays everything the ring still holds, then follows. The
// first stream to a worker wants that history (requests logged before it connected); a
// stream opened again to the same worker (the stats socket ended an idle session) must skip
// what the previous one already delivered. Two H14 lines 10 s apart with one request_id
// were exactly that: HAProxy's default 10 s `stats timeout` cut the idle stream and the
// whole ring came again. No server-only: the router imports it.

/** Per worker: which request lines were taken, by the worker's request counter (%rt). */
export class RingCursor {
  /** The counter of the last line taken, in ring order. */
  private last: number | null = null;
  /** The highest counter taken: a higher one was logged after the previous stream ended. */
  private max = -1;
  private skipping = false;

  /** A stream (again) to this worker: its replay starts at the ring's oldest line. True when some of it was taken before. */
  reopened(): boolean {
    this.skipping = this.last !== null;
    return this.skipping;
  }

  /**
   * Whether a line (by its request counter) is new. Lines come in ring order, which is the
   * order requests ended, not the order of their counters (a long request ends after later
   * short ones). In a replay everything up to the last line taken is old. If that line has
   * left the ring (it wrapped meanwhile), a counter above every one taken says the replay has
   * reached lines not seen.
   */
  take(seq: number): boolean {
    if (this.skipping) {
      if (seq === this.last) {
        this.skipping = false;
        return false;
      }
      if (seq <= this.max) return false;
      this.skipping = false;
    }
    this.last = seq;
    if (seq > this.max) this.max = seq;
    return true;
  }
}
