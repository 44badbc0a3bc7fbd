import type { ModemConfig, PowerCoefficients } from '../model/config.js';
import type { Rat } from '../model/modem.js';

/**
 * Power of a modem as base + per-throughput terms (W, W per kbps).
 *
 * LTE and 3G: Huang, Qian, Gerber, Mao, Sen, Spatscheck, "A Close Examination
 * of Performance and Power Characteristics of 4G LTE Networks", MobiSys 2012,
 * Table 4 (P = αu·tu + αd·td + β, t in Mbps):
 *   LTE: β = 1288 mW, αu = 438.39 mW/Mbps, αd = 51.97 mW/Mbps
 *   3G:  β =  817.88 mW, αu = 868.98 mW/Mbps, αd = 122.12 mW/Mbps
 * GSM/EDGE: that study has no 2G model; the 3G figures are used, the
 * closest published ones here.
 * 5G NR: Narayanan et al., "A Variegated Look at 5G in the Wild:
 * Performance, Power, and QoE Implications", SIGCOMM 2021, fit throughput-
 * based power models for NSA and SA 5G. Their coefficients could NOT be
 * verified from the sources available while writing this, so NR uses the LTE
 * coefficients above (an NSA modem keeps its LTE anchor up, so LTE's is a
 * lower bound) and is marked unverified; set power_base_mw /
 * power_tx_mw_per_mbps / power_rx_mw_per_mbps on 5G modems from a measurement.
 */
export interface RatPower extends PowerCoefficients {
  source: string;
  verified: boolean;
}

const mbps = (mwPerMbps: number): number => mwPerMbps / 1000 / 1000; // mW/Mbps -> W/kbps

const LTE: RatPower = { baseW: 1.288, txWPerKbps: mbps(438.39), rxWPerKbps: mbps(51.97), source: 'Huang et al. MobiSys 2012 (LTE)', verified: true };
const UMTS: RatPower = { baseW: 0.81788, txWPerKbps: mbps(868.98), rxWPerKbps: mbps(122.12), source: 'Huang et al. MobiSys 2012 (3G)', verified: true };

export const RAT_POWER: Readonly<Record<Rat, RatPower>> = Object.freeze({
  lte: LTE,
  umts: UMTS,
  gsm: { ...UMTS, source: 'Huang et al. MobiSys 2012 (3G figures; no 2G model published there)' },
  'nr5g-nsa': { ...LTE, source: 'LTE figures pending a verified NR model (Narayanan et al. SIGCOMM 2021)', verified: false },
  'nr5g-sa': { ...LTE, source: 'LTE figures pending a verified NR model (Narayanan et al. SIGCOMM 2021)', verified: false },
});

/** The modem's power coefficients: its config override, else the RAT's model (LTE when the RAT is unknown). */
export function powerCoefficients(modem: ModemConfig, rat: Rat | null): PowerCoefficients {
  if (modem.power) return modem.power;
  const p = RAT_POWER[rat ?? 'lte'];
  return { baseW: p.baseW, txWPerKbps: p.txWPerKbps, rxWPerKbps: p.rxWPerKbps };
}
