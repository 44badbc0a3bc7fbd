import type { QosClass } from '../../src/model/qos.js';
import type { SimRandom } from './random.js';

/**
 * A radio network's available capacity as a 7-state Markov chain (thesis
 * 002, line 1432, after [SNW06]): each state is a level of capacity and
 * access delay. The thesis does not print [SNW06]'s transition matrix nor
 * the mean time between transitions, so both are chosen here and varied by
 * the evaluation: a birth-death chain (one level up or down, equally likely,
 * reflecting at the ends; `stay` > 0 adds self-transitions) with exponential
 * sojourns. State 6 is the best.
 */

export const STATES = 7;

/** Fraction of a network's nominal capacity per state (chosen). */
export const CAPACITY_LEVEL: readonly number[] = [0.1, 0.25, 0.4, 0.55, 0.7, 0.85, 1];

/** Class the access delay of each state allows (chosen): 0 = B, 1-2 = I, 3-4 = S, 5-6 = C. */
export const STATE_QOS: readonly QosClass[] = ['B', 'I', 'I', 'S', 'S', 'C', 'C'];

export type Matrix = readonly (readonly number[])[];

/** The birth-death matrix: row k gives P(k -> j). */
export function birthDeathMatrix(stay = 0): Matrix {
  const rows: number[][] = [];
  for (let k = 0; k < STATES; k++) {
    const row = new Array<number>(STATES).fill(0);
    const move = 1 - stay;
    row[k] = stay;
    if (k === 0) row[1] = move;
    else if (k === STATES - 1) row[k - 1] = move;
    else {
      row[k - 1] = move / 2;
      row[k + 1] = move / 2;
    }
    rows.push(row);
  }
  return rows;
}

/** Rows are distributions: non-negative, summing to 1. */
export function checkMatrix(m: Matrix): string[] {
  const problems: string[] = [];
  if (m.length !== STATES) problems.push(`expected ${STATES} rows, got ${m.length}`);
  m.forEach((row, k) => {
    if (row.length !== STATES) problems.push(`row ${k}: expected ${STATES} entries, got ${row.length}`);
    if (row.some((p) => !(p >= 0))) problems.push(`row ${k}: negative or NaN entry`);
    const sum = row.reduce((a, b) => a + b, 0);
    if (Math.abs(sum - 1) > 1e-9) problems.push(`row ${k}: sums to ${sum}, not 1`);
  });
  return problems;
}

/** The next state from `state` for a uniform draw u in [0, 1). */
export function nextState(m: Matrix, state: number, u: number): number {
  const row = m[state]!;
  let acc = 0;
  for (let j = 0; j < row.length; j++) {
    acc += row[j]!;
    if (u < acc) return j;
  }
  // Rounding left u above the last cumulative sum: the last state with mass.
  for (let j = row.length - 1; j >= 0; j--) if (row[j]! > 0) return j;
  return state;
}

export interface StateChange {
  timeS: number;
  state: number;
}

/** The chain's path over [0, horizonS): the first state at 0, then each transition (self-transitions included). */
export function chainPath(m: Matrix, meanSojournS: number, horizonS: number, rnd: SimRandom, initial?: number): StateChange[] {
  const out: StateChange[] = [{ timeS: 0, state: initial ?? rnd.int(STATES) }];
  let t = rnd.exponential(meanSojournS);
  while (t < horizonS) {
    out.push({ timeS: t, state: nextState(m, out[out.length - 1]!.state, rnd.uniform()) });
    t += rnd.exponential(meanSojournS);
  }
  return out;
}
