import { type Compiled, withinPowerLimit } from './compiled.js';
import { bearerTables } from './bearer-order.js';
import type { Prng } from './prng.js';
import { Neighbourhoods } from './improver-moves.js';
import { beats, scoreOf } from './score.js';
import { State } from './state.js';
import { construct } from './thesis-moves.js';
import { branchAndBound } from './branch-and-bound.js';
import { lnsImprove } from './lns.js';
import { Deadline } from './deadline.js';
import { greedy } from './greedy.js';
import { powerFirst } from './power-first.js';

/**
 * modemflow's heuristic, in four stages, each bounded:
 * 1. A truncated branch and bound for the least cost within P_max over
 *    non-dominated bearers (branch-and-bound.ts). If it completes, its answer
 *    is optimal and returned at once (most small instances).
 * 2. With a finite P_max, the same search for the least power: the start
 *    that meets the tightest limits; when the cost search found nothing
 *    within P_max, a power-lowering large neighbourhood search (lns.ts)
 *    takes it down until it fits. If both searches completed and none
 *    fits, the least power is the (over_power_limit) answer.
 * 3. From those starts, descents with relocate, swap, ejection-pair and
 *    bearer-change-with-repair moves and an iterated local search with seeded
 *    kicks (the Improver below). Descents may alternate a penalised objective
 *    (cost + mu x power above P_max, to cross over-power states) with the
 *    strict lexicographic one (served, power above P_max, cost, power).
 * 4. A cost-lowering large neighbourhood search that re-optimises the flows
 *    of 2-3 interfaces at a time with the branch and bound, never leaving P_max.
 * 5. When all that ends above P_max: a search for the least power first
 *    (ending in a re-packing of the flows with the activation kept,
 *    repack.ts), then for the least cost within P_max (power-first.ts).
 * Effort (node budgets, kicks) is smaller on big instances, where each node
 * costs more; huge instances (hundreds of flows or dozens of interfaces)
 * start from the linear-time greedy construction (greedy.ts) and descend by
 * relocation sweeps only. With a time budget (deadline.ts) each stage stops
 * when it expires and the best valid state so far is returned. Deterministic
 * for a given seed when no budget cuts the search.
 */

export interface ImprovedOptions {
  /** Kicks of the iterated local search (default by instance size, see effortFor). */
  kicks?: number;
  /** Multiples of the estimated cost-per-W scale used as penalty weights (default [1, 4]; [] on big instances). */
  muFactors?: readonly number[];
  /** Stop the kicks after this many in a row that find nothing better. */
  patience?: number;
  /** Node budget of each repair of the large neighbourhood search, and its rounds. */
  lnsNodes?: number;
  lnsRounds?: number;
  /** Interfaces freed at once by the final large neighbourhood search (0 = none). */
  lnsSize?: number;
  /** Node budget of each branch-and-bound construction. */
  maxNodes?: number;
  /** Time budget of the whole search. */
  deadline?: Deadline;
}

/** A kicked state within this factor of the best cost gets the full descent. */
const PROMISING = 1.15;

export class Improver extends Neighbourhoods {
  /** A random kick: one interface gets a random candidate bearer (or is switched off) and flows are re-spread. */
  kick(s: State): void {
    const c = this.c;
    const i = this.rng.int(c.m);
    const cand = this.cand[i]!;
    const j = cand.length === 0 || (s.count[i]! > 0 && this.rng.next() < 0.25) ? -1 : cand[this.rng.int(cand.length)]!;
    if (this.rng.next() < 0.5) this.rebuild(s, i, j);
    else this.rebear(s, i, j);
  }

  /** Descend with penalty weight mu, then strictly. */
  private settle(s: State, mu: number, full = true): void {
    this.mu = mu;
    this.descend(s, full);
    if (mu !== Infinity) {
      this.mu = Infinity;
      this.descend(s, full);
    }
  }

  run(starts: State[], kicks: number, muFactors: readonly number[], patience = Infinity): State {
    const c = this.c;
    const best = starts[0]!.clone();
    let bestScore = scoreOf(best);
    const record = (s: State): boolean => {
      const sc = scoreOf(s);
      if (!beats(sc, bestScore)) return false;
      best.copyFrom(s);
      bestScore = sc;
      return true;
    };
    // Cost per W between the two constructions: the scale of the trade-off.
    const [a, b] = [starts[0]!, starts[1] ?? starts[0]!];
    const pSpan = Math.abs(a.power() - b.power());
    const mu0 = pSpan > 1e-12 ? Math.max(1e-12, a.cost() + b.cost()) / pSpan : Infinity;
    const schedule = Number.isFinite(c.powerLimitW) && Number.isFinite(mu0) ? [...muFactors.map((f) => f * mu0), Infinity] : [Infinity];
    const s = new State(c);
    for (const st of starts) {
      for (const mu of schedule) {
        if (this.deadline.expired() && st !== starts[0]) {
          // Out of time: the remaining starts still count as they are.
          s.copyFrom(st);
          record(s);
          break;
        }
        s.copyFrom(st);
        this.settle(s, mu);
        record(s);
      }
    }
    let idle = 0;
    for (let k = 0; k < kicks && idle < patience && !this.deadline.expired(); k++) {
      s.copyFrom(best);
      this.kick(s);
      if (this.rng.next() < 0.5) this.kick(s);
      // Cheap neighbourhoods first; the full descent only for promising states.
      this.settle(s, schedule[this.rng.int(schedule.length)]!, false);
      const sc = scoreOf(s);
      if (sc.unplaced <= bestScore.unplaced && (sc.excessW > 0 || bestScore.excessW > 0 || sc.cost <= bestScore.cost * PROMISING)) this.settle(s, Infinity);
      idle = record(s) ? 0 : idle + 1;
    }
    best.dropIdle();
    return best;
  }
}


