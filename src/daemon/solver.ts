import { solveHeuristic } from '../assignment/heuristic.js';
import type { TfapAnswer, TfapInstance } from '../model/tfap.js';

/** Time budget of one full solve in the daemon: the decision loop never blocks longer. */
export const SOLVE_BUDGET_MS = 200;

/**
 * The solver modemflowd runs for full solves: the improved heuristic within
 * SOLVE_BUDGET_MS (it returns the best valid answer found by then and says
 * it stopped early). The evaluation's simulator calls this too, so it runs
 * what the daemon runs.
 */
export function daemonSolve(inst: TfapInstance, now: () => number, budgetMs = SOLVE_BUDGET_MS): TfapAnswer {
  return solveHeuristic(inst, { now, budgetMs });
}
