/**
 * Rates from byte counters, smoothed over a sliding window. A rate state keeps
 * monotonic running totals (up = original direction, from the LAN; down =
 * reply direction) so that a counter that goes backwards (zeroed with
 * `conntrack -L -z`, or a tuple reused by a new connection) does not produce
 * a negative or huge rate: after a reset the new counter value is what was
 * carried since the reset.
 */

export interface RateSample {
  tMs: number;
  /** Running totals in bytes since the state started. */
  upBytes: number;
  downBytes: number;
}

export interface RateState {
  startMs: number;
  /** Last raw counter values seen (null for states fed with deltas only). */
  rawUp: number | null;
  rawDown: number | null;
  /** Oldest first; the first one may lie before the window (the anchor). */
  samples: RateSample[];
  resets: number;
}

export interface Rate {
  upKbps: number;
  downKbps: number;
  /** Time the rate was measured over. */
  spanMs: number;
}

export interface Observation {
  state: RateState;
  deltaUpBytes: number;
  deltaDownBytes: number;
  reset: boolean;
}

/** A state whose baseline is the given counters (0, 0 for a connection seen from its start). */
export function startRate(tMs: number, rawUp: number | null = null, rawDown: number | null = null): RateState {
  return { startMs: tMs, rawUp, rawDown, samples: [{ tMs, upBytes: 0, downBytes: 0 }], resets: 0 };
}

/** Drops samples older than the window, keeping one before it as the anchor. */
function prune(samples: RateSample[], nowMs: number, windowMs: number): RateSample[] {
  let first = 0;
  while (first + 1 < samples.length && samples[first + 1]!.tMs <= nowMs - windowMs) first++;
  return first === 0 ? samples : samples.slice(first);
}

function delta(prev: number | null, cur: number): { d: number; reset: boolean } {
  if (prev === null) return { d: 0, reset: false };
  return cur >= prev ? { d: cur - prev, reset: false } : { d: cur, reset: true };
}

/** Adds raw counter readings taken at `tMs`. Samples out of order (tMs before the last) are ignored. */
export function observeCounters(state: RateState, tMs: number, rawUp: number, rawDown: number, windowMs: number): Observation {
  const last = state.samples[state.samples.length - 1]!;
  if (tMs < last.tMs) return { state, deltaUpBytes: 0, deltaDownBytes: 0, reset: false };
  const up = delta(state.rawUp, rawUp);
  const down = delta(state.rawDown, rawDown);
  const reset = up.reset || down.reset;
  const sample = { tMs, upBytes: last.upBytes + up.d, downBytes: last.downBytes + down.d };
  const samples = prune(tMs === last.tMs ? [...state.samples.slice(0, -1), sample] : [...state.samples, sample], tMs, windowMs);
  return {
    state: { startMs: state.startMs, rawUp, rawDown, samples, resets: state.resets + (reset ? 1 : 0) },
    deltaUpBytes: up.d,
    deltaDownBytes: down.d,
    reset,
  };
}

/** Adds byte deltas carried until `tMs` (for groups, fed with their connections' deltas). */
export function addBytes(state: RateState, tMs: number, upBytes: number, downBytes: number, windowMs: number): RateState {
  const last = state.samples[state.samples.length - 1]!;
  const t = Math.max(tMs, last.tMs);
  const sample = { tMs: t, upBytes: last.upBytes + Math.max(0, upBytes), downBytes: last.downBytes + Math.max(0, downBytes) };
  const samples = prune(t === last.tMs ? [...state.samples.slice(0, -1), sample] : [...state.samples, sample], t, windowMs);
  return { ...state, samples };
}

/**
 * Average rate between the anchor and the newest sample; null until they
 * span at least `minSpanMs` (one poll interval alone is too noisy).
 */
export function windowRate(state: RateState, minSpanMs: number): Rate | null {
  const first = state.samples[0]!;
  const last = state.samples[state.samples.length - 1]!;
  const spanMs = last.tMs - first.tMs;
  if (spanMs <= 0 || spanMs < minSpanMs) return null;
  // bytes * 8 / ms = kbit/s
  return {
    upKbps: ((last.upBytes - first.upBytes) * 8) / spanMs,
    downKbps: ((last.downBytes - first.downBytes) * 8) / spanMs,
    spanMs,
  };
}
