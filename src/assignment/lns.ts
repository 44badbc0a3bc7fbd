import { branchAndBound } from './branch-and-bound.js';
import { withinPowerLimit, type Compiled } from './compiled.js';
import type { Deadline } from './deadline.js';
import type { State } from './state.js';

/**
 * Large neighbourhood search with an exact repair: free the flows of `size`
 * interfaces (they may then go anywhere, every interface may change bearer),
 * keep the others where they are, and let the branch and bound find the best
 * completion below the incumbent. Repeats over all such sets until a full
 * round finds nothing (or the round budget is spent). With the 'power'
 * objective it lowers power (P_max ignored); with 'cost' it lowers cost and
 * only ever returns assignments within P_max (so the start should meet it).
 */
export interface LnsOptions {
  objective: 'cost' | 'power';
  /** Node budget of each repair. */
  maxNodes: number;
  /** Full rounds over the interface pairs at most. */
  rounds: number;
  /** Stop as soon as power is within P_max (for the power objective). */
  stopWithinLimit?: boolean;
  /** Interfaces freed at once (default 2). */
  size?: number;
  /** Time budget: no new repair starts once it expires. */
  deadline?: Deadline;
}

/** Every set of `size` interfaces of 0..m-1, in colex order (by largest member, then the next, ...). */
function subsets(m: number, size: number): number[][] {
  const out: number[][] = [];
  const pick: number[] = [];
  const rec = (from: number): void => {
    if (pick.length === size) {
      out.push([...pick]);
      return;
    }
    for (let i = from; i <= m - (size - pick.length); i++) {
      pick.push(i);
      rec(i + 1);
      pick.pop();
    }
  };
  rec(0);
  return out.sort((a, b) => {
    for (let k = size - 1; k >= 0; k--) if (a[k] !== b[k]) return a[k]! - b[k]!;
    return 0;
  });
}

export function lnsImprove(c: Compiled, start: State, o: LnsOptions): State {
  let s = start;
  const valueOf = (x: State): number => (o.objective === 'cost' ? x.cost() : x.power());
  let cur = valueOf(s);
  const fixed = new Int32Array(c.v);
  const done = (): boolean => o.stopWithinLimit === true && withinPowerLimit(s.power(), c.powerLimitW);
  if (done()) return s;
  const sets = subsets(c.m, Math.min(o.size ?? 2, c.m));
  const freed = new Uint8Array(c.m);
  for (let round = 0; round < o.rounds; round++) {
    let improved = false;
    for (const set of sets) {
      if (o.deadline?.expired()) return s;
      freed.fill(0);
      for (const i of set) freed[i] = 1;
      let free = 0;
      for (let z = 0; z < c.v; z++) {
        const i = s.flowIf[z]!;
        fixed[z] = i >= 0 && freed[i] === 1 ? -1 : i;
        if (fixed[z]! < 0) free++;
      }
      if (free === 0) continue;
      const r = branchAndBound(c, { objective: o.objective, maxNodes: o.maxNodes, fixed, upperBound: cur * (1 - 1e-12), ...(o.deadline ? { deadline: o.deadline } : {}) });
      if (r.state && r.value < cur - 1e-12 * Math.abs(cur)) {
        s = r.state;
        cur = r.value;
        improved = true;
        if (done()) return s;
      }
    }
    if (!improved) break;
  }
  return s;
}
