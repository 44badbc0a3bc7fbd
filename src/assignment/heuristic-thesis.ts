import { withinPowerLimit, type Compiled } from './compiled.js';
import { Deadline } from './deadline.js';
import { bearerTables, type BearerTables } from './bearer-order.js';
import type { Prng } from './prng.js';
import { State } from './state.js';
import { construct, searchStep } from './thesis-moves.js';

/**
 * The thesis heuristic LS/RS (section 3.3, Algorithms 1-6) as written, kept
 * as a reference for the benchmark. Where the pseudo-code is ambiguous the
 * reading taken is noted at the spot (see also the report in the README).
 */

const K = Number.POSITIVE_INFINITY;
/** Bound on local search iterations (the thesis leaves the maximum open). */
const MAX_ITERATIONS = 50;

/** Objective f (eq. 3.18): power increase per unit of cost decrease. */
function fObj(ca: number, pa: number, cb: number, pb: number, limit: number): number {
  if (withinPowerLimit(pb, limit) && cb < ca) return (pb - pa) / Math.abs(cb - ca);
  return K;
}

/**
 * Objective g (eq. 3.19). Read as written, its `C_P(S_b) <= P` clause would
 * reject every step of a search that starts above P_max unless one step
 * lands below it, so the power iteration could never make progress; the
 * clause is dropped here: any power decrease is scored.
 */
function gObj(ca: number, pa: number, cb: number, pb: number): number {
  if (pb < pa) return (cb - ca) / Math.abs(pb - pa);
  return K;
}

class Search {
  readonly scratch: State;
  readonly trial: State;
  readonly best: State;
  constructor(
    readonly c: Compiled,
    readonly t: BearerTables,
    readonly deadline: Deadline = Deadline.NONE,
  ) {
    this.scratch = new State(c);
    this.trial = new State(c);
    this.best = new State(c);
  }

  /** Algorithm 2 (optimizeCost) or its power variant. Mutates s. */
  iteration(s: State, optimizeCost: boolean): void {
    const c = this.c;
    const limit = c.powerLimitW;
    const ifs: number[] = [];
    for (let i = 0; i < c.m; i++) if (s.count[i]! > 0) ifs.push(i);
    if (optimizeCost) {
      ifs.sort((a, b) => s.bearerOf(b)!.cost - s.bearerOf(a)!.cost || s.ifPower(b) - s.ifPower(a) || a - b);
    } else {
      ifs.sort((a, b) => this.t.w[b]![s.bearer[b]!]! - this.t.w[a]![s.bearer[a]!]! || s.ifCost(b) - s.ifCost(a) || a - b);
    }
    for (const r of ifs) {
      if (this.deadline.expired()) return;
      const fr: number[] = [];
      for (let z = 0; z < c.v; z++) if (s.flowIf[z] === r) fr.push(z);
      fr.sort((a, b) => c.qos[b]! - c.qos[a]! || c.bw[a]! - c.bw[b]! || a - b);
      for (const z of fr) {
        if (s.flowIf[z] !== r) continue;
        const ca = s.cost();
        const pa = s.power();
        let bestVal = K;
        let bestTarget = -1;
        for (let ri = 0; ri < c.m; ri++) {
          if (ri === r) continue;
          this.trial.copyFrom(s);
          // Failed steps (no transition) are left out of the argmin: scoring them 0
          // would make "stay" beat every cost-decreasing step that adds power.
          if (!searchStep(this.trial, this.scratch, this.t, r, z, ri, optimizeCost)) continue;
          const cb = this.trial.cost();
          const pb = this.trial.power();
          const val = optimizeCost ? fObj(ca, pa, cb, pb, limit) : gObj(ca, pa, cb, pb);
          if (val < bestVal) {
            bestVal = val;
            bestTarget = ri;
          }
        }
        if (bestTarget >= 0) searchStep(s, this.scratch, this.t, r, z, bestTarget, optimizeCost);
      }
    }
  }

