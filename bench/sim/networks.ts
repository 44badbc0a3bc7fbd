import { QOS_RANK } from '../../src/model/qos.js';
import type { QosClass } from '../../src/model/qos.js';
import type { BearerSpec, FlowSpec, InterfaceSpec, TfapInstance } from '../../src/model/tfap.js';
import { CAPACITY_LEVEL, STATE_QOS } from './markov.js';
import type { SimRandom } from './random.js';

/**
 * The radio side of the thesis' vehicle router (002, line 1434): 2 UMTS and
 * 2 WLAN (802.11a/b) interfaces in reach of 4 UMTS, 5 802.11a and 5 802.11b
 * networks; UMTS at 6-9 units per kbit, WLAN at 1-5. What the thesis leaves
 * open is chosen here (and varied by the evaluation): each network's nominal
 * capacity (RAT figure x a factor drawn in [0.75, 1.25], equal up and down
 * as in Table 3.4) and the best class it offers (UMTS C; 802.11a C or S;
 * 802.11b S or I). Each network is one bearer; both interfaces of a RAT see
 * the same networks (the thesis' model has no shared capacity).
 */

export type Rat = 'umts' | '80211a' | '80211b';

/** Table 3.1, read as mW (see src/assignment/generate-thesis.ts), in W. */
export const RAT_POWER: Record<Rat, { baseW: number; txWPerKbps: number; rxWPerKbps: number }> = {
  umts: { baseW: 0.1072, txWPerKbps: 0.0083, rxWPerKbps: 0.0049 },
  '80211a': { baseW: 0.368, txWPerKbps: 0.00032, rxWPerKbps: 0.00014 },
  '80211b': { baseW: 0.2627, txWPerKbps: 0.00122, rxWPerKbps: 0.00122 },
};

/** Nominal (best-state) capacity per RAT, kbps each way (chosen, within Table 3.4's range and above it for WLAN). */
export const RAT_NOMINAL_KBPS: Record<Rat, number> = { umts: 384, '80211a': 1024, '80211b': 512 };

/**
 * 'rising': price rises with the network's capacity and best class, as the
 * thesis' heuristic assumes (section 3.3.1, "cost is positively correlated
 * with its QoS and capacity"); 'independent': price drawn uniformly in the
 * RAT's range regardless, as src/assignment/generate-thesis.ts draws costs.
 */
export type CostModel = 'rising' | 'independent';

export interface Network {
  id: string;
  rat: Rat;
  /** Best-state capacity, kbps each way. */
  nominalKbps: number;
  topQos: QosClass;
  costPerKbit: number;
}

export interface NetworkOptions {
  costModel: CostModel;
  /** Multiplies every nominal capacity (sensitivity). */
  capacityScale: number;
}

const PRICE_RANGE: Record<'umts' | 'wlan', [number, number]> = { umts: [6, 9], wlan: [1, 5] };

function priceOf(range: [number, number], rank: number, count: number): number {
  return count <= 1 ? range[0] : Math.round((range[0] + ((range[1] - range[0]) * rank) / (count - 1)) * 100) / 100;
}

/** Quality score the 'rising' model orders prices by: capacity, weighted up by the class. */
function quality(n: Network): number {
  return n.nominalKbps * (1 + 0.25 * QOS_RANK[n.topQos]);
}

export function makeNetworks(rnd: SimRandom, o: NetworkOptions): Network[] {
  const nets: Network[] = [];
  const add = (rat: Rat, count: number, prefix: string, classes: readonly QosClass[]) => {
    for (let k = 1; k <= count; k++) {
      const nominalKbps = Math.round(RAT_NOMINAL_KBPS[rat] * rnd.between(0.75, 1.25) * o.capacityScale);
      nets.push({ id: `${prefix}${k}`, rat, nominalKbps, topQos: rnd.pick(classes), costPerKbit: 0 });
    }
  };
  add('umts', 4, 'umts-', ['C']);
  add('80211a', 5, 'wa-', ['C', 'S']);
  add('80211b', 5, 'wb-', ['S', 'I']);
  for (const group of ['umts', 'wlan'] as const) {
    const members = nets.filter((n) => (group === 'umts') === (n.rat === 'umts'));
    const range = PRICE_RANGE[group];
    if (o.costModel === 'independent') {
      for (const n of members) n.costPerKbit = Math.round(rnd.between(range[0], range[1]) * 100) / 100;
    } else {
      const ranked = [...members].sort((a, b) => quality(a) - quality(b) || (a.id < b.id ? -1 : 1));
      ranked.forEach((n, rank) => (n.costPerKbit = priceOf(range, rank, ranked.length)));
    }
  }
  return nets;
}

/** The weaker of the state's class and the network's best class. */
export function qosAt(n: Network, state: number): QosClass {
  const s = STATE_QOS[state]!;
  return QOS_RANK[s] < QOS_RANK[n.topQos] ? s : n.topQos;
}

export function capacityAt(n: Network, state: number): number {
  return Math.floor(n.nominalKbps * CAPACITY_LEVEL[state]!);
}

export function bearerAt(n: Network, state: number): BearerSpec {
  const cap = capacityAt(n, state);
  return { id: n.id, qos: qosAt(n, state), upKbps: cap, downKbps: cap, costPerKbit: n.costPerKbit, ...RAT_POWER[n.rat] };
}

/** The router's interfaces: which networks each can attach to. */
export const INTERFACES: readonly { id: string; rats: readonly Rat[] }[] = [
  { id: 'umts0', rats: ['umts'] },
  { id: 'umts1', rats: ['umts'] },
  { id: 'wlan0', rats: ['80211a', '80211b'] },
  { id: 'wlan1', rats: ['80211a', '80211b'] },
];

/** The TFAP instance at one moment: every network in its current state, offered to each interface of its RAT. */
export function instanceAt(nets: readonly Network[], states: ReadonlyMap<string, number>, flows: FlowSpec[], powerLimitW: number | null): TfapInstance {
  const interfaces: InterfaceSpec[] = INTERFACES.map((r) => ({
    id: r.id,
    bearers: nets.filter((n) => r.rats.includes(n.rat)).map((n) => bearerAt(n, states.get(n.id)!)),
  }));
  return { powerLimitW, interfaces, flows };
}
