import type { PathWindow } from '../../model/modem.js';

/** One probe's outcome: rttMs null = lost. */
export interface ProbeOutcome {
  target: string;
  seq: number;
  /** Monotonic ms the probe was sent (estimated from the ping's schedule). */
  sentMono: number;
  rttMs: number | null;
}

/**
 * Moving averages over one window of probe outcomes, as the patent's path
 * managers keep them (seed 000, lines 546-552): mean RTT of the answered
 * probes, jitter as the mean absolute difference of consecutive RTTs to the
 * same target (RFC 3550's interarrival jitter without its 1/16 smoothing,
 * which would hide a change inside a short window), and loss in percent.
 */
export function windowStats(outcomes: readonly ProbeOutcome[]): PathWindow {
  let rttSum = 0;
  let answered = 0;
  let lost = 0;
  let jitterSum = 0;
  let jitterN = 0;
  const lastRtt = new Map<string, number>();
  for (const o of outcomes) {
    if (o.rttMs === null) {
      lost++;
      continue;
    }
    answered++;
    rttSum += o.rttMs;
    const prev = lastRtt.get(o.target);
    if (prev !== undefined) {
      jitterSum += Math.abs(o.rttMs - prev);
      jitterN++;
    }
    lastRtt.set(o.target, o.rttMs);
  }
  const samples = answered + lost;
  return {
    rttMs: answered > 0 ? round2(rttSum / answered) : null,
    jitterMs: jitterN > 0 ? round2(jitterSum / jitterN) : null,
    lossPct: samples > 0 ? round2((100 * lost) / samples) : null,
    samples,
  };
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
