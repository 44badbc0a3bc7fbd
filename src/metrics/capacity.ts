import type { ModemConfig } from '../model/config.js';
import type { CapacityEstimate, PathStats, Rat, SignalInfo } from '../model/modem.js';

/**
 * Up/down capacity of one modem, from three kinds of evidence:
 *
 * 1. Prior, from RAT and signal: the attenuated Shannon bound of 3GPP TR
 *    36.942 Annex A.2 — throughput = α·B·log2(1 + SINR), zero below
 *    SINR_MIN = −10 dB, capped at Thr_MAX (downlink α = 0.6, 4.4 bit/s/Hz;
 *    uplink α = 0.4, 2.0 bit/s/Hz). The channel bandwidth B is not reported
 *    by the providers, so an ASSUMED bandwidth per RAT is used (10 MHz LTE,
 *    20 MHz NR leg; a 3G/2G figure is taken as a fixed assumption), shared
 *    with other users by an ASSUMED factor of 1/3. These are starting points
 *    with confidence PRIOR_CONFIDENCE, replaced by measurements as they come.
 * 2. Passive, from the byte counters: a rate seen on the link is a lower
 *    bound of its capacity. When the link is saturated — the rate is at least
 *    half the estimate and the short-window RTT has climbed well above the
 *    unloaded RTT (a queue is building) — the rate is a measurement of it.
 * 3. Active, only when asked (it costs data): a timed transfer.
 * Measurements are smoothed (EWMA) and their confidence decays with a
 * half-life, since radio conditions change; as it decays the estimate slides
 * back towards the prior. Plan/contract caps from the config bound the result.
 */
export const PRIOR_CONFIDENCE = 0.2;
const CONFIDENCE_HALF_LIFE_MS = 10 * 60_000;
const CELL_SHARE = 1 / 3;
/** Unloaded RTT = minimum short-window RTT over this long. */
const BASE_RTT_WINDOW_MS = 5 * 60_000;
/** RTT this far above the unloaded RTT means a queue (LTE bufferbloat is typically 100+ ms). */
const QUEUE_MARGIN_MS = 20;
/** A rate the link carried is a floor under the estimate for this long (the link gave at least that). */
const FLOOR_WINDOW_MS = 60_000;

export interface Direction {
  measuredKbps: number | null;
  confidence: number;
  atMs: number;
  source: 'passive' | 'active' | null;
}

export interface CapacityInput {
  nowMs: number;
  rat: Rat | null;
  signal: SignalInfo | null;
  nrSignal: SignalInfo | null;
  rxKbps: number | null;
  txKbps: number | null;
  path: PathStats | null;
}

/** Prior (kbps) for one direction from RAT and signal (see the class comment). */
export function priorKbps(rat: Rat | null, signal: SignalInfo | null, nrSignal: SignalInfo | null, dir: 'down' | 'up'): number {
  const shannon = (sinrDb: number, bandwidthMhz: number): number => {
    const [alpha, maxEff] = dir === 'down' ? [0.6, 4.4] : [0.4, 2.0];
    if (sinrDb < -10) return 0;
    const eff = Math.min(maxEff, alpha * Math.log2(1 + 10 ** (sinrDb / 10)));
    return eff * bandwidthMhz * 1000 * CELL_SHARE; // bit/s/Hz x MHz = Mbit/s -> kbps
  };
  // Without a SINR reading, assume a middling 5 dB rather than guess from RSRP.
  const sinr = (s: SignalInfo | null): number => s?.sinrDb ?? 5;
  switch (rat) {
    case 'nr5g-sa':
      return shannon(sinr(signal), 20);
    case 'nr5g-nsa':
      return shannon(sinr(signal), 10) + (nrSignal ? shannon(sinr(nrSignal), 20) : 0);
    case 'umts':
      return dir === 'down' ? 2000 : 500; // assumed HSPA share
    case 'gsm':
      return dir === 'down' ? 150 : 50; // assumed EDGE
    default:
      return shannon(sinr(signal), 10);
  }
}

export class CapacityEstimator {
  private down: Direction = { measuredKbps: null, confidence: 0, atMs: 0, source: null };
  private up: Direction = { measuredKbps: null, confidence: 0, atMs: 0, source: null };
  private last: CapacityEstimate | null = null;
  private readonly baseRtt = new WindowedExtreme(BASE_RTT_WINDOW_MS, (newer, older) => newer <= older);
  private readonly floorDown = new WindowedExtreme(FLOOR_WINDOW_MS, (newer, older) => newer >= older);
  private readonly floorUp = new WindowedExtreme(FLOOR_WINDOW_MS, (newer, older) => newer >= older);

  constructor(private readonly modem: Pick<ModemConfig, 'upKbpsCap' | 'downKbpsCap'>) {}

