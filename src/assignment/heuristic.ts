import type { TfapAnswer, TfapInstance } from '../model/tfap.js';
import { compile, unservableFlows } from './compiled.js';
import { Deadline } from './deadline.js';
import { solveImproved } from './heuristic-improved.js';
import { solveThesis } from './heuristic-thesis.js';
import { Prng } from './prng.js';
import { State, toAnswer } from './state.js';

export type HeuristicVariant = 'improved' | 'thesis' | 'thesis-ls';

export interface HeuristicOptions {
  /** Seed of the PRNG (restarts, kicks); same seed, same answer. Default 1. */
  seed?: number;
  /** 'improved' (default), 'thesis' (LS/RS, Algorithms 1-6) or 'thesis-ls' (no restarts). */
  variant?: HeuristicVariant;
  /** Clock for solveMs and the budget (performance.now in the CLI); without it solveMs is 0. */
  now?: () => number;
  /**
   * Time budget in ms, measured with `now` (ignored without a clock): once
   * spent, the search returns the best answer found so far, marked
   * `stoppedEarly`. A first valid answer is always built, however big the
   * instance (measured in bench/results/solver.md).
   */
  budgetMs?: number;
  /** Kicks of the improved variant's iterated local search. */
  kicks?: number;
  /** Penalty weights of the improved variant (see heuristic-improved.ts). */
  muFactors?: readonly number[];
  /** Node budget of the improved variant's branch-and-bound constructions. */
  maxNodes?: number;
  /** The improved variant stops kicking after this many fruitless kicks in a row. */
  patience?: number;
  /** Node budget of each repair of the improved variant's large neighbourhood search, and its rounds. */
  lnsNodes?: number;
  lnsRounds?: number;
  /** Interfaces the improved variant's final large neighbourhood search frees at once (0 = none). */
  lnsSize?: number;
}

/** Solves a (validated) instance with the heuristic. Pure: no clock, no randomness of its own. */
export function solveHeuristic(inst: TfapInstance, opts: HeuristicOptions = {}): TfapAnswer {
  const now = opts.now ?? (() => 0);
  const t0 = now();
  const deadline = new Deadline(opts.now, opts.budgetMs);
  const c = compile(inst);
  const bad = unservableFlows(c);
  if (bad.length > 0) {
    return toAnswer(new State(c), {
      method: 'heuristic',
      solveMs: now() - t0,
      reason: `no bearer can carry flow(s) ${bad.map((z) => c.flowIds[z]).join(', ')} (QoS, capacity or pin)`,
    });
  }
  const rng = new Prng(opts.seed ?? 1);
  const variant = opts.variant ?? 'improved';
  const s =
    variant === 'improved'
      ? solveImproved(c, rng, {
          ...(opts.kicks === undefined ? {} : { kicks: opts.kicks }),
          ...(opts.muFactors === undefined ? {} : { muFactors: opts.muFactors }),
          ...(opts.maxNodes === undefined ? {} : { maxNodes: opts.maxNodes }),
          ...(opts.patience === undefined ? {} : { patience: opts.patience }),
          ...(opts.lnsNodes === undefined ? {} : { lnsNodes: opts.lnsNodes }),
          ...(opts.lnsRounds === undefined ? {} : { lnsRounds: opts.lnsRounds }),
          ...(opts.lnsSize === undefined ? {} : { lnsSize: opts.lnsSize }),
          deadline,
        })
      : solveThesis(c, rng, { restarts: variant === 'thesis', deadline });
  s.dropIdle();
  const unplaced = s.unplaced();
  const reason = unplaced > 0 ? `the heuristic found no place for flow(s) ${[...s.flowIf].flatMap((i, z) => (i < 0 ? [c.flowIds[z]!] : [])).join(', ')} (each fits some bearer alone; try --method exact)` : undefined;
  const extras = { method: 'heuristic' as const, solveMs: now() - t0, stoppedEarly: deadline.hit };
  return toAnswer(s, reason === undefined ? extras : { ...extras, reason });
}
