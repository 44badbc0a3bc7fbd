import type { PolicyOutput } from '../assignment/dynamic-policy.js';
import type { HistoryModemSample, HistorySample } from '../model/api.js';
import type { ModemView } from '../model/modem.js';

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

/** One second of history: what each modem carried and its path, and the current decision's cost and power. */
export function historySample(t: number, views: readonly ModemView[], policy: PolicyOutput | null, powerLimitW: number | null): HistorySample {
  const modems: Record<string, HistoryModemSample> = {};
  for (const v of views) {
    modems[v.name] = { rxKbps: round(v.link.rxKbps), txKbps: round(v.link.txKbps), rttMs: round(v.path?.short.rttMs ?? null), lossPct: round(v.path?.short.lossPct ?? null) };
  }
  return { t, costPerHour: round((policy?.costPerSecond ?? 0) * 3600) ?? 0, powerW: round(policy?.powerW ?? 0) ?? 0, powerLimitW, modems };
}

function round(n: number | null): number | null {
  return n === null ? null : Math.round(n * 100) / 100;
}
