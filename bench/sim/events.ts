import { EventQueue } from './event-queue.js';
import { birthDeathMatrix, chainPath } from './markov.js';
import { makeNetworks } from './networks.js';
import type { CostModel, Network } from './networks.js';
import { SimRandom } from './random.js';
import { generateFlows, THESIS_TRAFFIC } from './traffic.js';
import type { SimFlow, TrafficOptions } from './traffic.js';

/**
 * One run's scenario: the networks, their initial states and the whole event
 * sequence, a pure function of the seed and the options, so that every policy
 * is driven by the same events. Flow ends come before flow starts and network
 * changes at the same instant (a departing flow frees room first); the slow
 * timer of the daemon is an event too (only the daemon's policy acts on it).
 */

export type SimEvent =
  | { timeS: number; kind: 'end'; flow: SimFlow }
  | { timeS: number; kind: 'start'; flow: SimFlow }
  | { timeS: number; kind: 'net'; network: string; state: number }
  | { timeS: number; kind: 'timer' };

export interface ScenarioOptions {
  costModel: CostModel;
  capacityScale: number;
  /** Mean time between a network's state transitions, s. */
  meanSojournS: number;
  /** Probability of a self-transition in the birth-death chain. */
  stay: number;
  traffic: TrafficOptions;
  /** The daemon's slow timer (modemflow's solve_interval, default 60 s). */
  timerS: number;
}

export const DEFAULT_SCENARIO: ScenarioOptions = { costModel: 'rising', capacityScale: 1, meanSojournS: 60, stay: 0, traffic: THESIS_TRAFFIC, timerS: 60 };

export interface Scenario {
  seed: number;
  options: ScenarioOptions;
  networks: Network[];
  initialStates: Map<string, number>;
  events: SimEvent[];
}

const ORDER: Record<SimEvent['kind'], number> = { end: 0, net: 1, start: 2, timer: 3 };

export function makeScenario(seed: number, o: ScenarioOptions = DEFAULT_SCENARIO): Scenario {
  // Separate streams: the traffic of a seed stays the same when a network option changes.
  const netRnd = new SimRandom(seed * 3 + 1);
  const chainRnd = new SimRandom(seed * 3 + 2);
  const trafficRnd = new SimRandom(seed * 3 + 3);
  const networks = makeNetworks(netRnd, { costModel: o.costModel, capacityScale: o.capacityScale });
  const matrix = birthDeathMatrix(o.stay);
  const horizon = o.traffic.horizonS;
  const raw: SimEvent[] = [];
  const initialStates = new Map<string, number>();
  for (const n of networks) {
    const path = chainPath(matrix, o.meanSojournS, horizon, chainRnd);
    initialStates.set(n.id, path[0]!.state);
    for (const c of path.slice(1)) raw.push({ timeS: c.timeS, kind: 'net', network: n.id, state: c.state });
  }
  for (const f of generateFlows(trafficRnd, o.traffic)) {
    raw.push({ timeS: f.startS, kind: 'start', flow: f });
    if (f.endS < horizon) raw.push({ timeS: f.endS, kind: 'end', flow: f });
  }
  for (let t = o.timerS; t < horizon; t += o.timerS) raw.push({ timeS: t, kind: 'timer' });
  // Stable order at equal times: by kind, then as generated.
  raw.sort((a, b) => a.timeS - b.timeS || ORDER[a.kind] - ORDER[b.kind]);
  const q = new EventQueue<SimEvent>();
  for (const e of raw) q.push(e);
  return { seed, options: o, networks, initialStates, events: q.drain() };
}
