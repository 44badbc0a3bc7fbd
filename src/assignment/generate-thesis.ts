import type { QosClass } from '../model/qos.js';
import type { BearerSpec, FlowSpec, InterfaceSpec, TfapInstance } from '../model/tfap.js';
import { Prng } from './prng.js';

/**
 * Random instances of the thesis' evaluation set-up (002, section 3.4.1):
 * use cases UC0-UC3 (Tables 3.2, 3.3), capacity scenarios L/M/H (Table 3.4),
 * 6 providers x 4 QoS classes = 24 bearers per interface, the RAT of each
 * bearer drawn among the interface's RATs, power per RAT from Table 3.1.
 */

export type UseCase = 'UC0' | 'UC1' | 'UC2' | 'UC3';
export type Capacity = 'L' | 'M' | 'H';
export const USE_CASES: readonly UseCase[] = ['UC0', 'UC1', 'UC2', 'UC3'];
export const CAPACITIES: readonly Capacity[] = ['L', 'M', 'H'];

type Rat = 'umts' | 'gprs' | '80211a' | '80211b';

/**
 * Table 3.1. Its header says micro-watts, which would make a UMTS radio draw
 * 0.1 mW; the figures come from [XV05]/[LN03] where they are milli-watts, so
 * they are read as mW here (converted to W). Only ratios matter for the
 * experiments, and the 10 power limits are derived from each instance.
 */
const POWER: Record<Rat, { baseW: number; txWPerKbps: number; rxWPerKbps: number }> = {
  umts: { baseW: 0.1072, txWPerKbps: 0.0083, rxWPerKbps: 0.0049 },
  gprs: { baseW: 0.31347, txWPerKbps: 0.00076, rxWPerKbps: 0.00036 },
  '80211a': { baseW: 0.368, txWPerKbps: 0.00032, rxWPerKbps: 0.00014 },
  '80211b': { baseW: 0.2627, txWPerKbps: 0.00122, rxWPerKbps: 0.00122 },
};

/** Table 3.4, kbps, equal up and down. */
const CAPACITY_KBPS: Record<Capacity, readonly number[]> = {
  L: [64, 128, 192, 256, 320, 384],
  M: [256, 320, 384, 448, 512],
  H: [384, 448, 512, 576, 640, 704, 768, 832],
};

/** Table 3.2: direction, class and the bandwidths a flow may take. */
const FLOW_TYPES: Record<string, { dir: 'in' | 'out'; qos: QosClass; kbps: readonly number[] }> = {
  F1: { dir: 'in', qos: 'C', kbps: [16, 32, 64] },
  F2: { dir: 'out', qos: 'C', kbps: [16, 32, 64] },
  F3: { dir: 'in', qos: 'C', kbps: [64, 128, 192, 384] },
  F4: { dir: 'out', qos: 'C', kbps: [64, 128, 192, 384] },
  F5: { dir: 'in', qos: 'C', kbps: [16, 32, 64] },
  F6: { dir: 'out', qos: 'C', kbps: [16, 32, 64] },
  F7: { dir: 'in', qos: 'S', kbps: [64, 128, 192, 384] },
  F8: { dir: 'in', qos: 'S', kbps: [16, 32, 64] },
  F9: { dir: 'in', qos: 'I', kbps: [64, 128, 256] },
  F10: { dir: 'out', qos: 'I', kbps: [64, 128, 256] },
  F11: { dir: 'in', qos: 'B', kbps: [64, 128, 256, 384, 512] },
  F12: { dir: 'out', qos: 'B', kbps: [64, 128, 256, 384, 512] },
};

/**
 * Table 3.3 as (flow type, count). UC3's composition adds up to 30 flows
 * although the table's count column says 32; the composition is followed.
 */
