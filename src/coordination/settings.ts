import type { Result } from '../model/errors.js';
import type { CoordinationSettings } from './types.js';

/**
 * Checks settings that come from outside (config, a test bench, a command):
 * every problem named with what was expected. The hysteresis only exists
 * when sleepUtilization is below wakeUtilization.
 */
export function validateCoordinationSettings(s: CoordinationSettings): Result<CoordinationSettings> {
  const errors: string[] = [];
  const frac = (name: string, v: number) => {
    if (!Number.isFinite(v) || v <= 0 || v > 1) errors.push(`${name}: expected a fraction in (0, 1], got ${v}`);
  };
  const nonNeg = (name: string, v: number) => {
    if (!Number.isFinite(v) || v < 0) errors.push(`${name}: expected a duration >= 0 ms, got ${v}`);
  };
  frac('wakeUtilization', s.wakeUtilization);
  frac('sleepUtilization', s.sleepUtilization);
  if (s.sleepUtilization >= s.wakeUtilization) {
    errors.push(`sleepUtilization (${s.sleepUtilization}) must be below wakeUtilization (${s.wakeUtilization}), or modems would flap`);
  }
  nonNeg('minOnMs', s.minOnMs);
  nonNeg('minOffMs', s.minOffMs);
  nonNeg('powerSleepAfterMs', s.powerSleepAfterMs);
  nonNeg('reenterHoldMs', s.reenterHoldMs);
  nonNeg('retryAfterFailMs', s.retryAfterFailMs);
  nonNeg('switchCooldownMs', s.switchCooldownMs);
  if (!Number.isFinite(s.transitionTimeoutMs) || s.transitionTimeoutMs <= 0) {
    errors.push(`transitionTimeoutMs: expected a duration > 0 ms, got ${s.transitionTimeoutMs}`);
  }
  const m = s.reenterMargin;
  if (!Number.isFinite(m.signalDb) || m.signalDb < 0) errors.push(`reenterMargin.signalDb: expected >= 0 dB, got ${m.signalDb}`);
  frac('reenterMargin.lossFraction', m.lossFraction);
  frac('reenterMargin.rttFraction', m.rttFraction);
  if (!Number.isFinite(m.capacityFraction) || m.capacityFraction < 1) {
    errors.push(`reenterMargin.capacityFraction: expected >= 1, got ${m.capacityFraction}`);
  }
  if (s.maxCostPerKbit !== null && (!Number.isFinite(s.maxCostPerKbit) || s.maxCostPerKbit < 0)) {
    errors.push(`maxCostPerKbit: expected >= 0 or null, got ${s.maxCostPerKbit}`);
  }
  if (!Number.isInteger(s.assumedCellUsers) || s.assumedCellUsers < 1) {
    errors.push(`assumedCellUsers: expected an integer >= 1, got ${s.assumedCellUsers}`);
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: s };
}
