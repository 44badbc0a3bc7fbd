import type { Compiled } from './compiled.js';
import { State } from './state.js';

/**
 * A fast construction for instances of any size: O(v log v + v x m) plus
 * O(m x bearers) each time an interface wakes. Flows go strictest class
 * first, then biggest, each to the active interface that fits it best (least
 * cost per kbit, or least marginal power); when none fits, the idle
 * interface whose best bearer carries it wakes up (by cost per kbit, or by
 * the thesis' power coefficient w_j of eq. 3.16, power per unit of capacity
 * it can use); failing that, an active interface moves to a bearer that
 * holds its load and the flow. Since classes only fall along the order, a
 * bearer chosen for the first flow of an interface meets every later one.
 * Flows that fit nowhere stay unserved (the caller reports them).
 */
export function greedy(c: Compiled, objective: 'cost' | 'power'): State {
  const s = new State(c);
  const power = objective === 'power';
  const w = power ? powerCoefficients(c) : undefined;
  const order = Array.from({ length: c.v }, (_, z) => z).sort((a, b) => c.qos[b]! - c.qos[a]! || c.bw[b]! - c.bw[a]! || a - b);
  const active: number[] = [];
  for (const z of order) {
    const up = c.up[z]!;
    const down = c.down[z]!;
    let bi = -1;
    let bk = Infinity;
    for (const i of active) {
      const j = s.bearer[i]!;
      if (!s.fits(z, i, j)) continue;
      const b = c.bearers[i]![j]!;
      const key = power ? b.txW * up + b.rxW * down : b.cost;
      if (key < bk) {
        bk = key;
        bi = i;
      }
    }
    if (bi >= 0) {
      s.place(z, bi);
      continue;
    }
    // Wake an idle interface.
    let bj = -1;
    bk = Infinity;
    const pin = c.pin[z]!;
    for (let i = pin >= 0 ? pin : 0; i < (pin >= 0 ? pin + 1 : c.m); i++) {
      if (s.count[i]! > 0) continue;
      const bs = c.bearers[i]!;
      for (let j = 0; j < bs.length; j++) {
        if (!s.fits(z, i, j)) continue;
        const b = bs[j]!;
        // Ties: the bigger bearer, which leaves room for the flows to come.
        const key = (power ? w![i]![j]! : b.cost) - (b.upKbps + b.downKbps) * 1e-15;
        if (key < bk) {
          bk = key;
          bi = i;
          bj = j;
        }
      }
    }
    if (bi >= 0) {
      s.bearer[bi] = bj;
      s.place(z, bi);
      active.push(bi);
      continue;
    }
    // Re-bear an active interface so that it holds its load and the flow.
    bk = Infinity;
    for (const i of active) {
      if (pin >= 0 && pin !== i) continue;
      const bs = c.bearers[i]!;
      const q = Math.max(c.qos[z]!, s.maxQos(i));
      for (let j = 0; j < bs.length; j++) {
        const b = bs[j]!;
        if (b.qos < q || s.loadUp[i]! + up > b.upKbps + 1e-9 || s.loadDown[i]! + down > b.downKbps + 1e-9) continue;
        const key = power ? b.baseW + b.txW * (s.loadUp[i]! + up) + b.rxW * (s.loadDown[i]! + down) : b.cost;
        if (key < bk) {
          bk = key;
          bi = i;
          bj = j;
        }
      }
    }
    if (bi >= 0) {
      s.bearer[bi] = bj;
      s.place(z, bi);
    }
  }
  return s;
}

/** w_j of eq. 3.16 for every bearer, as bearer-order.ts computes it, in O(v + bearers) (volumes summed per class once). */
function powerCoefficients(c: Compiled): Float64Array[] {
  const up = new Float64Array(4);
  const down = new Float64Array(4);
  for (let z = 0; z < c.v; z++) {
    up[c.qos[z]!] += c.up[z]!;
    down[c.qos[z]!] += c.down[z]!;
  }
  // Admissible for a bearer of class q: the flows of class <= q.
  for (let q = 1; q < 4; q++) {
    up[q] += up[q - 1]!;
    down[q] += down[q - 1]!;
  }
  return c.bearers.map((bs) =>
    Float64Array.from(bs, (b) => {
      const ku = Math.min(b.upKbps, up[b.qos]!);
      const kd = Math.min(b.downKbps, down[b.qos]!);
      return ku + kd > 0 ? (b.baseW + b.rxW * kd + b.txW * ku) / (ku + kd) : Infinity;
    }),
  );
}
