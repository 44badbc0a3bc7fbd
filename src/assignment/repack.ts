import { branchAndBound } from './branch-and-bound.js';
import type { Compiled } from './compiled.js';
import type { Deadline } from './deadline.js';
import { State } from './state.js';

/**
 * The flows of an assignment re-packed for the least power with its
 * activation kept: only the interfaces it uses, each with the bearer it has.
 * What is left is a generalised assignment problem (flows into bins of two
 * capacities, linear power per bin), and at the tightest power limits the
 * answer hinges on packing the most frugal bearers almost to the kbit. The
 * branch and bound over all bearers spends its nodes on other activations
 * (measured on the modern profile, seed 20004 at its least power: 1,000,000
 * nodes end 0.02 % above it); with the bearers fixed the tree has a branch
 * per active interface only. Flows go by their power (the most a flow can
 * draw, biggest first): the same search reaches the limit there in 35,000
 * nodes, against 110,000 biggest-volume first.
 * Stops at the first packing within `goodEnoughW` when given (a power limit).
 * Returns a state of lower power than `s`, or undefined (also when `s` leaves a flow unserved).
 */
export function repackForPower(c: Compiled, s: State, maxNodes: number, deadline?: Deadline, goodEnoughW?: number): State | undefined {
  // Only for full assignments: a pin to an interface left out below would otherwise read as no pin.
  if (s.unplaced() > 0) return undefined;
  const active: number[] = [];
  for (let i = 0; i < c.m; i++) if (s.count[i]! > 0) active.push(i);
  if (active.length < 2) return undefined;
  const subIndex = new Int32Array(c.m).fill(-1);
  active.forEach((i, k) => (subIndex[i] = k));
  const pin = Int32Array.from(c.pin, (i) => (i < 0 ? -1 : subIndex[i]!));
  // Every pin names an active interface: s serves every flow, pinned ones where their pin says.
  const sub: Compiled = {
    ...c,
    m: active.length,
    ifIds: active.map((i) => c.ifIds[i]!),
    bearers: active.map((i) => [c.bearers[i]![s.bearer[i]!]!]),
    pin,
  };
  const before = s.power();
  // With a limit to meet, only packings within it count: the bound then cuts far more of the tree.
  const upperBound = Math.min(before * (1 - 1e-12), goodEnoughW ?? Infinity);
  const r = branchAndBound(sub, {
    objective: 'power',
    maxNodes,
    upperBound,
    order: 'power',
    ...(deadline ? { deadline } : {}),
    ...(goodEnoughW === undefined ? {} : { goodEnough: goodEnoughW }),
  });
  if (!r.state || !(r.value < before)) return undefined;
  const out = new State(c);
  for (const i of active) out.bearer[i] = s.bearer[i]!;
  for (let z = 0; z < c.v; z++) out.place(z, active[r.state.flowIf[z]!]!);
  // Its power, recomputed on the full instance (the same figures, summed in the full order).
  return out.power() < before ? out : undefined;
}
