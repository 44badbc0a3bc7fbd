import type { CurrentAssignment } from '../../src/assignment/policy.js';
import { costPerSecond, powerW } from '../../src/assignment/objective.js';
import { meetsQos } from '../../src/model/qos.js';
import type { FlowSpec, TfapInstance } from '../../src/model/tfap.js';
import type { Scenario, SimEvent } from './events.js';
import { instanceAt } from './networks.js';
import type { SimFlow } from './traffic.js';

/**
 * Runs one policy over a scenario's events. At each event the policy sees
 * the instance (networks in their current states, the flows it admitted and
 * still running, no pins: a policy that wants pins adds them) and its own
 * current assignment, and answers the next one. A new flow the answer leaves
 * unplaced is refused. Between events the figures are integrated: cost
 * (eq. 3.4 x seconds), energy (eq. 3.5 x seconds), time over P_max, over a
 * bearer's capacity and flows below their class; at each event the changes
 * are counted: flow redirections, horizontal handovers, and TCP connections
 * that would break because their public address changed (moved to another
 * interface, or their interface attached to another network).
 */

export interface StepContext {
  timeS: number;
  event: SimEvent;
  instance: TfapInstance;
  flows: ReadonlyMap<string, SimFlow>;
  current: CurrentAssignment;
}

export interface SimPolicy {
  name: string;
  /** Only the daemon acts on its slow timer. */
  actsOnTimer: boolean;
  /**
   * A new flow placed below its class is refused too (the thesis' admission:
   * a flow is admitted only where it gets its class), so that every policy
   * that knows classes carries the same kind of traffic. False for mwan3,
   * which knows no classes.
   */
  admitsAtClassOnly?: boolean;
  step(ctx: StepContext): CurrentAssignment | Promise<CurrentAssignment>;
}

export interface RunFigures {
  policy: string;
  seed: number;
  minutes: number;
  cost: number;
  energyJ: number;
  redirections: number;
  handovers: number;
  broken: number;
  refused: number;
  flowsOffered: number;
  /** Admitted flows left without a place (flow-seconds). */
  unservedFlowS: number;
  overPowerS: number;
  /** Entries into a state over P_max. */
  powerViolations: number;
  overCapacityS: number;
  belowClassFlowS: number;
  /** Cost of flows while carried below their class (degraded rather than unserved). */
  belowClassCost: number;
  /** Traffic carried, kbit (up + down). */
  carriedKbit: number;
  decisions: number;
  /** Wall-clock seconds of the run (filled in by the evaluation; 0 here: the simulator has no clock). */
  wallS: number;
}

export interface RunOptions {
  powerLimitW: number | null;
  /** Called after each event (progress display). */
  onEvent?: (done: number, total: number) => void;
}

function toSpec(f: SimFlow): FlowSpec {
  return { id: f.id, upKbps: f.upKbps, downKbps: f.downKbps, qos: f.qos };
}

export async function simulate(sc: Scenario, policy: SimPolicy, o: RunOptions): Promise<RunFigures> {
  const states = new Map(sc.initialStates);
  const admitted = new Map<string, SimFlow>();
  let current: CurrentAssignment = { activation: {}, assignment: {} };
  const fig: RunFigures = {
    policy: policy.name, seed: sc.seed, minutes: sc.options.traffic.horizonS / 60, cost: 0, energyJ: 0, redirections: 0, handovers: 0, broken: 0,
    refused: 0, flowsOffered: 0, unservedFlowS: 0, overPowerS: 0, powerViolations: 0, overCapacityS: 0, belowClassFlowS: 0, belowClassCost: 0, carriedKbit: 0, decisions: 0, wallS: 0,
  };
  const horizon = sc.options.traffic.horizonS;
  const events = sc.events;
  let wasOver = false;
  const inst = () => instanceAt(sc.networks, states, [...admitted.values()].map(toSpec), o.powerLimitW);
  for (let k = 0; k < events.length; k++) {
    const ev = events[k]!;
    let act = true;
    if (ev.kind === 'start') {
      admitted.set(ev.flow.id, ev.flow);
      fig.flowsOffered++;
    } else if (ev.kind === 'end') {
      act = admitted.delete(ev.flow.id);
    } else if (ev.kind === 'net') {
      act = states.get(ev.network) !== ev.state;
      states.set(ev.network, ev.state);
    } else act = policy.actsOnTimer;
    if (act) {
      const instance = inst();
      const next = await policy.step({ timeS: ev.timeS, event: ev, instance, flows: admitted, current });
      fig.decisions++;
      if (ev.kind === 'start' && (next.assignment[ev.flow.id] === undefined || (policy.admitsAtClassOnly !== false && belowItsClass(instance, next, ev.flow)))) {
        fig.refused++;
        admitted.delete(ev.flow.id);
        const on = next.assignment[ev.flow.id];
        delete next.assignment[ev.flow.id];
        // An interface woken only for the refused flow goes idle again.
        if (on !== undefined && !carries(next, on) && !carries(current, on)) {
          next.activation = { ...next.activation };
          delete next.activation[on];
        }
      }
      countChanges(current, next, admitted, fig);
      current = { activation: { ...next.activation }, assignment: { ...next.assignment } };
      for (const f of Object.keys(current.assignment)) if (!admitted.has(f)) delete current.assignment[f];
    }
    const until = k + 1 < events.length ? events[k + 1]!.timeS : horizon;
    const dt = Math.max(0, until - ev.timeS);
    if (dt > 0) wasOver = integrate(inst(), current, dt, fig, wasOver);
    o.onEvent?.(k + 1, events.length);
  }
  return fig;
}

