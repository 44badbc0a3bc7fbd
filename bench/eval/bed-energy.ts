/**
 * Modelled energy and power of the bed's modems, with the daemon's own
 * power model (src/metrics/power-model.ts: base W while the modem is up,
 * plus W per kbps sent and received, per RAT). Pure: counter samples in,
 * figures out.
 *
 * A modem counts as up (drawing its base power) while the router side of
 * its uplink is up: that is what netifd's ifdown, and so the daemon's
 * sleep, turns off in the bed. The router's wanI counters give the
 * modem's traffic: wanI tx = what the modem sends, rx = what it receives.
 */
import { RAT_POWER } from '../../src/metrics/power-model.js';
import type { PowerCoefficients } from '../../src/model/config.js';
import type { Rat } from '../../src/model/modem.js';

/** One reading of the router's uplink devices (index = uplink - 1). */
export interface UplinkSample {
  atMs: number;
  up: boolean[];
  txBytes: number[];
  rxBytes: number[];
}

/** The coefficients the daemon uses for a modem on `rat` (no config override). */
export function ratPower(rat: Rat): PowerCoefficients {
  const p = RAT_POWER[rat];
  return { baseW: p.baseW, txWPerKbps: p.txWPerKbps, rxWPerKbps: p.rxWPerKbps };
}

/** The daemon's `power_*` options for those coefficients (mW, mW per Mbps). */
export function powerOptions(p: PowerCoefficients): { baseMw: number; txMwPerMbps: number; rxMwPerMbps: number } {
  const r = (x: number): number => Math.round(x * 1000) / 1000;
  return { baseMw: r(p.baseW * 1000), txMwPerMbps: r(p.txWPerKbps * 1e6), rxMwPerMbps: r(p.rxWPerKbps * 1e6) };
}

/** Energy of one modem between two samples, J: base while up (at either end), per-kbit terms on what moved. */
function stepJ(p: PowerCoefficients, a: UplinkSample, b: UplinkSample, i: number): number {
  const dtS = Math.max(0, (b.atMs - a.atMs) / 1000);
  const up = a.up[i]! || b.up[i]!;
  const txKbit = (Math.max(0, b.txBytes[i]! - a.txBytes[i]!) * 8) / 1000;
  const rxKbit = (Math.max(0, b.rxBytes[i]! - a.rxBytes[i]!) * 8) / 1000;
  return (up ? p.baseW * dtS : 0) + p.txWPerKbps * txKbit + p.rxWPerKbps * rxKbit;
}

export interface EnergyFigures {
  /** Per modem, Wh over the samples. */
  whByUplink: number[];
  totalWh: number;
  /** Seconds each modem was up. */
  upSByUplink: number[];
  /** Mean modelled power of all modems, W. */
  meanW: number;
}

export function energy(samples: readonly UplinkSample[], coeffs: readonly PowerCoefficients[]): EnergyFigures {
  const j = coeffs.map(() => 0);
  const upS = coeffs.map(() => 0);
  for (let k = 1; k < samples.length; k++) {
    const a = samples[k - 1]!;
    const b = samples[k]!;
    coeffs.forEach((p, i) => {
      j[i]! += stepJ(p, a, b, i);
      if (a.up[i] || b.up[i]) upS[i]! += Math.max(0, (b.atMs - a.atMs) / 1000);
    });
  }
  const spanS = samples.length > 1 ? (samples[samples.length - 1]!.atMs - samples[0]!.atMs) / 1000 : 0;
  const totalJ = j.reduce((s, x) => s + x, 0);
  return { whByUplink: j.map((x) => x / 3600), totalWh: totalJ / 3600, upSByUplink: upS, meanW: spanS > 0 ? totalJ / spanS : 0 };
}

/** Modelled power of all modems in each sample interval: [endMs, W][]. */
export function powerSeries(samples: readonly UplinkSample[], coeffs: readonly PowerCoefficients[]): [number, number][] {
  const out: [number, number][] = [];
  for (let k = 1; k < samples.length; k++) {
    const a = samples[k - 1]!;
    const b = samples[k]!;
    const dtS = (b.atMs - a.atMs) / 1000;
    if (dtS <= 0) continue;
    out.push([b.atMs, coeffs.reduce((s, p, i) => s + stepJ(p, a, b, i), 0) / dtS]);
  }
  return out;
}

export interface LimitFigures {
  limitW: number;
  /** Mean modelled power from `fromMs` on, W. */
  meanW: number;
  /** Share of the sample intervals from `fromMs` on whose power was above the limit, %. */
  overPct: number;
  /** Seconds from `fromMs` to the end of the last interval over the limit (0: never over); null when the run ended over it. */
  withinAfterS: number | null;
}

/** The modelled power against a limit set at `fromMs` (intervals that end after it). */
export function againstLimit(series: readonly [number, number][], limitW: number, fromMs: number): LimitFigures {
  const after = series.filter(([t]) => t > fromMs);
  const meanW = after.length ? after.reduce((s, [, w]) => s + w, 0) / after.length : 0;
  const over = after.filter(([, w]) => w > limitW);
  const last = after[after.length - 1];
  const endsOver = last !== undefined && last[1] > limitW;
  const lastOver = over[over.length - 1];
  const withinAfterS = endsOver ? null : lastOver ? (lastOver[0] - fromMs) / 1000 : 0;
  return { limitW, meanW, overPct: after.length ? (over.length / after.length) * 100 : 0, withinAfterS };
}

/** Bytes (both directions) each uplink had carried by the sample nearest before `atMs` (or the first). */
export function bytesAt(samples: readonly UplinkSample[], atMs: number): number[] {
  let s = samples[0];
  for (const x of samples) if (x.atMs <= atMs) s = x;
  return s ? s.txBytes.map((t, i) => t + s!.rxBytes[i]!) : [];
}
