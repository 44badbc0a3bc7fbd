/**
 * The simulator's event queue: a binary heap ordered by time, then by the
 * order of insertion, so events at the same instant keep the order they
 * were generated in and every policy sees the same sequence.
 */
export interface Timed {
  timeS: number;
}

export class EventQueue<T extends Timed> {
  private heap: { ev: T; seq: number }[] = [];
  private nextSeq = 0;

  get size(): number {
    return this.heap.length;
  }

  push(ev: T): void {
    if (!Number.isFinite(ev.timeS)) throw new RangeError(`event time must be finite, got ${ev.timeS}`);
    this.heap.push({ ev, seq: this.nextSeq++ });
    let k = this.heap.length - 1;
    while (k > 0) {
      const parent = (k - 1) >> 1;
      if (!this.before(k, parent)) break;
      this.swap(k, parent);
      k = parent;
    }
  }

  pop(): T | undefined {
    const top = this.heap[0];
    if (!top) return undefined;
    const last = this.heap.pop()!;
    if (this.heap.length > 0) {
      this.heap[0] = last;
      let k = 0;
      for (;;) {
        const l = 2 * k + 1;
        const r = l + 1;
        let m = k;
        if (l < this.heap.length && this.before(l, m)) m = l;
        if (r < this.heap.length && this.before(r, m)) m = r;
        if (m === k) break;
        this.swap(k, m);
        k = m;
      }
    }
    return top.ev;
  }

  /** Empties the queue in order. */
  drain(): T[] {
    const out: T[] = [];
    for (let e = this.pop(); e !== undefined; e = this.pop()) out.push(e);
    return out;
  }

  private before(a: number, b: number): boolean {
    const x = this.heap[a]!;
    const y = this.heap[b]!;
    return x.ev.timeS < y.ev.timeS || (x.ev.timeS === y.ev.timeS && x.seq < y.seq);
  }

  private swap(a: number, b: number): void {
    const t = this.heap[a]!;
    this.heap[a] = this.heap[b]!;
    this.heap[b] = t;
  }
}
