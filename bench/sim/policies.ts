import { decide } from '../../src/assignment/dynamic-policy.js';
import type { CurrentAssignment } from '../../src/assignment/policy.js';
import { QOS_RANK } from '../../src/model/qos.js';
import type { FlowSpec, TfapAnswer, TfapInstance } from '../../src/model/tfap.js';
import { INTERFACES } from './networks.js';
import { SimRandom } from './random.js';
import type { SimPolicy, StepContext } from './simulate.js';

/**
 * The policies the evaluation compares, over the same events:
 *   - modemflowPolicy: the daemon's decide() (src/assignment/dynamic-policy.ts,
 *     the function src/daemon/decide-cycle.ts calls) with its hysteresis, its
 *     slow timer forcing a full solve, and established TCP pinned to its
 *     interface as src/flows/solver-flows.ts pins NATed groups;
 *   - conservativePolicy: the thesis' conservative execution (line 1445) for
 *     ALG_h and ALG_u: the same decide(), no pins, no timer;
 *   - everyEventPolicy: a solver's answer adopted at every event (the exact
 *     reference, LS/RS at every event);
 *   - mwan3Policy: per-connection weighted random over the interfaces.
 */

export type Solver = (inst: TfapInstance) => TfapAnswer;
export type AsyncSolver = (inst: TfapInstance) => TfapAnswer | Promise<TfapAnswer>;

export interface ModemflowOptions {
  name?: string;
  hysteresis: number;
  solve: Solver;
  /** Pin running TCP to its interface (the daemon does); false shows what the pins cost. */
  pinTcp: boolean;
  /**
   * Also keep an interface that carries pinned TCP on its network (not what
   * the daemon does today: a change of network changes the public address too).
   */
  pinBearer?: boolean;
}

export function modemflowPolicy(o: ModemflowOptions): SimPolicy {
  return {
    name: o.name ?? 'modemflow',
    actsOnTimer: true,
    step(ctx: StepContext): CurrentAssignment {
      const flows: FlowSpec[] = ctx.instance.flows.map((f) => {
        const on = ctx.current.assignment[f.id];
        return o.pinTcp && on !== undefined && ctx.flows.get(f.id)?.proto === 'tcp' ? { ...f, pinned: on } : f;
      });
      const pinnedIfs = new Set(flows.flatMap((f) => (f.pinned === undefined ? [] : [f.pinned])));
      const interfaces = o.pinBearer
        ? ctx.instance.interfaces.map((r) => (pinnedIfs.has(r.id) ? { ...r, bearers: r.bearers.filter((b) => b.id === ctx.current.activation[r.id]) } : r))
        : ctx.instance.interfaces;
      const out = decide({
        instance: { ...ctx.instance, interfaces, flows },
        current: ctx.current,
        forceFull: ctx.event.kind === 'timer' ? 'timer' : null,
        hysteresis: o.hysteresis,
        solve: o.solve,
      });
      return out.assignment;
    },
  };
}

export function conservativePolicy(name: string, solve: Solver): SimPolicy {
  return {
    name,
    actsOnTimer: false,
    step: (ctx) => decide({ instance: ctx.instance, current: ctx.current, forceFull: null, hysteresis: 0, solve }).assignment,
  };
}

/** Which flow to leave out first when nothing serves them all: the newest arrival, then the least strict and largest. */
function sheddingOrder(ctx: StepContext): string[] {
  const newId = ctx.event.kind === 'start' ? ctx.event.flow.id : null;
  const rest = ctx.instance.flows
    .filter((f) => f.id !== newId)
    .sort((a, b) => QOS_RANK[a.qos] - QOS_RANK[b.qos] || b.upKbps + b.downKbps - (a.upKbps + a.downKbps) || (a.id < b.id ? -1 : 1))
    .map((f) => f.id);
  return newId === null ? rest : [newId, ...rest];
}

/**
 * Adopts the solver's answer at every event. When no assignment serves every
 * flow, flows are left out one at a time (sheddingOrder) until one does: the
 * new flow is refused, running ones go unserved until there is room.
 */
export function everyEventPolicy(name: string, solve: AsyncSolver): SimPolicy {
  return {
    name,
    actsOnTimer: false,
    async step(ctx) {
      const order = sheddingOrder(ctx);
      let flows = ctx.instance.flows;
      for (let k = 0; ; k++) {
        const ans = await solve({ ...ctx.instance, flows });
        if (ans.status !== 'infeasible' || flows.length === 0) return { activation: ans.activation, assignment: ans.assignment };
        const drop = order[k];
        flows = flows.filter((f) => f.id !== drop);
      }
    },
  };
}

export interface Mwan3Options {
  seed: number;
  /** Member weight per interface (mwan3 `option weight`). */
  weights: Readonly<Record<string, number>>;
}

/**
 * mwan3-style balancing: each new connection goes to an interface drawn at
 * random with the members' weights, whatever its class or the room left, and
 * stays there. mwan3 does not choose networks: each interface stays on the
 * network it attached to (the best one at start) and roams to the best free
 * one only when its network falls to the lowest state (class B). Every interface is up.
 */
export function mwan3Policy(o: Mwan3Options): SimPolicy {
  const rnd = new SimRandom(o.seed);
  const total = INTERFACES.reduce((s, r) => s + (o.weights[r.id] ?? 0), 0);
  return {
    name: 'mwan3-random',
    actsOnTimer: false,
    step(ctx) {
      const activation = { ...ctx.current.activation };
      for (const r of ctx.instance.interfaces) {
        const on = activation[r.id];
        const bearer = r.bearers.find((b) => b.id === on);
        // Class B only in the lowest state (src/markov.ts): the network is all but gone, the radio roams.
        if (bearer !== undefined && bearer.qos !== 'B') continue;
        const taken = new Set(Object.entries(activation).filter(([i]) => i !== r.id).map(([, b]) => b));
        const best = [...r.bearers].filter((b) => !taken.has(b.id)).sort((a, b) => b.downKbps - a.downKbps || (a.id < b.id ? -1 : 1))[0];
        if (best) activation[r.id] = best.id;
      }
      const assignment = { ...ctx.current.assignment };
      if (ctx.event.kind === 'start') {
        let x = rnd.uniform() * total;
        let pick = INTERFACES[INTERFACES.length - 1]!.id;
        for (const r of INTERFACES) {
          x -= o.weights[r.id] ?? 0;
          if (x < 0) {
            pick = r.id;
            break;
          }
        }
        assignment[ctx.event.flow.id] = pick;
      }
      return { activation, assignment };
    },
  };
}
