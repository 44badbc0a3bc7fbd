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
 *
 * 5G NR: no throughput-based coefficient table for NR could be read from
 * the sources available here, so the NR model is derived from two
 * published NR measurements and the LTE model above (source says so):
 *  - Xu et al., "Understanding Operational 5G: A First Measurement Study on
 *    Its Coverage, Performance and Energy Consumption", SIGCOMM 2020: on an
 *    NSA network, power "escalates to 2-3x over 4G". The base term is the
 *    lower end, 2 x LTE's beta: an NSA modem keeps its LTE anchor up next
 *    to the NR leg.
 *  - Narayanan et al., "A Variegated Look at 5G in the Wild: Performance,
 *    Power, and QoE Implications", SIGCOMM 2021: 5G becomes more energy
 *    efficient per bit than LTE above about 187 Mbps downlink and 189 Mbps
 *    uplink. Equal energy per bit at that throughput T* means
 *    betaNR + aNR*T* = betaLTE + aLTE*T*, so aNR = aLTE - (betaNR - betaLTE)/T*.
 * SA: the same study finds SA's gain in the RRC states (RRC_INACTIVE, no LTE
 * anchor for signalling), which this steady-state model does not have;
 * neither study gives SA throughput coefficients apart from NSA's, so SA
 * uses the NSA figures. A measured modem's power_* options override all of
 * this.
 */
export interface RatPower extends PowerCoefficients {
  source: string;
  verified: boolean;
}

const mbps = (mwPerMbps: number): number => mwPerMbps / 1000 / 1000; // mW/Mbps -> W/kbps

const LTE: RatPower = { baseW: 1.288, txWPerKbps: mbps(438.39), rxWPerKbps: mbps(51.97), source: 'Huang et al. MobiSys 2012 (LTE)', verified: true };
const UMTS: RatPower = { baseW: 0.81788, txWPerKbps: mbps(868.98), rxWPerKbps: mbps(122.12), source: 'Huang et al. MobiSys 2012 (3G)', verified: true };

/** Throughput (Mbps) above which NR spends less energy per bit than LTE (Narayanan et al. SIGCOMM 2021). */
export const NR_BREAK_EVEN_MBPS = { down: 187, up: 189 } as const;
/** NR power over LTE's on an NSA network, lower end of Xu et al. SIGCOMM 2020's 2-3x. */
export const NR_OVER_LTE_POWER = 2;

const NR_BASE_MW = 1288 * NR_OVER_LTE_POWER;
const NR: RatPower = {
  baseW: NR_BASE_MW / 1000,
  txWPerKbps: mbps(438.39 - (NR_BASE_MW - 1288) / NR_BREAK_EVEN_MBPS.up),
  rxWPerKbps: mbps(51.97 - (NR_BASE_MW - 1288) / NR_BREAK_EVEN_MBPS.down),
  source: 'derived: Xu et al. SIGCOMM 2020 (NSA power 2-3x LTE) + Narayanan et al. SIGCOMM 2021 (per-bit break-even 187/189 Mbps) on Huang et al. LTE',
  verified: false,
};

export const RAT_POWER: Readonly<Record<Rat, RatPower>> = Object.freeze({
  lte: LTE,
  umts: UMTS,
  gsm: { ...UMTS, source: 'Huang et al. MobiSys 2012 (3G figures; no 2G model published there)' },
  'nr5g-nsa': NR,
  'nr5g-sa': { ...NR, source: `${NR.source}; SA = NSA (no separate SA throughput figures published)` },
});

/** The modem's power coefficients: its config override, else the RAT's model (LTE when the RAT is unknown). */
export function powerCoefficients(modem: ModemConfig, rat: Rat | null): PowerCoefficients {
  if (modem.power) return modem.power;
  const p = RAT_POWER[rat ?? 'lte'];
  return { baseW: p.baseW, txWPerKbps: p.txWPerKbps, rxWPerKbps: p.rxWPerKbps };
}
