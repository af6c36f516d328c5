// The bounded buffer between push() and a transport: a ring of fixed capacity that drops its
// oldest line when full (Logplex drops old lines too, and reports them with an L10 notice).
// push() is O(1) and allocates nothing, because every log line of an app goes through it.
import type { DrainLine } from "./types";

export type Loss = { count: number; since: Date };

export class LineQueue {
  private readonly ring: (DrainLine | undefined)[];
  private head = 0;
  private length = 0;
  /** Dropped for lack of room and not yet reported to the receiver. */
  private loss: Loss | null = null;

  constructor(readonly capacity: number) {
    this.ring = new Array<DrainLine | undefined>(capacity);
  }

  get size(): number {
    return this.length;
  }

  /** Returns how many lines were dropped to make room (0 or 1). */
  push(line: DrainLine): number {
    let dropped = 0;
    if (this.length === this.capacity) {
      this.head = (this.head + 1) % this.capacity;
      this.length--;
      this.noteLoss(1);
      dropped = 1;
    }
    this.ring[(this.head + this.length) % this.capacity] = line;
    this.length++;
    return dropped;
  }

  take(max: number): DrainLine[] {
    const n = Math.min(max, this.length);
    const out = new Array<DrainLine>(n);
    for (let i = 0; i < n; i++) {
      out[i] = this.ring[this.head] as DrainLine;
      this.ring[this.head] = undefined;
      this.head = (this.head + 1) % this.capacity;
    }
    this.length -= n;
    return out;
  }

  /**
   * Puts lines that were taken but not delivered back at the front, in order. What does not fit
   * is the oldest of all, so it is what gets dropped. Returns how many were dropped.
   */
  requeue(lines: DrainLine[]): number {
    let dropped = 0;
    for (let i = lines.length - 1; i >= 0; i--) {
      if (this.length === this.capacity) {
        dropped = i + 1;
        this.noteLoss(dropped);
        break;
      }
      this.head = (this.head - 1 + this.capacity) % this.capacity;
      this.ring[this.head] = lines[i];
      this.length++;
    }
    return dropped;
  }

  /** Empties the queue, returning how many lines it held. */
  clear(): number {
    const n = this.length;
    this.ring.fill(undefined);
    this.head = 0;
    this.length = 0;
    return n;
  }

  /** The loss not yet reported, handed over once; give it back with restoreLoss if it was not sent. */
  takeLoss(): Loss | null {
    const loss = this.loss;
    this.loss = null;
    return loss;
  }

  restoreLoss(loss: Loss) {
    if (!this.loss) this.loss = loss;
    else this.loss = { count: this.loss.count + loss.count, since: loss.since < this.loss.since ? loss.since : this.loss.since };
  }

  private noteLoss(count: number) {
    if (this.loss) this.loss.count += count;
    else this.loss = { count, since: new Date() };
  }
}
