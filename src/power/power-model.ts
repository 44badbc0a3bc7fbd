import type { BearerSpec } from '../model/tfap.js';

/**
 * The modelled power of the router: its base load plus, for every modem
 * that is up, the bearer's linear model (thesis 002, section 3.2: a base
 * power when associated plus W per kbps sent and received). The same
 * coefficients the solver used, so a large error against a sensor means the
 * solver's P_max constraint is checked against wrong figures.
 */

export interface ModemLoad {
  modem: string;
  up: boolean;
  /** The bearer in use (coefficients); null = unknown, counted as 0 and reported. */
  bearer: Pick<BearerSpec, 'baseW' | 'txWPerKbps' | 'rxWPerKbps'> | null;
  txKbps: number | null;
  rxKbps: number | null;
}

export interface ModelledPower {
  totalW: number;
  baseLoadW: number;
  perModem: Array<{ modem: string; powerW: number }>;
  /** Modems up whose coefficients or rates are unknown. */
  unknown: string[];
}

export function modelPower(baseLoadW: number, modems: readonly ModemLoad[]): ModelledPower {
  const perModem: ModelledPower['perModem'] = [];
  const unknown: string[] = [];
  for (const m of modems) {
    if (!m.up) continue;
    if (!m.bearer) {
      unknown.push(m.modem);
      continue;
    }
    if (m.txKbps === null || m.rxKbps === null) unknown.push(m.modem);
    const w = m.bearer.baseW + m.bearer.txWPerKbps * (m.txKbps ?? 0) + m.bearer.rxWPerKbps * (m.rxKbps ?? 0);
    perModem.push({ modem: m.modem, powerW: w });
  }
  return { totalW: baseLoadW + perModem.reduce((a, p) => a + p.powerW, 0), baseLoadW, perModem, unknown };
}
