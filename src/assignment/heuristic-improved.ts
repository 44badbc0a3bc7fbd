import type { Compiled } from './compiled.js';
import { bearerTables } from './bearer-order.js';
import type { Prng } from './prng.js';
import { Neighbourhoods } from './improver-moves.js';
import { beats, scoreOf } from './score.js';
import { State } from './state.js';
import { construct } from './thesis-moves.js';

/**
 * modemflow's heuristic. Starts from the thesis' two first-fit constructions
 * (Algorithm 4, by cost and by w_j), then descends with relocate, swap,
 * ejection-pair and bearer-change-with-repair moves, then runs an iterated
 * local search (seeded kicks on one interface's bearer) for a bounded number
 * of kicks. Descents alternate a penalised objective (cost + mu x power above
 * P_max, which lets the search cross over-power states) with the strict
 * lexicographic one (served, power above P_max, cost, power).
 * Deterministic for a given seed.
 */

export interface ImprovedOptions {
  /** Kicks of the iterated local search (default scales with the instance). */
  kicks?: number;
  /** Multiples of the estimated cost-per-W scale used as penalty weights (default [1, 4]). */
  muFactors?: readonly number[];
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

  run(starts: State[], kicks: number, muFactors: readonly number[]): State {
    const c = this.c;
    const best = starts[0]!.clone();
    let bestScore = scoreOf(best);
    const record = (s: State): void => {
      const sc = scoreOf(s);
      if (beats(sc, bestScore)) {
        best.copyFrom(s);
        bestScore = sc;
      }
    };
    // Cost per W between the two constructions: the scale of the trade-off.
    const [a, b] = [starts[0]!, starts[1] ?? starts[0]!];
    const pSpan = Math.abs(a.power() - b.power());
    const mu0 = pSpan > 1e-12 ? Math.max(1e-12, a.cost() + b.cost()) / pSpan : Infinity;
    const schedule = Number.isFinite(c.powerLimitW) && Number.isFinite(mu0) ? [...muFactors.map((f) => f * mu0), Infinity] : [Infinity];
    const s = new State(c);
    for (const st of starts) {
      for (const mu of schedule) {
        s.copyFrom(st);
        this.settle(s, mu);
        record(s);
      }
    }
    for (let k = 0; k < kicks; k++) {
      s.copyFrom(best);
      this.kick(s);
      if (this.rng.next() < 0.5) this.kick(s);
      // Cheap neighbourhoods first; the full descent only for promising states.
      this.settle(s, schedule[this.rng.int(schedule.length)]!, false);
      const sc = scoreOf(s);
      if (sc.unplaced <= bestScore.unplaced && (sc.excessW > 0 || bestScore.excessW > 0 || sc.cost <= bestScore.cost * PROMISING)) this.settle(s, Infinity);
      record(s);
    }
    best.dropIdle();
    return best;
  }
}


export function solveImproved(c: Compiled, rng: Prng, opts: ImprovedOptions = {}): State {
  const t = bearerTables(c);
  const sm = new State(c);
  construct(sm, t, false);
  const sp = new State(c);
  construct(sp, t, true);
  const kicks = opts.kicks ?? 4 * c.m + 8;
  return new Improver(c, rng).run([sm, sp], kicks, opts.muFactors ?? [1, 4]);
}
