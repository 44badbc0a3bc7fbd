import type { Compiled } from './compiled.js';

/**
 * Per-bearer figures the thesis heuristic sorts by: the power consumption
 * coefficient w_j of eq. 3.16 (power per unit of effective capacity, where the
 * effective capacity is capped by what the admissible flows could use).
 */
export interface BearerTables {
  /** w_j per interface and bearer. */
  readonly w: readonly Float64Array[];
  /** Bearer indices of each interface, sorted for cost search (Alg. 3 line 5). */
  readonly byCost: readonly Int32Array[];
  /** ... and for power search (Alg. 3 line 7). */
  readonly byPower: readonly Int32Array[];
}

export function bearerTables(c: Compiled): BearerTables {
  const w: Float64Array[] = [];
  const byCost: Int32Array[] = [];
  const byPower: Int32Array[] = [];
  for (let i = 0; i < c.m; i++) {
    const bs = c.bearers[i]!;
    const wi = new Float64Array(bs.length);
    bs.forEach((b, j) => {
      let admUp = 0;
      let admDown = 0;
      for (let z = 0; z < c.v; z++) {
        if (c.qos[z]! <= b.qos) {
          admUp += c.up[z]!;
          admDown += c.down[z]!;
        }
      }
      const ku = Math.min(b.upKbps, admUp);
      const kd = Math.min(b.downKbps, admDown);
      wi[j] = ku + kd > 0 ? (b.baseW + b.rxW * kd + b.txW * ku) / (ku + kd) : Infinity;
    });
    w.push(wi);
    const idx = bs.map((_, j) => j);
    const cap = (j: number) => bs[j]!.upKbps + bs[j]!.downKbps;
    byCost.push(Int32Array.from([...idx].sort((a, b) => bs[a]!.cost - bs[b]!.cost || wi[a]! - wi[b]! || bs[b]!.qos - bs[a]!.qos || cap(b) - cap(a))));
    byPower.push(Int32Array.from([...idx].sort((a, b) => wi[a]! - wi[b]! || bs[a]!.cost - bs[b]!.cost || bs[b]!.qos - bs[a]!.qos || cap(b) - cap(a))));
  }
  return { w, byCost, byPower };
}
