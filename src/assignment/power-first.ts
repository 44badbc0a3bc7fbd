import { branchAndBound } from './branch-and-bound.js';
import { POWER_EPS, withinPowerLimit, type Compiled } from './compiled.js';
import type { Deadline } from './deadline.js';
import { type Effort, Improver } from './heuristic-improved.js';
import { lnsImprove } from './lns.js';
import type { Prng } from './prng.js';
import { repackForPower } from './repack.js';
import type { State } from './state.js';

/**
 * The fallback of the improved heuristic when its cost-driven search ends
 * above P_max although every flow is served: search for the least power
 * first (the thesis' objective g, section 3.3: power before cost), with a
 * branch and bound on power given a budget many times the usual one (flows
 * by the power they can draw), a power-lowering large neighbourhood search
 * over 2 and then 3 interfaces at a time, and last a re-packing of the flows
 * with the activation found kept (repack.ts: at the tightest limits the
 * frugal bearers must be filled almost to the kbit, which the searches over
 * all bearers miss), each stopping as soon as the power fits; then, from an
 * assignment within P_max, the least cost within it (strict descents never
 * leave P_max once inside, nor does the cost-lowering neighbourhood search).
 * Returns the lower-power of the input and what it found when nothing fits.
 */

/** Node budget of the power-first branch and bound (measured: proves the least power on the thesis' UC3 in a few ms). */
const POWER_NODES = 20_000;

/** Node budget of the re-packing with the activation kept (repack.ts; 35,000 were needed on the modern profile, seed 20004). */
const REPACK_NODES = 100_000;

export interface PowerFirstOptions {
  deadline: Deadline;
  effort: Effort;
}

export function powerFirst(c: Compiled, start: State, rng: Prng, o: PowerFirstOptions): State {
  const fits = (s: State) => withinPowerLimit(s.power(), c.powerLimitW);
  // Any assignment within P_max will do here: the cost comes after.
  const goodEnough = c.powerLimitW + POWER_EPS * Math.max(1, Math.abs(c.powerLimitW));
  let sp = start;
  const rp = branchAndBound(c, { objective: 'power', maxNodes: POWER_NODES, deadline: o.deadline, upperBound: start.power(), goodEnough, order: 'power' });
  if (rp.state && rp.state.power() < sp.power()) sp = rp.state;
  for (const size of [2, 3]) {
    if (fits(sp) || size > c.m) break;
    sp = lnsImprove(c, sp, { objective: 'power', maxNodes: 2000, rounds: 3, size, stopWithinLimit: true, deadline: o.deadline });
  }
  if (!fits(sp)) {
    const rep = repackForPower(c, sp, REPACK_NODES, o.deadline, goodEnough);
    if (rep) sp = rep;
  }
  if (!fits(sp)) return sp;
  const imp = new Improver(c, rng);
  imp.deadline = o.deadline;
  let best = imp.run([sp], o.effort.kicks, [], Infinity);
  if (o.effort.lnsSize > 0 && fits(best)) {
    best = lnsImprove(c, best, { objective: 'cost', maxNodes: o.effort.lnsNodes, rounds: o.effort.lnsRounds, size: o.effort.lnsSize, deadline: o.deadline });
  }
  return best;
}
