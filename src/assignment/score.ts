import type { State } from './state.js';

/**
 * Lexicographic objective of the improved heuristic: fewer unserved flows,
 * then less power above P_max, then lower cost (eq. 3.4), then lower power.
 */
export interface Score {
  unplaced: number;
  excessW: number;
  cost: number;
  powerW: number;
}

export function scoreOf(s: State): Score {
  const powerW = s.power();
  const limit = s.c.powerLimitW;
  const excessW = Number.isFinite(limit) ? Math.max(0, powerW - limit - 1e-9 * Math.max(1, limit)) : 0;
  return { unplaced: s.unplaced(), excessW, cost: s.cost(), powerW };
}

const REL = 1e-10;

function less(a: number, b: number): boolean {
  return a < b - REL * Math.max(1, Math.abs(a), Math.abs(b));
}

/** True when a is strictly better than b. */
export function beats(a: Score, b: Score): boolean {
  if (a.unplaced !== b.unplaced) return a.unplaced < b.unplaced;
  if (less(a.excessW, b.excessW)) return true;
  if (less(b.excessW, a.excessW)) return false;
  if (less(a.cost, b.cost)) return true;
  if (less(b.cost, a.cost)) return false;
  return less(a.powerW, b.powerW);
}
