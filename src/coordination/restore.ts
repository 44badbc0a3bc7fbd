import type { ModemConfig } from '../model/config.js';
import type { CoordinationAction, CoordinationState } from './types.js';

/**
 * The modems modemflow itself took down, as wake actions: for a clean stop,
 * so the router is left with every link it had (DESIGN decision 3), and for
 * a restart that lost its state. netifd keeps an interface taken down over
 * ubus down until told otherwise, so nobody else would bring it back.
 * These run all at once: the one-at-a-time rule protects traffic modemflow
 * is steering, and after a stop there is none.
 */
export function restoreActions(state: CoordinationState, configs: readonly ModemConfig[]): CoordinationAction[] {
  const out: CoordinationAction[] = [];
  for (const c of configs) {
    const m = state.modems[c.name];
    const sleeping = m?.sleptByUs === true || (state.transition?.modem === c.name && state.transition.kind === 'sleep');
    if (!c.enabled || !sleeping) continue;
    out.push({ kind: 'wake', modem: c.name, interface: c.interface, reason: 'modemflow stopping: bring back what it took down' });
  }
  return out;
}