  /** Feed one refresh; returns the current estimate. */
  update(input: CapacityInput): CapacityEstimate {
    const shortRtt = input.path?.alive ? input.path.short.rttMs : null;
    if (shortRtt !== null) this.baseRtt.add(shortRtt, input.nowMs);
    const queueing = isQueueBuilding(shortRtt, this.baseRtt.value(input.nowMs));
    const priorDown = priorKbps(input.rat, input.signal, input.nrSignal, 'down');
    const priorUp = priorKbps(input.rat, input.signal, input.nrSignal, 'up');
    this.observe(this.down, input.rxKbps, queueing, priorDown, input.nowMs);
    this.observe(this.up, input.txKbps, queueing, priorUp, input.nowMs);
    if (input.rxKbps !== null && input.rxKbps > 0) this.floorDown.add(input.rxKbps, input.nowMs);
    if (input.txKbps !== null && input.txKbps > 0) this.floorUp.add(input.txKbps, input.nowMs);
    this.last = this.estimate(priorDown, priorUp, this.floorDown.value(input.nowMs), this.floorUp.value(input.nowMs));
    return this.last;
  }

  /** Result of an active transfer (kbps) in one direction. */
  recordActive(dir: 'down' | 'up', kbps: number, nowMs: number): void {
    const d = dir === 'down' ? this.down : this.up;
    d.measuredKbps = d.measuredKbps === null ? kbps : 0.5 * d.measuredKbps + 0.5 * kbps;
    d.confidence = Math.max(d.confidence, 0.9);
    d.atMs = nowMs;
    d.source = 'active';
  }

  current(): CapacityEstimate | null {
    return this.last;
  }

  private observe(d: Direction, rateKbps: number | null, queueing: boolean, prior: number, nowMs: number): void {
    this.decay(d, nowMs);
    if (rateKbps === null || rateKbps <= 0) return;
    const current = blend(d, prior);
    if (queueing && rateKbps >= 0.5 * current) {
      // A busy link with a growing queue: the rate is what the link gives.
      d.measuredKbps = d.measuredKbps === null ? rateKbps : d.measuredKbps + 0.3 * (rateKbps - d.measuredKbps);
      d.confidence = Math.min(1, d.confidence + 0.15 * (1 - d.confidence) + 0.02);
      d.source = 'passive';
      d.atMs = nowMs;
    } else if (rateKbps > current) {
      // More than we thought possible: at least this much.
      d.measuredKbps = rateKbps;
      d.confidence = Math.max(d.confidence, 0.5);
      d.source = 'passive';
      d.atMs = nowMs;
    }
  }

  private decay(d: Direction, nowMs: number): void {
    if (d.measuredKbps === null || nowMs <= d.atMs) return;
    d.confidence *= 0.5 ** ((nowMs - d.atMs) / CONFIDENCE_HALF_LIFE_MS);
    d.atMs = nowMs;
  }

  private estimate(priorDown: number, priorUp: number, floorDown: number | null, floorUp: number | null): CapacityEstimate {
    // The blend slides back to the prior as confidence decays, but never below what the link just carried.
    let downKbps = Math.max(blend(this.down, priorDown), floorDown ?? 0);
    let upKbps = Math.max(blend(this.up, priorUp), floorUp ?? 0);
    const measured = [this.down, this.up].filter((d) => d.measuredKbps !== null);
    const confidence = measured.length === 0 ? PRIOR_CONFIDENCE : Math.max(PRIOR_CONFIDENCE, ...measured.map((d) => d.confidence));
    let source: CapacityEstimate['source'] =
      this.down.source === 'active' || this.up.source === 'active' ? 'active' : measured.length > 0 ? 'passive' : 'prior';
    if (this.modem.downKbpsCap !== null && downKbps > this.modem.downKbpsCap) {
      downKbps = this.modem.downKbpsCap;
      source = 'config';
    }
    if (this.modem.upKbpsCap !== null && upKbps > this.modem.upKbpsCap) {
      upKbps = this.modem.upKbpsCap;
      source = 'config';
    }
    return { upKbps: Math.round(upKbps), downKbps: Math.round(downKbps), confidence: Math.round(confidence * 100) / 100, source };
  }
}

/** Measurement and prior weighted by how sure the measurement still is. */
function blend(d: Direction, prior: number): number {
  if (d.measuredKbps === null) return prior;
  const w = Math.max(0, Math.min(1, (d.confidence - PRIOR_CONFIDENCE) / (1 - PRIOR_CONFIDENCE)));
  return w * d.measuredKbps + (1 - w) * prior;
}

/**
 * Minimum (or maximum) over a sliding time window, as BBR keeps min_rtt:
 * a monotonic deque, since an older sample that is not better can never
 * be the extreme again.
 */
class WindowedExtreme {
  private samples: Array<{ v: number; atMs: number }> = [];
  constructor(
    private readonly windowMs: number,
    /** True when `newer` makes `older` useless: `newer <= older` for a minimum. */
    private readonly supersedes: (newer: number, older: number) => boolean,
  ) {}
  add(v: number, atMs: number): void {
    while (this.samples.length > 0 && this.supersedes(v, this.samples[this.samples.length - 1]!.v)) this.samples.pop();
    this.samples.push({ v, atMs });
  }
  value(nowMs: number): number | null {
    while (this.samples.length > 0 && this.samples[0]!.atMs < nowMs - this.windowMs) this.samples.shift();
    return this.samples[0]?.v ?? null;
  }
}

/** A queue is building: the short-window RTT is well above the unloaded RTT of the last minutes. */
export function isQueueBuilding(shortRttMs: number | null, baseRttMs: number | null): boolean {
  if (shortRttMs === null || baseRttMs === null) return false;
  return shortRttMs >= baseRttMs + Math.max(QUEUE_MARGIN_MS, 0.5 * baseRttMs);
}
