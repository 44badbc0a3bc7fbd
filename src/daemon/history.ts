import type { HistorySample } from '../model/api.js';

/**
 * Per-second samples in a fixed ring: memory is bounded by the capacity,
 * whatever the uptime. The oldest sample is overwritten first.
 */
export class HistoryRing {
  private readonly buf: Array<HistorySample | undefined>;
  private next = 0;
  private size = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`history capacity must be an integer >= 1, got ${capacity}`);
    this.buf = new Array<HistorySample | undefined>(capacity);
  }

  push(sample: HistorySample): void {
    this.buf[this.next] = sample;
    this.next = (this.next + 1) % this.capacity;
    if (this.size < this.capacity) this.size++;
  }

  /** Samples of the last `seconds` before `nowMs`, oldest first. */
  since(nowMs: number, seconds: number): HistorySample[] {
    const from = nowMs - seconds * 1000;
    const out: HistorySample[] = [];
    for (let k = 0; k < this.size; k++) {
      const s = this.buf[(this.next - this.size + k + this.capacity) % this.capacity]!;
      if (s.t > from) out.push(s);
    }
    return out;
  }

  get length(): number {
    return this.size;
  }
}