  /** `localSearch`: alternate the two iterations; return the best state met. */
  localSearch(start: State): State {
    const c = this.c;
    const s = start.clone();
    const best = start.clone();
    const prev = new State(c);
    for (let it = 0; it < MAX_ITERATIONS && !this.deadline.expired(); it++) {
      prev.copyFrom(s);
      this.iteration(s, withinPowerLimit(s.power(), c.powerLimitW));
      if (better(s, best, c.powerLimitW)) best.copyFrom(s);
      if (s.equals(prev)) break;
    }
    return best;
  }

  /** Algorithm 6, `findRestartState`. */
  restartState(from: State, rt: number, rng: Prng): State {
    const c = this.c;
    const s = from.clone();
    const bta = s.bearerOf(rt);
    if (!bta || s.count[rt] === 0 || bta.qos === 0) return s;
    const q0 = rng.int(bta.qos);
    const f0: number[] = [];
    for (let z = 0; z < c.v; z++) if (s.flowIf[z] === rt && c.qos[z]! > q0 && c.pin[z]! < 0) f0.push(z);
    for (const z of f0) {
      const ca = s.cost();
      let bestInc = Infinity;
      let bestTarget = -1;
      for (let ri = 0; ri < c.m; ri++) {
        if (ri === rt) continue;
        this.trial.copyFrom(s);
        if (!searchStep(this.trial, this.scratch, this.t, rt, z, ri, true)) continue;
        const inc = this.trial.cost() - ca;
        if (inc < bestInc) {
          bestInc = inc;
          bestTarget = ri;
        }
      }
      if (bestTarget >= 0) searchStep(s, this.scratch, this.t, rt, z, bestTarget, true);
    }
    // Constrain r_t to a bearer of class <= Q_0 (the point of the restart): the
    // cheapest such bearer that still carries what stayed on r_t.
    if (s.count[rt]! > 0) {
      for (const j of this.t.byCost[rt]!) {
        if (c.bearers[rt]![j]!.qos <= q0 && s.bearerHolds(rt, j)) {
          s.bearer[rt] = j;
          break;
        }
      }
    }
    return s;
  }

  /** Algorithm 5, `localSearchRS` (keeping the best state over the restarts). */
  localSearchRS(start: State, rng: Prng, restarts: boolean): State {
    let sr = this.localSearch(start);
    const best = sr.clone();
    if (!restarts) return best;
    for (let i = 0; i < this.c.m && !this.deadline.expired(); i++) {
      sr = this.localSearch(this.restartState(sr, i, rng));
      if (better(sr, best, this.c.powerLimitW)) best.copyFrom(sr);
    }
    return best;
  }
}

/** Fewer unserved flows, then within P_max with lower cost, else lower power. */
export function better(a: State, b: State, limit: number): boolean {
  const ua = a.unplaced();
  const ub = b.unplaced();
  if (ua !== ub) return ua < ub;
  const fa = withinPowerLimit(a.power(), limit);
  const fb = withinPowerLimit(b.power(), limit);
  if (fa !== fb) return fa;
  if (fa) return a.cost() < b.cost() - 1e-12;
  return a.power() < b.power() - 1e-12;
}

export interface ThesisOptions {
  /** false = the thesis' LS variant (no restarts). */
  restarts?: boolean;
  /** Time budget: the searches stop when it expires (the constructions always run). */
  deadline?: Deadline;
}

/** Algorithm 1. Returns the chosen state (possibly with unserved flows). */
export function solveThesis(c: Compiled, rng: Prng, opts: ThesisOptions = {}): State {
  const t = bearerTables(c);
  const search = new Search(c, t, opts.deadline);
  const sm = new State(c);
  construct(sm, t, false);
  const sp = new State(c);
  construct(sp, t, true);
  const restarts = opts.restarts ?? true;
  const s1 = search.localSearchRS(sm, rng, restarts);
  const s2 = search.localSearchRS(sp, rng, restarts);
  const limit = c.powerLimitW;
  // Unserved flows first: a state that serves everything always wins.
  if (s1.unplaced() !== s2.unplaced()) return s1.unplaced() < s2.unplaced() ? s1 : s2;
  const c1 = s1.cost();
  const c2 = s2.cost();
  const p1 = s1.power();
  const p2 = s2.power();
  if (c1 < c2 && withinPowerLimit(p1, limit)) return s1;
  if (c2 < c1 && withinPowerLimit(p2, limit)) return s2;
  return p1 < p2 ? s1 : s2;
}