/** Search effort by instance size (measured on the benchmark's instances, see bench/results/solver.md). */
export interface Effort {
  /** Too big for the branch and bound and the quadratic neighbourhoods. */
  huge: boolean;
  nodes: number;
  kicks: number;
  mu: readonly number[];
  lnsSize: number;
  lnsNodes: number;
  lnsRounds: number;
}

/** Above these sizes the branch and bound's tables (m x v slots) and a swap scan (v^2) cost more than they find. */
export const HUGE_FLOWS = 400;
export const HUGE_INTERFACES = 24;

export function effortFor(c: Compiled): Effort {
  const size = c.m * c.v;
  if (c.v > HUGE_FLOWS || c.m > HUGE_INTERFACES) return { huge: true, nodes: 0, kicks: 0, mu: [], lnsSize: 0, lnsNodes: 0, lnsRounds: 0 };
  // Few interfaces and flows: the branch and bound usually proves the optimum; keep the rest light.
  if (size <= 40) return { huge: false, nodes: 1500, kicks: 4, mu: [], lnsSize: 0, lnsNodes: 0, lnsRounds: 0 };
  // Medium (the thesis' UC2): a short branch and bound, 4 kicks (without them a few cases end 5-77 % above the
  // optimum) and two rounds of triple re-optimisation. Measured on UC2 L/M/H seeds 1-8 x 10 limits: 4.2x less CPU
  // than 2000 nodes, 16 kicks, penalised descents and 4 LNS rounds, for about 0.3 points more mean gap. Other
  // settings against these: bench/results/solver.md, "Effort against gap" (none both faster and closer).
  if (size <= 100) return { huge: false, nodes: 200, kicks: 4, mu: [], lnsSize: 3, lnsNodes: 300, lnsRounds: 2 };
  // Big: each node and move costs more; the penalised descents cost more than they find.
  return { huge: false, nodes: 600, kicks: 4, mu: [], lnsSize: 2, lnsNodes: 200, lnsRounds: 1 };
}

export function solveImproved(c: Compiled, rng: Prng, opts: ImprovedOptions = {}): State {
  const e = effortFor(c);
  const dl = opts.deadline ?? Deadline.NONE;
  const limited = Number.isFinite(c.powerLimitW);
  const starts: State[] = [];
  if (e.huge) {
    // Linear-time starts: the least-cost end and, with P_max, the least-power end.
    starts.push(greedy(c, 'cost'));
    if (limited) starts.push(greedy(c, 'power'));
  } else {
    const maxNodes = opts.maxNodes ?? e.nodes;
    const rc = branchAndBound(c, { objective: 'cost', maxNodes, deadline: dl });
    // Proven least cost within P_max: nothing can beat it.
    if (rc.state && rc.complete) return rc.state;
    if (rc.state) starts.push(rc.state);
    if (limited && !dl.expired()) {
      // The least-power end: the start that meets the tightest limits (the cost search found none within P_max).
      const rp = branchAndBound(c, { objective: 'power', maxNodes: rc.state ? maxNodes : Math.max(maxNodes, 2000), deadline: dl });
      let sp = rp.state;
      if (sp && !rc.state && !rp.complete) sp = lnsImprove(c, sp, { objective: 'power', maxNodes: 300, rounds: 2, stopWithinLimit: true, size: 3, deadline: dl });
      // Proven that nothing meets P_max: the least power is the answer (over_power_limit).
      if (sp && rc.complete && rp.complete) return sp;
      if (sp) starts.push(sp);
    }
    if (starts.length === 0) {
      // The branch and bound found nothing in its budget: the thesis' first-fit constructions.
      const t = bearerTables(c);
      for (const byPower of [false, true]) {
        const sx = new State(c);
        construct(sx, t, byPower);
        starts.push(sx);
      }
    }
  }
  const imp = new Improver(c, rng);
  imp.deadline = dl;
  imp.light = e.huge;
  let best = imp.run(starts, opts.kicks ?? e.kicks, opts.muFactors ?? e.mu, opts.patience ?? Infinity);
  const size = opts.lnsSize ?? e.lnsSize;
  if (size > 0 && best.unplaced() === 0 && withinPowerLimit(best.power(), c.powerLimitW) && !dl.expired()) {
    best = lnsImprove(c, best, { objective: 'cost', maxNodes: opts.lnsNodes ?? e.lnsNodes, rounds: opts.lnsRounds ?? e.lnsRounds, size, deadline: dl });
  }
  if (limited && !e.huge && best.unplaced() === 0 && !withinPowerLimit(best.power(), c.powerLimitW) && !dl.expired()) {
    best = powerFirst(c, best, rng, { deadline: dl, effort: e });
  }
  return best;
}
