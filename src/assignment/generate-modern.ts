import type { QosClass } from '../model/qos.js';
import type { BearerSpec, FlowSpec, InterfaceSpec, TfapInstance } from '../model/tfap.js';
import { Prng } from './prng.js';

/**
 * A present-day router: 2-8 LTE/5G modems, each with 1-3 bearers (SIM x RAT),
 * capacities 1-300 Mbps, prices per GB, and flow groups from calls to bulk.
 */

type Rat = 'nr' | 'lte' | '3g';

/**
 * Power per RAT, W, W per kbps up (tx), W per kbps down (rx).
 * LTE and 3G: Huang et al., "A Close Examination of Performance and Power
 * Characteristics of 4G LTE Networks", MobiSys 2012, Table 4 (LTE: 1288 mW
 * base, 438.39 mW/Mbps up, 51.97 mW/Mbps down; 3G: 817.88, 868.98, 122.12).
 * 5G NR: meant to follow Xu et al., "Understanding Operational 5G: A First
 * Measurement Study on Its Coverage, Performance and Energy Consumption",
 * SIGCOMM 2020, and Narayanan et al., "A First Look at Commercial 5G
 * Performance on Smartphones", WWW 2020. Those papers could NOT be consulted
 * here, so the NR figures below are an unverified estimate in their spirit
 * (higher base power than LTE, lower energy per bit at high rates): replace
 * them with measured values before relying on NR power results.
 */
const POWER: Record<Rat, { baseW: number; txWPerKbps: number; rxWPerKbps: number }> = {
  lte: { baseW: 1.288, txWPerKbps: 0.43839e-3, rxWPerKbps: 0.05197e-3 },
  '3g': { baseW: 0.81788, txWPerKbps: 0.86898e-3, rxWPerKbps: 0.12212e-3 },
  nr: { baseW: 2.0, txWPerKbps: 0.2e-3, rxWPerKbps: 0.015e-3 }, // UNVERIFIED estimate, see above
};

/** Capacity ranges in Mbps [downMin, downMax, upMin, upMax], within 1-300 Mbps. */
const CAP_MBPS: Record<Rat, [number, number, number, number]> = {
  nr: [50, 300, 10, 100],
  lte: [5, 150, 2, 50],
  '3g': [1, 21, 1, 5],
};

/** Classes a bearer of this RAT can meet (its measured class is drawn among them). */
const RAT_QOS: Record<Rat, readonly QosClass[]> = { nr: ['C', 'C', 'S'], lte: ['C', 'S', 'S', 'I'], '3g': ['S', 'I', 'B'] };

/** Price per GB, money units; per kbit = per GB / 8e6. */
const PRICE_PER_GB = [0.5, 15] as const;

interface FlowKind {
  qos: QosClass;
  name: string;
  /** [min, max] kbps down and up. */
  down: [number, number];
  up: [number, number];
}

const FLOW_KINDS: readonly FlowKind[] = [
  { qos: 'C', name: 'voip', down: [64, 128], up: [64, 128] },
  { qos: 'C', name: 'video-call', down: [1500, 4000], up: [1000, 3000] },
  { qos: 'S', name: 'stream', down: [3000, 25000], up: [50, 300] },
  { qos: 'I', name: 'web', down: [1000, 10000], up: [200, 1000] },
  { qos: 'B', name: 'bulk-down', down: [5000, 50000], up: [100, 1000] },
  { qos: 'B', name: 'bulk-up', down: [100, 1000], up: [2000, 20000] },
];

export function generateModern(seed: number): TfapInstance {
  const rng = new Prng(seed);
  const modems = rng.range(2, 8);
  const interfaces: InterfaceSpec[] = [];
  for (let i = 0; i < modems; i++) {
    const n = rng.range(1, 3);
    const bearers: BearerSpec[] = [];
    for (let k = 1; k <= n; k++) {
      const rat: Rat = rng.pick(['nr', 'lte', 'lte', '3g'] as const);
      const [dMin, dMax, uMin, uMax] = CAP_MBPS[rat];
      const price = PRICE_PER_GB[0] + rng.next() * (PRICE_PER_GB[1] - PRICE_PER_GB[0]);
      bearers.push({
        id: `sim${k}-${rat}`,
        qos: rng.pick(RAT_QOS[rat]),
        downKbps: Math.round((dMin + rng.next() * (dMax - dMin)) * 1000),
        upKbps: Math.round((uMin + rng.next() * (uMax - uMin)) * 1000),
        costPerKbit: Math.round((price / 8e6) * 1e12) / 1e12,
        ...POWER[rat],
      });
    }
    interfaces.push({ id: `wwan${i}`, bearers });
  }
  // Load grows with the number of modems, so that several are needed.
  const nFlows = rng.range(3 * modems, 6 * modems);
  const flows: FlowSpec[] = [];
  for (let z = 1; z <= nFlows; z++) {
    const kind = rng.pick(FLOW_KINDS);
    flows.push({
      id: `g${z}-${kind.name}`,
      qos: kind.qos,
      downKbps: rng.range(kind.down[0], kind.down[1]),
      upKbps: rng.range(kind.up[0], kind.up[1]),
    });
  }
  return { powerLimitW: null, interfaces, flows };
}
