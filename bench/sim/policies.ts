import { bestClassOnOffer, decide, placeAtBestClass } from '../../src/assignment/dynamic-policy.js';
import type { PolicyInput } from '../../src/assignment/dynamic-policy.js';
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
  /** A promise (HiGHS) is awaited, then decide() runs again on its answer (it is pure: same input, same instance). */
  solve: AsyncSolver;
  /** A full solve at every event, not only on the daemon's triggers (the fair exact bound). */
  fullEveryEvent?: boolean;
  /** Pin running TCP to its interface (the daemon does); false shows what the pins cost. */
  pinTcp: boolean;
  /**
   * Also keep an interface that carries pinned TCP on its network (not what
   * the daemon does today: a change of network changes the public address too).
   */
  pinBearer?: boolean;
}

const PENDING: TfapAnswer = { status: 'infeasible', activation: {}, assignment: {}, costPerSecond: 0, powerW: 0, solveMs: 0, method: 'heuristic' };

/** decide() with a solver that may answer later: a first pass finds the instance it solves, a second adopts the answer. */
async function decideAsync(input: Omit<PolicyInput, 'solve'>, solve: AsyncSolver): Promise<CurrentAssignment> {
  let pending: Promise<TfapAnswer> | null = null;
  const first = decide({
    ...input,
    solve: (i) => {
      const a = solve(i);
      if (!(a instanceof Promise)) return a;
      pending = a;
      return PENDING;
    },
  });
  if (pending === null) return first.assignment;
  const answer = await (pending as Promise<TfapAnswer>);
  return decide({ ...input, solve: () => answer }).assignment;
}

export function modemflowPolicy(o: ModemflowOptions): SimPolicy {
  return {
    name: o.name ?? 'modemflow',
    actsOnTimer: true,
    step(ctx: StepContext): Promise<CurrentAssignment> {
      const flows: FlowSpec[] = ctx.instance.flows.map((f) => {
        const on = ctx.current.assignment[f.id];
        return o.pinTcp && on !== undefined && ctx.flows.get(f.id)?.proto === 'tcp' ? { ...f, pinned: on } : f;
      });
      const pinnedIfs = new Set(flows.flatMap((f) => (f.pinned === undefined ? [] : [f.pinned])));
      const interfaces = o.pinBearer
        ? ctx.instance.interfaces.map((r) => (pinnedIfs.has(r.id) ? { ...r, bearers: r.bearers.filter((b) => b.id === ctx.current.activation[r.id]) } : r))
        : ctx.instance.interfaces;
      const forceFull = o.fullEveryEvent ? 'every event' : ctx.event.kind === 'timer' ? 'timer' : null;
      return decideAsync({ instance: { ...ctx.instance, interfaces, flows }, current: ctx.current, forceFull, hysteresis: o.hysteresis }, o.solve);
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

/**
 * Which flow to leave out first when nothing serves them all: those no bearer
 * can carry at their class even alone (nothing else would help), then the
 * newest arrival, then the least strict and largest.
 */
export function sheddingOrder(ctx: Pick<StepContext, 'event' | 'instance'>): string[] {
  const newId = ctx.event.kind === 'start' ? ctx.event.flow.id : null;
  const hopeless = ctx.instance.flows.filter((f) => bestClassOnOffer(ctx.instance, f) !== f.qos).map((f) => f.id);
  const rest = ctx.instance.flows
    .filter((f) => f.id !== newId && !hopeless.includes(f.id))
    .sort((a, b) => QOS_RANK[a.qos] - QOS_RANK[b.qos] || b.upKbps + b.downKbps - (a.upKbps + a.downKbps) || (a.id < b.id ? -1 : 1))
    .map((f) => f.id);
  return [...hopeless, ...(newId === null || hopeless.includes(newId) ? [] : [newId]), ...rest];
}

/**
 * Adopts the solver's answer at every event. When no assignment serves every
 * flow, flows are left out one at a time (sheddingOrder) until one does: the
 * new flow is refused, running ones go unserved until there is room; with
 * `sameService`, what is left out is then placed at the best class on offer
 * where there is room, as the daemon does (so that the reference carries the
 * same traffic as the daemon).
 */
export function everyEventPolicy(name: string, solve: AsyncSolver, sameService = false): SimPolicy {
  return {
    name,
    actsOnTimer: false,
    async step(ctx) {
      const order = sheddingOrder(ctx);
      let flows = ctx.instance.flows;
      for (let k = 0; ; k++) {
        const ans = await solve({ ...ctx.instance, flows });
        if (ans.status !== 'infeasible' || flows.length === 0) {
          const out = { activation: { ...ans.activation }, assignment: { ...ans.assignment } };
          if (!sameService) return out;
          for (const f of ctx.instance.flows) {
            if (out.assignment[f.id] !== undefined) continue;
            const p = placeAtBestClass(ctx.instance, out, f);
            if (!p) continue;
            out.assignment[f.id] = p.interfaceId;
            out.activation[p.interfaceId] = p.bearerId;
          }
          return out;
        }
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
    admitsAtClassOnly: false,
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
