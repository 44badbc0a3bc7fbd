import type { PowerConfig, PowerSource } from '../model/config.js';
import type { PowerSupplyReading, SupplyStatus } from './supply-reading.js';

/**
 * P_max, the power the modems may draw together (thesis 002, lines 914-922:
 * the power management subsystem sets it so the router lasts the autonomy D
 * the user asked for, from the energy E left).
 *
 *   mains                          -> no limit
 *   option limit_w set             -> that fixed limit
 *   battery/vehicle, charging/full -> no limit (an external source feeds it)
 *   battery/solar/vehicle          -> (E_now - reserve) / autonomy - base load
 *
 * Solar is always energy-based: a charger that is on now may not be in an
 * hour. The horizon rolls (D counts from now), so the limit shrinks as the
 * energy does and never plans to empty the battery below the reserve.
 */

export type PowerLimitBasis = 'mains' | 'fixed' | 'external-power' | 'energy' | 'unknown';

export interface PowerLimitInputs {
  source: PowerSource;
  fixedLimitW: number | null;
  reservePct: number;
  autonomyH: number | null;
  baseLoadW: number;
  origin: string | null;
  status: SupplyStatus | null;
  energyNowWh: number | null;
  energyFullWh: number | null;
  /** Energy above the reserve. */
  usableWh: number | null;
}

export interface PowerLimit {
  /** W for the modems together; null = unbounded. */
  limitW: number | null;
  basis: PowerLimitBasis;
  explanation: string;
  inputs: PowerLimitInputs;
  /** What was missing or odd (shown on the status page). */
  problems: string[];
}

/** E_now in Wh: energy_now, else charge_now x voltage, else capacity% of the full energy. */
export function energyNowWh(r: PowerSupplyReading): number | null {
  if (r.energyNowWh !== null) return r.energyNowWh;
  if (r.chargeNowAh !== null && r.voltageV !== null) return r.chargeNowAh * r.voltageV;
  const full = energyFullWh(r, false);
  if (r.capacityPct !== null && full !== null) return (full * r.capacityPct) / 100;
  return null;
}

/** E_full in Wh: energy_full, else charge_full x voltage, else E_now scaled up by capacity%. */
export function energyFullWh(r: PowerSupplyReading, fromNow = true): number | null {
  if (r.energyFullWh !== null) return r.energyFullWh;
  // voltage_now, not the nominal voltage: the charge-only gauges give nothing better.
  if (r.chargeFullAh !== null && r.voltageV !== null) return r.chargeFullAh * r.voltageV;
  if (fromNow && r.capacityPct !== null && r.capacityPct > 0) {
    const now = r.energyNowWh ?? (r.chargeNowAh !== null && r.voltageV !== null ? r.chargeNowAh * r.voltageV : null);
    if (now !== null) return (now * 100) / r.capacityPct;
  }
  return null;
}

function round(n: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

export function computePowerLimit(config: PowerConfig, reading: PowerSupplyReading | null): PowerLimit {
  const inputs: PowerLimitInputs = {
    source: config.source,
    fixedLimitW: config.limitW,
    reservePct: config.reservePct,
    autonomyH: config.autonomyH,
    baseLoadW: config.baseLoadW,
    origin: reading?.origin ?? null,
    status: reading?.status ?? null,
    energyNowWh: null,
    energyFullWh: null,
    usableWh: null,
  };
  const problems: string[] = [];
  const done = (limitW: number | null, basis: PowerLimitBasis, explanation: string): PowerLimit => ({
    limitW: limitW === null ? null : round(limitW),
    basis,
    explanation,
    inputs,
    problems,
  });

  if (config.limitW !== null) return done(Math.max(0, config.limitW), 'fixed', `fixed limit ${config.limitW} W (option limit_w)`);
  if (config.source === 'mains') return done(null, 'mains', 'on mains power: no limit');
  if (reading === null) {
    problems.push('no battery reading (option battery/ubus_object, or none found)');
    return done(null, 'unknown', `on ${config.source} power without a battery reading: no limit applied`);
  }

  const eNow = energyNowWh(reading);
  const eFull = energyFullWh(reading);
  inputs.energyNowWh = eNow === null ? null : round(eNow);
  inputs.energyFullWh = eFull === null ? null : round(eFull);

  if ((config.source === 'battery' || config.source === 'vehicle') && (reading.status === 'charging' || reading.status === 'full')) {
    return done(null, 'external-power', `${config.source} is ${reading.status}: an external source feeds it, no limit`);
  }
  if (eNow === null) {
    problems.push(`${reading.origin}: no energy_now, charge_now+voltage_now or capacity+energy_full to tell the energy left`);
    return done(null, 'unknown', 'energy left unknown: no limit applied');
  }

  let usableWh: number;
  if (eFull !== null) {
    usableWh = eNow - (config.reservePct / 100) * eFull;
  } else {
    usableWh = eNow;
    if (config.reservePct > 0) problems.push('full energy unknown: the reserve could not be applied');
  }
  usableWh = Math.max(0, usableWh);
  inputs.usableWh = round(usableWh);

  if (config.autonomyH === null || config.autonomyH <= 0) {
    problems.push('option autonomy not set: P_max cannot be derived from the energy left');
    return done(null, 'unknown', `${round(usableWh, 1)} Wh above the reserve, but no autonomy to spread it over: no limit applied`);
  }
  const totalW = usableWh / config.autonomyH;
  const limitW = Math.max(0, totalW - config.baseLoadW);
  if (totalW < config.baseLoadW) problems.push(`the router's base load (${config.baseLoadW} W) alone exceeds what the energy left allows (${round(totalW, 2)} W)`);
  return done(
    limitW,
    'energy',
    `${round(usableWh, 1)} Wh above the ${config.reservePct}% reserve over ${config.autonomyH} h = ${round(totalW, 2)} W, minus ${config.baseLoadW} W base load`,
  );
}

/**
 * Whether a new limit differs enough from the previous one to re-solve
 * (a changed P_max triggers a full solve, thesis 002 line 918). Small drifts
 * of the battery gauge should not: below `minStepW` and `stepFraction`.
 */
export function powerLimitChanged(prev: PowerLimit | null, next: PowerLimit, minStepW = 0.1, stepFraction = 0.05): boolean {
  if (prev === null) return true;
  if (prev.basis !== next.basis) return true;
  if (prev.limitW === null || next.limitW === null) return prev.limitW !== next.limitW;
  const delta = Math.abs(next.limitW - prev.limitW);
  return delta > Math.max(minStepW, stepFraction * prev.limitW);
}
