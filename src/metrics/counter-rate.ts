/**
 * Rates from a monotonically growing byte counter (netifd `rx_bytes`).
 * Counters go backwards in two ways: a 32-bit counter wraps (some drivers
 * and older kernels export 32-bit statistics), or the device was recreated
 * and counts from zero again (a modem re-enumerated, the interface re-dialed).
 * A drop from close to 2^32 is a wrap and the bytes across the wrap count;
 * any other drop is a reset and that interval is skipped, since the bytes
 * before the reset are unknown.
 */
const WRAP32 = 2 ** 32;

export interface RateSample {
  /** Bytes since the previous reading; null after a reset or on the first reading. */
  deltaBytes: number | null;
  /** Rate over the last interval, kbit/s; null when deltaBytes is null. */
  instantKbps: number | null;
  /** Exponentially smoothed rate, kbit/s. */
  smoothedKbps: number | null;
  event: 'first' | 'normal' | 'wrap' | 'reset';
}

export class CounterRate {
  private last: { bytes: number; atMs: number } | null = null;
  private smoothed: number | null = null;

  /** `tauMs`: time constant of the smoothing (the smoothed rate follows a step to 63 % in tauMs). */
  constructor(private readonly tauMs = 3000) {}

  update(bytes: number, atMs: number): RateSample {
    const prev = this.last;
    this.last = { bytes, atMs };
    if (prev === null) return { deltaBytes: null, instantKbps: null, smoothedKbps: this.smoothed, event: 'first' };
    const dtMs = atMs - prev.atMs;
    if (dtMs <= 0) return { deltaBytes: 0, instantKbps: null, smoothedKbps: this.smoothed, event: 'normal' };
    let delta: number;
    let event: RateSample['event'] = 'normal';
    if (bytes >= prev.bytes) {
      delta = bytes - prev.bytes;
    } else if (prev.bytes < WRAP32 && prev.bytes >= WRAP32 * 0.75 && bytes < WRAP32 * 0.25) {
      delta = bytes + WRAP32 - prev.bytes;
      event = 'wrap';
    } else {
      return { deltaBytes: null, instantKbps: null, smoothedKbps: this.smoothed, event: 'reset' };
    }
    const instantKbps = (delta * 8) / dtMs; // bytes per ms * 8 = kbit/s
    const alpha = 1 - Math.exp(-dtMs / this.tauMs);
    this.smoothed = this.smoothed === null ? instantKbps : this.smoothed + alpha * (instantKbps - this.smoothed);
    return { deltaBytes: delta, instantKbps, smoothedKbps: this.smoothed, event };
  }

  reset(): void {
    this.last = null;
    this.smoothed = null;
  }
}
