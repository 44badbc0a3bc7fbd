import type { ModemView } from '../model/modem.js';
import type { CoordinationSettings, ModemMemory, Recommendation, Transition } from './types.js';

/**
 * The one wake/sleep/switch in flight: did it complete, fail (timeout), or is
 * it still running? Only one runs at a time (safety rule), so this is a
 * single slot in the state.
 */

export function plmnOf(view: ModemView | null): string | null {
  const r = view?.radio;
  return r && r.mcc !== null && r.mnc !== null ? `${r.mcc}${r.mnc}` : null;
}

export interface SettledTransition {
  transition: Transition | null;
  recommendations: Recommendation[];
}

/** Mutates `memory` of the modem concerned (a fresh copy owned by this step). */
export function settleTransition(
  t: Transition | null,
  view: ModemView | null,
  memory: ModemMemory | null,
  nowMs: number,
  settings: CoordinationSettings,
): SettledTransition {
  if (t === null) return { transition: null, recommendations: [] };
  const up = view?.link.up === true;
  // Link state ends a change; whether the metrics offer the modem yet (capacity
  // estimate, probes) is the classification's business, not the transition's.
  const done =
    (t.kind === 'wake' && up) ||
    (t.kind === 'sleep' && !up) ||
    (t.kind === 'switch' && up && plmnOf(view) === t.targetPlmn);
  if (done) {
    if (memory) {
      memory.changedMs = nowMs;
      memory.sleptByUs = t.kind === 'sleep';
    }
    return { transition: null, recommendations: [] };
  }
  const elapsedMs = nowMs - t.startedMs;
  if (elapsedMs >= settings.transitionTimeoutMs) {
    if (memory) {
      memory.backoffUntilMs = nowMs + settings.retryAfterFailMs;
      // A failed wake leaves it down and still ours; a failed sleep or switch leaves it as it is.
      if (t.kind === 'wake') memory.active = false;
    }
    const target = t.targetPlmn ? ` to ${t.targetPlmn}` : '';
    return {
      transition: null,
      recommendations: [
        {
          kind: 'transition-failed',
          modem: t.modem,
          message: `${t.kind}${target} of ${t.modem} (${t.interface}) did not complete in ${Math.round(elapsedMs / 1000)} s; not retried for ${Math.round(settings.retryAfterFailMs / 1000)} s`,
          acted: false,
        },
      ],
    };
  }
  return {
    transition: t,
    recommendations: [
      {
        kind: 'transition-pending',
        modem: t.modem,
        message: `${t.kind} of ${t.modem} (${t.interface}) in progress for ${Math.round(elapsedMs / 1000)} s; no other modem changes until it ends`,
        acted: false,
      },
    ],
  };
}