function belowItsClass(inst: TfapInstance, a: CurrentAssignment, f: SimFlow): boolean {
  const ifId = a.assignment[f.id]!;
  const b = inst.interfaces.find((r) => r.id === ifId)?.bearers.find((x) => x.id === a.activation[ifId]);
  return b !== undefined && !meetsQos(b.qos, f.qos);
}

function countChanges(before: CurrentAssignment, after: CurrentAssignment, live: ReadonlyMap<string, SimFlow>, fig: RunFigures): void {
  for (const [ifId, bearer] of Object.entries(after.activation)) {
    const was = before.activation[ifId];
    if (was !== undefined && was !== bearer && carries(before, ifId) && carries(after, ifId)) fig.handovers++;
  }
  for (const f of live.values()) {
    const from = before.assignment[f.id];
    const to = after.assignment[f.id];
    if (from === undefined || to === undefined) continue;
    const moved = from !== to;
    if (moved) fig.redirections++;
    // A new public address: another interface, or the same interface on another network.
    if (f.proto === 'tcp' && (moved || before.activation[from] !== after.activation[to])) fig.broken++;
  }
}

function carries(a: CurrentAssignment, ifId: string): boolean {
  for (const i of Object.values(a.assignment)) if (i === ifId) return true;
  return false;
}

function integrate(inst: TfapInstance, a: CurrentAssignment, dt: number, fig: RunFigures, wasOver: boolean): boolean {
  fig.cost += costPerSecond(inst, a.activation, a.assignment) * dt;
  const p = powerW(inst, a.activation, a.assignment);
  fig.energyJ += p * dt;
  const limit = inst.powerLimitW;
  const over = limit !== null && p > limit + 1e-9 * Math.max(1, limit);
  if (over) {
    fig.overPowerS += dt;
    if (!wasOver) fig.powerViolations++;
  }
  const load = new Map<string, { up: number; down: number }>();
  for (const f of inst.flows) {
    const ifId = a.assignment[f.id];
    if (ifId === undefined) {
      fig.unservedFlowS += dt;
      continue;
    }
    const b = inst.interfaces.find((r) => r.id === ifId)?.bearers.find((x) => x.id === a.activation[ifId]);
    if (b) fig.carriedKbit += (f.upKbps + f.downKbps) * dt;
    if (b && !meetsQos(b.qos, f.qos)) {
      fig.belowClassFlowS += dt;
      fig.belowClassCost += b.costPerKbit * (f.upKbps + f.downKbps) * dt;
    }
    const l = load.get(ifId) ?? { up: 0, down: 0 };
    l.up += f.upKbps;
    l.down += f.downKbps;
    load.set(ifId, l);
  }
  for (const [ifId, l] of load) {
    const b = inst.interfaces.find((r) => r.id === ifId)?.bearers.find((x) => x.id === a.activation[ifId]);
    if (b && (l.up > b.upKbps || l.down > b.downKbps)) {
      fig.overCapacityS += dt;
      break;
    }
  }
  return over;
}