const LOAD: Record<UseCase, readonly [string, number][]> = {
  UC0: [['F1', 1], ['F2', 1], ['F3', 1], ['F4', 1], ['F9', 1], ['F11', 1], ['F12', 1]],
  UC1: [['F1', 1], ['F2', 1], ['F3', 1], ['F4', 1], ['F7', 1], ['F9', 1], ['F10', 1], ['F11', 2], ['F12', 2]],
  UC2: [['F1', 2], ['F2', 2], ['F3', 2], ['F4', 2], ['F7', 1], ['F9', 2], ['F10', 2], ['F11', 3], ['F12', 3]],
  UC3: [
    ['F1', 3], ['F2', 3], ['F3', 3], ['F4', 3], ['F5', 1], ['F6', 1], ['F7', 1], ['F8', 1],
    ['F9', 3], ['F10', 3], ['F11', 4], ['F12', 4],
  ],
};

/**
 * Interfaces per use case. The thesis names 3GPP, 802.11a/b and WiMax radios
 * but gives power figures only for 3GPP and WLAN RATs, so WiMax slots are
 * 3GPP interfaces here: UC0 = 3GPP + WLAN, UC1 = 2 x 3GPP + WLAN, UC2 =
 * 2 x 3GPP + 2 x WLAN, UC3 (the vehicle router) = 3 x 3GPP + 3 x WLAN.
 */
const RADIOS: Record<UseCase, readonly ('3gpp' | 'wlan')[]> = {
  UC0: ['3gpp', 'wlan'],
  UC1: ['3gpp', 'wlan', '3gpp'],
  UC2: ['3gpp', '3gpp', 'wlan', 'wlan'],
  UC3: ['3gpp', '3gpp', '3gpp', 'wlan', 'wlan', 'wlan'],
};

/** Cost per kbit, uniform on [COST_MIN, COST_MAX] (the thesis only says "random"). */
const COST_MIN = 1;
const COST_MAX = 10;

export function generateThesis(useCase: UseCase, capacity: Capacity, seed: number): TfapInstance {
  const rng = new Prng(seed);
  const flows: FlowSpec[] = [];
  for (const [type, count] of LOAD[useCase]) {
    const ft = FLOW_TYPES[type]!;
    for (let k = 1; k <= count; k++) {
      const kbps = rng.pick(ft.kbps);
      flows.push({ id: `${type}.${k}`, upKbps: ft.dir === 'out' ? kbps : 0, downKbps: ft.dir === 'in' ? kbps : 0, qos: ft.qos });
    }
  }
  const counters = { '3gpp': 0, wlan: 0 };
  const interfaces: InterfaceSpec[] = RADIOS[useCase].map((radio) => {
    const id = radio === '3gpp' ? `wwan${counters['3gpp']++}` : `wlan${counters.wlan++}`;
    const rats: Rat[] = radio === '3gpp' ? ['umts', 'gprs'] : ['80211a', '80211b'];
    const bearers: BearerSpec[] = [];
    for (let p = 1; p <= 6; p++) {
      for (const qos of ['C', 'S', 'I', 'B'] as const) {
        const rat = rng.pick(rats);
        const cap = rng.pick(CAPACITY_KBPS[capacity]);
        const cost = Math.round((COST_MIN + rng.next() * (COST_MAX - COST_MIN)) * 100) / 100;
        bearers.push({ id: `p${p}-${qos}-${rat}`, qos, upKbps: cap, downKbps: cap, costPerKbit: cost, ...POWER[rat] });
      }
    }
    return { id, bearers };
  });
  return { powerLimitW: null, interfaces, flows };
}

/**
 * The thesis' 10 power limits: equally spaced on [P_p, P_m], both included
 * (P_p = least power of any assignment, P_m = power of the min-cost one);
 * just P_p when they coincide.
 */
export function powerLimits(minPowerW: number, minCostPowerW: number, levels = 10): number[] {
  if (!(minCostPowerW > minPowerW)) return [minPowerW];
  return Array.from({ length: levels }, (_, k) => (k === levels - 1 ? minCostPowerW : minPowerW + ((minCostPowerW - minPowerW) * k) / (levels - 1)));
}
